#include "adapters/appconnect/call_fields.hpp"

#include "adapters/appconnect/js_value.hpp"
#include "common/json.hpp"

namespace calllog::appconnect {

std::string default_subject(const rapidjson::Value& event) {
  const auto* direction = json::find_path(event, {"callLog", "direction"});
  const auto* name = json::find_path(event, {"contactInfo", "name"});
  const bool outbound = direction && direction->IsString() &&
                        std::string_view(direction->GetString()) == "Outbound";
  std::string s = json::js_string(direction);
  s += outbound ? " Call to " : " Call from ";
  if (!js_nullish(name)) s += json::js_string(name);
  return s;
}

const rapidjson::Value* custom_subject(const rapidjson::Value& event) {
  const auto* v = json::find_path(event, {"callLog", "customSubject"});
  return js_nullish(v) ? nullptr : v;
}

const rapidjson::Value* assignee_id(const rapidjson::Value& event) {
  const auto* sub = json::find(event, "additionalSubmission");
  if (!sub || !js_truthy(json::find(*sub, "isAssignedToUser"))) return nullptr;
  const auto* id = json::find(*sub, "assigneeId");
  return js_truthy(id) ? id : nullptr;
}

}  // namespace calllog::appconnect
