#include "adapters/netsuite/netsuite_requests.hpp"

#include <cmath>

#include "adapters/appconnect/call_fields.hpp"
#include "adapters/appconnect/js_value.hpp"
#include "adapters/appconnect/json_object.hpp"
#include "common/composer/composer.hpp"
#include "common/composer/composer_parts.hpp"
#include "common/composer/js_semantics.hpp"
#include "common/json.hpp"
#include "common/time/moment.hpp"

namespace calllog::netsuite {
namespace {

using appconnect::JsonObject;
using rapidjson::Value;

constexpr std::size_t kMessageLimit = 3400;  // UTF-16 units

const Value* contact_field(const Value& event, std::string_view key) {
  return json::find_path(event, {"contactInfo", key});
}

// core's contactInfo.type = contactType ?? "".
std::string contact_type(const Value& event) {
  const Value* t = contact_field(event, "type");
  return appconnect::js_nullish(t) ? std::string() : json::js_string(t);
}

// core's contact number (APPCONNECT.md §2.2 step 4): from.phoneNumber when Inbound, else to's.
const Value* contact_number(const Value& event) {
  const Value* direction = json::find_path(event, {"callLog", "direction"});
  const bool inbound = direction && direction->IsString() && std::string_view(direction->GetString()) == "Inbound";
  return json::find_path(event, {"callLog", inbound ? "from" : "to", "phoneNumber"});
}

timeutil::Moment in_zone(double epoch_ms, const timeutil::TimeZone& zone) {
  return timeutil::to_zone(timeutil::moment_from_epoch_ms(epoch_ms), zone);
}

// moment(callLog.startTime) (now when absent), through toISOString() and back: an invalid date
// stays invalid.
timeutil::Moment start_of(const Value& event, double now_ms) {
  const Value* start = json::find_path(event, {"callLog", "startTime"});
  if (!start) return timeutil::moment_from_epoch_ms(now_ms);
  return composer::start_moment(start);
}

// moment.add(duration, 'seconds'): 'pending' adds nothing; otherwise +duration (null → 0,
// numeric strings as numbers), whole milliseconds as Date.setTime keeps them.
double duration_ms(const Value& event) {
  const Value* d = json::find_path(event, {"callLog", "duration"});
  if (d && d->IsString() && std::string_view(d->GetString()) == "pending") return 0;
  const double s = d ? appconnect::js_to_number(d) : 0;
  return std::isfinite(s) ? std::trunc(s * 1000) : 0;
}

// {"id":<id>} for an already-serialized id.
std::string id_object(std::string_view id_json) {
  std::string o = "{\"id\":";
  o += id_json;
  o += '}';
  return o;
}

}  // namespace

std::optional<Hosts> hosts_from(const Value& event) {
  auto hostname = json::string_at(json::find_path(event, {"user", "hostname"}));
  if (!hostname || hostname->empty()) return std::nullopt;
  // hostname.split(".")[0], keeping any :port of the whole name on the derived hosts.
  std::string_view name = *hostname;
  std::string port;
  if (auto colon = name.rfind(':'); colon != std::string_view::npos) {
    port = std::string(name.substr(colon));
    name = name.substr(0, colon);
  }
  const std::string acct(name.substr(0, name.find('.')));
  if (acct.empty()) return std::nullopt;
  return Hosts{"https://" + acct + ".restlets.api.netsuite.com" + port + "/app/site/hosting/restlet.nl",
               "https://" + acct + ".suitetalk.api.netsuite.com" + port + "/services/rest"};
}

std::string restlet_url(const Hosts& h, std::string_view name) {
  std::string url = h.restlet;
  url += "?script=customscript_";
  url += name;
  url += "&deploy=customdeploy_";
  url += name;
  return url;
}

CallTimes call_times(const Value& event, const timeutil::TimeZone& zone, double now_ms) {
  timeutil::Moment start = start_of(event, now_ms);
  if (!start.valid) {
    const std::string invalid = timeutil::format_moment(start, "YYYY-MM-DD");  // "Invalid date"
    return CallTimes{invalid, invalid, invalid, invalid};
  }
  const double start_ms = start.value_of();
  start = in_zone(start_ms, zone);
  double end_ms = start_ms + duration_ms(event);
  CallTimes t;
  t.start_date = timeutil::format_moment(start, "YYYY-MM-DD");
  t.start_time = timeutil::format_moment(start, "HH:mm");
  t.end_time = timeutil::format_moment(in_zone(end_ms, zone), "HH:mm");
  if (t.end_time == t.start_time) {  // endTime may not equal startTime: one minute more
    end_ms += 60 * 1000;
    t.end_time = timeutil::format_moment(in_zone(end_ms, zone), "HH:mm");
  }
  t.completed_date = timeutil::format_moment(in_zone(end_ms, zone), "YYYY-MM-DD");
  return t;
}

bool transcript_truncated(const Value& event) {
  if (!appconnect::js_truthy(json::find(event, "transcript"))) return false;
  return js::utf16_length(compose_call_log(event, LogFormat::plain)) > kMessageLimit;
}

std::string title_json(const Value& event) {
  if (const Value* custom = appconnect::custom_subject(event)) return appconnect::js_json(*custom);
  return json::quoted(appconnect::default_subject(event));
}

std::string phonecall_body(const Value& event, const CallTimes& t, std::string_view message, bool with_contact,
                           std::string_view company_id_json) {
  JsonObject body;
  body.raw("title", title_json(event));
  const Value* phone = contact_number(event);
  if (appconnect::js_truthy(phone)) body.value("phone", *phone);
  else body.string("phone", "");
  body.string("priority", "MEDIUM");
  body.string("status", "COMPLETE");
  body.string("startDate", t.start_date);
  body.string("startTime", t.start_time);
  body.string("endTime", t.end_time);
  body.boolean("timedEvent", true);
  body.string("message", message);
  body.string("completedDate", t.completed_date);
  if (with_contact) {
    JsonObject contact;
    if (const Value* id = contact_field(event, "id")) contact.value("id", *id);
    body.raw("contact", contact.str());
  }
  if (!company_id_json.empty()) body.raw("company", id_object(company_id_json));
  const Value* sub = json::find(event, "additionalSubmission");
  const Value* salesorder = sub ? json::find(*sub, "salesorder") : nullptr;
  const Value* opportunity = sub ? json::find(*sub, "opportunity") : nullptr;
  if (appconnect::js_truthy(salesorder) || appconnect::js_truthy(opportunity)) {
    const bool is_order = appconnect::js_truthy(salesorder);
    JsonObject tx;
    tx.number("id", appconnect::js_to_number(is_order ? salesorder : opportunity));
    tx.string("type", is_order ? "salesorder" : "opportunity");
    body.raw("transaction", tx.str());
  }
  return body.str();
}

std::string placeholder_query_body() {
  JsonObject q;
  q.string("q", "SELECT * FROM customer WHERE companyName = '" + std::string(kPlaceholderCompany) + "'");
  return q.str();
}

std::string placeholder_customer_body(const Value& event) {
  JsonObject body;
  body.string("companyName", kPlaceholderCompany);
  body.string("comments",
              "This company was created automatically by the RingCentral App Connect. Feel free to edit, or "
              "associate this company's contacts to more appropriate records.");
  const Value* one_world = json::find_path(event, {"user", "platformAdditionalInfo", "oneWorldEnabled"});
  if (one_world && one_world->IsBool() && one_world->GetBool()) {
    JsonObject subsidiary;
    if (const Value* id = json::find_path(event, {"user", "platformAdditionalInfo", "subsidiaryId"}))
      subsidiary.value("id", *id);
    body.raw("subsidiary", subsidiary.str());
  }
  return body.str();
}

std::string company_patch_body(std::string_view company_id_json) {
  return "{\"company\":" + id_object(company_id_json) + "}";
}

bool is_contact(const Value& event) {
  std::string type = contact_type(event);
  for (char& c : type)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return type == "CONTACT";
}

bool is_company_type(const Value& event) {
  const Value* t = contact_field(event, "type");
  if (!t || !t->IsString()) return false;
  const std::string_view type(t->GetString(), t->GetStringLength());
  return type == "custjob" || type == "vendor";
}

std::string id_from_location(std::string_view location) {
  while (!location.empty() && location.back() == '/') location.remove_suffix(1);
  auto slash = location.rfind('/');
  return std::string(slash == std::string_view::npos ? location : location.substr(slash + 1));
}

std::string failure_message(std::string_view response_body) {
  std::string message;
  rapidjson::Document doc;
  if (json::parse(doc, response_body).empty()) {
    const Value* details = json::find(doc, "o:errorDetails");
    if (details && details->IsArray()) {
      for (const auto& d : details->GetArray()) {
        if (!message.empty()) message += ' ';
        message += json::js_string(json::find(d, "detail"));
      }
    }
  }
  const auto first = message.find_first_not_of(" \t\n\r");
  message = first == std::string::npos ? std::string() : message.substr(first, message.find_last_not_of(" \t\n\r") - first + 1);
  if (message.empty()) message = "Error logging call";
  if (message.find("'Subsidiary' was not found.") != std::string::npos)
    message += " OR Permission violation: You need the 'Lists -> Subsidiaries -> View' permission to access this page. ";
  if (message.find("Invalid value for the resource or sub-resource field 'company'") != std::string::npos)
    message = "No company is associated with this contact. Log in to NetSuite and link the contact to a company.";
  return message;
}

std::string failure_return_message(std::string_view message) {
  JsonObject item;
  item.string("id", "1");
  item.string("type", "text");
  item.string("text",
              "There was an error in creating an activity entry for this phone call in NetSuite. If issues "
              "persist, please contact your NetSuite administrator.");
  JsonObject detail;
  detail.string("title", "Details");
  detail.raw("items", "[" + item.str() + "]");
  JsonObject r;
  r.string("messageType", "warning");
  r.string("message", message);
  r.raw("details", "[" + detail.str() + "]");
  r.integer("ttl", 60000);
  return r.str();
}

}  // namespace calllog::netsuite
