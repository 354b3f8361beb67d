// Duration text (§1.5) and the date/time text (§1.6).
#include <cmath>

#include "common/composer/composer_parts.hpp"
#include "common/composer/js_semantics.hpp"

namespace calllog::composer {

std::string duration_text(const rapidjson::Value* seconds) {
  const double s = js::to_number(seconds);
  if (std::isnan(s)) return js::to_string(seconds);  // isNaN(seconds): the value, unchanged
  // JS: Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60 (% is fmod).
  const double h = std::floor(s / 3600);
  const double m = std::floor(std::fmod(s, 3600) / 60);
  const double sec = std::fmod(s, 60);
  std::string out;
  auto part = [&](double v, const char* singular, const char* plural, bool singular_only_at_one) {
    if (!(v > 0)) return;
    if (!out.empty()) out += ", ";
    out += js::number_to_string(v);
    out += (singular_only_at_one ? v == 1 : !(v > 1)) ? singular : plural;
  };
  part(h, " hour", " hours", false);
  part(m, " minute", " minutes", false);
  part(sec, " second", " seconds", true);
  return out.empty() ? "0 seconds" : out;
}

timeutil::Moment start_moment(const rapidjson::Value* start_time) {
  if (start_time != nullptr && start_time->IsNumber()) return timeutil::moment_from_epoch_ms(start_time->GetDouble());
  if (start_time != nullptr && start_time->IsString())
    return timeutil::moment_from_string({start_time->GetString(), start_time->GetStringLength()});
  return {};
}

std::string call_date_text(const rapidjson::Value* start_time, const rapidjson::Value* timezone_offset,
                           std::string_view log_date_format) {
  timeutil::Moment m = start_moment(start_time);
  // App Connect's database returns the offset as a string, so a number counts as its decimal
  // text ("0" is truthy). Then: a string with ':' goes to utcOffset(string), else Number().
  const rapidjson::Value* tz = timezone_offset;
  if (tz != nullptr && tz->IsNumber()) {
    timeutil::utc_offset_number(m, tz->GetDouble());
  } else if (js::truthy(tz)) {
    if (tz->IsString()) {
      const std::string_view text{tz->GetString(), tz->GetStringLength()};
      if (text.find(':') != std::string_view::npos) timeutil::utc_offset_string(m, text);
      else timeutil::utc_offset_number(m, js::string_to_number(text));
    } else {
      timeutil::utc_offset_number(m, js::to_number(tz));
    }
  }
  return timeutil::format_moment(m, log_date_format.empty() ? "YYYY-MM-DD hh:mm:ss A" : log_date_format);
}

}  // namespace calllog::composer
