#include "adapters/pipedrive/pipedrive_requests.hpp"

#include <cmath>

#include "adapters/appconnect/call_fields.hpp"
#include "adapters/appconnect/js_value.hpp"
#include "adapters/appconnect/json_object.hpp"
#include "adapters/appconnect/moment_time.hpp"
#include "common/json.hpp"

namespace calllog::pipedrive {
namespace {

using appconnect::js_truthy;

std::string pad2(double n) {
  std::string s = json::js_number(n);
  while (s.size() < 2) s.insert(s.begin(), '0');
  return s;
}

// Number(user.id.split('-')[0])
double owner_from_user_id(const rapidjson::Value& event) {
  const std::string id = json::js_string(json::find_path(event, {"user", "id"}));
  return appconnect::js_number_from_string(std::string_view(id).substr(0, id.find('-')));
}

// `additionalSubmission ? additionalSubmission[key] : ''`: nullptr stands for undefined;
// `empty` for the '' branch.
struct Submitted {
  const rapidjson::Value* value = nullptr;
  bool empty_string = false;
  bool truthy() const { return !empty_string && js_truthy(value); }
};
Submitted submitted(const rapidjson::Value& event, std::string_view key) {
  const auto* sub = json::find(event, "additionalSubmission");
  if (!js_truthy(sub)) return {nullptr, true};
  return {json::find(*sub, key), false};
}

}  // namespace

std::string base_url(const rapidjson::Value& event) {
  return "https://" + json::js_string(json::find_path(event, {"user", "hostname"}));
}

std::string person_path(const rapidjson::Value& event) {
  return "/api/v2/persons/" + json::js_string(json::find_path(event, {"contactInfo", "id"}));
}

std::string duration_text(const rapidjson::Value* duration) {
  if (!duration || !duration->IsNumber()) return "00:00";
  const double s = duration->GetDouble();
  const double hours = std::floor(s / 3600);
  const double minutes = std::floor(std::fmod(s, 3600) / 60) + 1;
  if (hours > 0) return pad2(hours) + ":" + pad2(minutes);
  return "00:" + pad2(minutes);
}

std::string activity_body(const rapidjson::Value& event, std::string_view note,
                          const rapidjson::Value* org_id, std::string_view activity_type,
                          int64_t now_ms) {
  appconnect::JsonObject body;

  const auto* assignee = appconnect::assignee_id(event);
  body.number("owner_id", assignee ? appconnect::js_to_number(assignee) : owner_from_user_id(event));

  if (const auto* custom = appconnect::custom_subject(event)) body.value("subject", *custom);
  else body.string("subject", appconnect::default_subject(event));

  body.string("duration", duration_text(json::find_path(event, {"callLog", "duration"})));

  const Submitted deal = submitted(event, "deals");
  if (deal.empty_string) body.string("deal_id", "");
  else if (deal.value) body.value("deal_id", *deal.value);

  body.string("note", note);
  body.boolean("done", true);

  const auto start = appconnect::moment_ms(json::find_path(event, {"callLog", "startTime"}), now_ms);
  body.string("due_date", start ? appconnect::utc_date(*start) : std::string(appconnect::kInvalidDate));
  body.string("due_time", start ? appconnect::utc_hhmm(*start) : std::string(appconnect::kInvalidDate));

  appconnect::JsonObject participant;
  participant.number("person_id",
                     appconnect::js_to_number(json::find_path(event, {"contactInfo", "id"})));
  participant.boolean("primary", true);
  body.raw("participants", "[" + participant.str() + "]");

  const Submitted lead = submitted(event, "leads");
  if (!deal.truthy() && lead.truthy()) body.value("lead_id", *lead.value);

  if (js_truthy(org_id)) body.value("org_id", *org_id);
  body.string("type", activity_type);
  return body.str();
}

}  // namespace calllog::pipedrive
