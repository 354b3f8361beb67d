// getLegsJourney / getLegPartyInfo (APPCONNECT.md §1.8).
#include "common/composer/composer_parts.hpp"
#include "common/composer/js_semantics.hpp"
#include "common/json.hpp"

namespace calllog::composer {
namespace {

// getLegPartyInfo(info); false when `info` is null/undefined (JavaScript: TypeError).
bool party_info(const rapidjson::Value* info, std::string& out) {
  if (info == nullptr || info->IsNull()) return false;
  const rapidjson::Value* phone = json::find(*info, "phoneNumber");
  const rapidjson::Value* ext = json::find(*info, "extensionNumber");
  if (!js::truthy(phone) && !js::truthy(ext)) return true;  // '' — the name is dropped too
  std::string number;
  if (js::truthy(phone) && js::truthy(ext)) number = js::to_string(phone) + ", ext " + js::to_string(ext);
  else if (js::truthy(phone)) number = js::to_string(phone);
  else number = "ext " + js::to_string(ext);
  const rapidjson::Value* name = json::find(*info, "name");
  if (js::truthy(name)) {
    js::append_string(out, name);
    out += ", ";
  }
  out += number;
  return true;
}

bool is_outbound(const rapidjson::Value& leg) {
  auto d = json::string_at(json::find(leg, "direction"));
  return d && *d == "Outbound";
}

}  // namespace

bool call_journey(const rapidjson::Value& legs, std::string& out, std::string& type_error) {
  if (!legs.IsArray()) {
    type_error = "callLog.legs is not an array (legs.map is not a function)";
    return false;
  }
  std::size_t index = 0;
  for (const auto& leg : legs.GetArray()) {
    if (index > 0) out += '\n';
    if (leg.IsNull()) {
      type_error = "callLog.legs[" + std::to_string(index) + "] is null";
      return false;
    }
    const char* side = nullptr;
    if (index == 0) {
      side = is_outbound(leg) ? "from" : "to";
      out += is_outbound(leg) ? "Made call from " : "Received call at ";
    } else {
      side = "to";
      if (is_outbound(leg)) {
        auto type = json::string_at(json::find(leg, "legType"));
        side = (type && *type == "PstnToSip") ? "to" : "from";
      }
      out += "Transferred to ";
    }
    if (!party_info(json::find(leg, side), out)) {
      type_error = "callLog.legs[" + std::to_string(index) + "]." + side + " is missing";
      return false;
    }
    if (index > 0) {
      const rapidjson::Value* duration = json::find(leg, "duration");
      out += ", duration: ";
      js::append_string(out, duration);
      out += js::to_number(duration) > 1 ? " seconds" : " second";  // `leg.duration > 1`
    }
    ++index;
  }
  return true;
}

}  // namespace calllog::composer
