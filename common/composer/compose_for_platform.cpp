// The platform → log format mapping and the connector changes to the composed body
// (APPCONNECT.md §3.2 Clio, §3.4 Redtail, §3.6 NetSuite; golden/README.md conventions).
#include <chrono>

#include "common/composer/composer.hpp"
#include "common/composer/composer_parts.hpp"
#include "common/composer/js_semantics.hpp"
#include "common/composer/section_matchers.hpp"
#include "common/json.hpp"
#include "common/time/tz_database.hpp"

namespace calllog {
namespace {

using rapidjson::Value;

constexpr std::size_t kNetSuiteMessageLimit = 3400;  // UTF-16 units
constexpr std::string_view kTooLarge =
    "Transcript too large. To view the whole transcript, Goto Communictaion and open attach file.";
constexpr std::string_view kFixedDateFormat = "YYYY-MM-DD hh:mm:ss A";

const Value* user_setting(const Value& event, std::string_view name) {
  return json::find_path(event, {"user", "userSettings", name, "value"});
}

const Value* start_time(const Value& event) { return json::find_path(event, {"callLog", "startTime"}); }

// Redtail's overrideDateTimeInComposedLogDetails: moment(startTime).utcOffset(Number(value)),
// fixed format, `$1${time}$2` into the first /(<li><b>Date\/[Tt]ime<\/b>:\s*)[^<]+(<\/li>)/i.
void redtail_date_override(const Value& event, std::string& body) {
  const Value* value = user_setting(event, "redtailCustomTimezone");
  if (!js::truthy(value)) return;
  const composer::RegexMatch m = composer::match_redtail_date_item(body);
  if (!m.found()) return;
  timeutil::Moment t = composer::start_moment(start_time(event));
  timeutil::utc_offset_number(t, js::to_number(value));
  body = js::replace_match(body, m, "$1" + timeutil::format_moment(t, kFixedDateFormat) + "$2");
}

// NetSuite's own upsertTranscript-then-truncate (§3.6 step 1), UTF-16 lengths throughout.
void netsuite_truncate_transcript(const std::string& transcript, std::string& body) {
  // Re-upsert: /- Transcript:([\s\S]*?)--- END/ replaced (with $-expansion) or appended.
  const composer::RegexMatch m = composer::match_block(body, "- Transcript:", "--- END");
  const std::string section = "- Transcript:\n" + transcript + "\n--- END";
  if (m.found()) body = js::replace_match(body, m, section);
  else body += section + "\n";
  if (js::utf16_length(body) <= kNetSuiteMessageLimit) return;
  // Remove the first /- Transcript:[\s\S]*?--- END\n?/ and rebuild the section around a prefix.
  const composer::RegexMatch whole = composer::match_block(body, "- Transcript:", "--- END", true);
  std::string rest = body.substr(0, whole.begin) + body.substr(whole.end);
  const double avail = static_cast<double>(kNetSuiteMessageLimit) - static_cast<double>(js::utf16_length(rest)) -
                       23 /* "- Transcript:\n\n--- END\n" */ - 93 /* kTooLarge + "\n" */;
  rest += "\n- Transcript:\n";
  rest += js::utf16_prefix(transcript, avail);  // substring(0, avail): a negative avail gives ''
  rest += "\n\n";
  rest += kTooLarge;
  rest += "\n--- END\n";
  body = std::move(rest);
}

// NetSuite's date line: /^- Date\/Time:.*$/m → the start in the user's IANA zone, fixed format.
void netsuite_date_override(const Value& event, std::optional<std::string_view> zone_name, std::string& body) {
  if (!js::truthy_or(user_setting(event, "addCallLogDateTime"), true)) return;
  const composer::RegexMatch m = composer::match_line_starting(body, "- Date/Time:");
  if (!m.found()) return;
  const Value* start = start_time(event);
  timeutil::Moment t = start ? composer::start_moment(start)
                             : timeutil::moment_from_epoch_ms(static_cast<double>(
                                   std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()));  // moment(undefined) is "now"
  const timeutil::TimeZone* zone = zone_name ? timeutil::load_time_zone(*zone_name) : nullptr;
  if (zone) t = timeutil::to_zone(t, *zone);
  else timeutil::utc_offset_number(t, 0);  // no zone: UTC
  body = js::replace_match(body, m, "- Date/Time: " + timeutil::format_moment(t, kFixedDateFormat));
}

}  // namespace

std::string_view format_name(LogFormat f) {
  switch (f) {
    case LogFormat::plain: return "text/plain";
    case LogFormat::html: return "text/html";
    case LogFormat::markdown: return "text/markdown";
  }
  return "text/plain";
}

std::optional<LogFormat> log_format_for(std::string_view platform) {
  if (platform == "pipedrive" || platform == "redtail" || platform == "bullhorn") return LogFormat::html;
  if (platform == "clio" || platform == "insightly" || platform == "netsuite" || platform == "sandbox")
    return LogFormat::plain;
  return std::nullopt;
}

ComposeOutcome compose_for_platform(const Value& event, std::optional<std::string_view> netsuite_timezone) {
  ComposeOutcome out;
  if (!event.IsObject()) {
    out.error = make_failure("invalid_event", "the event is not a JSON object");
    return out;
  }
  const auto platform = json::string_at(json::find(event, "platform"));
  const auto format = platform ? log_format_for(*platform) : std::nullopt;
  if (!format) {
    out.error = make_failure("unknown_platform", platform ? "no adapter for platform \"" + std::string(*platform) + "\""
                                                          : std::string("the event has no string \"platform\""));
    return out;
  }
  std::string body, type_error;
  if (!try_compose_call_log(event, *format, body, type_error)) {
    out.error = make_failure("invalid_event", "App Connect's composer would fail: " + type_error);
    return out;
  }
  if (!js::is_valid_utf8(body)) {
    out.error = make_failure("invalid_event", "the event's text is not valid UTF-8");
    return out;
  }
  if (*platform == "clio" && body.empty()) {
    body = "No details available";
  } else if (*platform == "redtail") {
    redtail_date_override(event, body);
  } else if (*platform == "netsuite") {
    const Value* transcript = json::find(event, "transcript");
    if (js::truthy(transcript) && js::utf16_length(body) > kNetSuiteMessageLimit)
      netsuite_truncate_transcript(js::to_string(transcript), body);
    if (!netsuite_timezone)
      netsuite_timezone = json::string_at(json::find_path(event, {"user", "platformAdditionalInfo", "userTimezone"}));
    netsuite_date_override(event, netsuite_timezone, body);
  }
  out.ok = ComposedBody{*format, std::move(body)};
  return out;
}

}  // namespace calllog
