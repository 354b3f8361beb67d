#include "common/event.hpp"

#include <fmt/format.h>

#include "common/json.hpp"

namespace calllog {
namespace {

std::optional<std::string> scalar_text(const rapidjson::Value* v) {
  if (!v) return std::nullopt;
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsNumber()) return json::js_string(v);
  return std::nullopt;
}

const char* type_name(const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "a boolean";
    case rapidjson::kObjectType: return "an object";
    case rapidjson::kArrayType: return "an array";
    case rapidjson::kStringType: return "a string";
    case rapidjson::kNumberType: return "a number";
  }
  return "?";
}

// Field checks: each returns an error detail or empty.
std::string need_object(const rapidjson::Value& parent, const char* key, const char* path) {
  const auto* v = json::find(parent, key);
  if (!v) return fmt::format("{} is required", path);
  if (!v->IsObject()) return fmt::format("{} must be an object, got {}", path, type_name(*v));
  return {};
}

std::string optional_of(const rapidjson::Value& parent, const char* key, const char* path,
                        bool allow_string, bool allow_number, bool allow_object = false) {
  const auto* v = json::find(parent, key);
  if (!v || v->IsNull()) return {};
  if ((allow_string && v->IsString()) || (allow_number && v->IsNumber()) ||
      (allow_object && v->IsObject()))
    return {};
  std::string want = allow_string && allow_number ? "a string or a number"
                     : allow_string               ? "a string"
                     : allow_number               ? "a number"
                                                  : "an object";
  return fmt::format("{} must be {}, got {}", path, want, type_name(*v));
}

std::string validate(const rapidjson::Value& d) {
  std::string e;
  const auto* id = json::find(d, "id");
  if (!id) return "id is required";
  if (!id->IsString() || id->GetStringLength() == 0) return "id must be a non-empty string";
  const auto* platform = json::find(d, "platform");
  if (!platform) return "platform is required";
  if (!platform->IsString()) return fmt::format("platform must be a string, got {}", type_name(*platform));
  if (!(e = need_object(d, "user", "user")).empty()) return e;
  const auto& user = d["user"];
  if (!(e = optional_of(user, "id", "user.id", true, true)).empty()) return e;
  if (!(e = optional_of(user, "hostname", "user.hostname", true, false)).empty()) return e;
  if (!(e = optional_of(user, "timezoneOffset", "user.timezoneOffset", true, true)).empty()) return e;
  if (!(e = optional_of(user, "userSettings", "user.userSettings", false, false, true)).empty()) return e;
  if (!(e = optional_of(user, "adminSettings", "user.adminSettings", false, false, true)).empty()) return e;
  if (!(e = optional_of(user, "platformAdditionalInfo", "user.platformAdditionalInfo", false, false, true)).empty()) return e;
  if (!(e = need_object(d, "contactInfo", "contactInfo")).empty()) return e;
  const auto& ci = d["contactInfo"];
  if (!(e = optional_of(ci, "id", "contactInfo.id", true, true)).empty()) return e;
  if (!(e = optional_of(ci, "type", "contactInfo.type", true, false)).empty()) return e;
  if (!(e = optional_of(ci, "phoneNumber", "contactInfo.phoneNumber", true, false)).empty()) return e;
  if (!(e = optional_of(ci, "name", "contactInfo.name", true, false)).empty()) return e;
  const auto* auth = json::find(d, "authHeader");
  if (!auth) return "authHeader is required";
  if (!auth->IsString()) return fmt::format("authHeader must be a string, got {}", type_name(*auth));
  if (!(e = need_object(d, "callLog", "callLog")).empty()) return e;
  const auto& cl = d["callLog"];
  const auto* sid = json::find(cl, "sessionId");
  if (!sid || sid->IsNull()) return "callLog.sessionId is required";
  if (!(sid->IsString() && sid->GetStringLength() > 0) && !sid->IsNumber())
    return fmt::format("callLog.sessionId must be a non-empty string or a number, got {}", type_name(*sid));
  if (!(e = optional_of(cl, "startTime", "callLog.startTime", true, true)).empty()) return e;
  if (!(e = optional_of(cl, "direction", "callLog.direction", true, false)).empty()) return e;
  if (!(e = optional_of(cl, "result", "callLog.result", true, false)).empty()) return e;
  if (!(e = optional_of(cl, "customSubject", "callLog.customSubject", true, false)).empty()) return e;
  if (!(e = optional_of(cl, "from", "callLog.from", false, false, true)).empty()) return e;
  if (!(e = optional_of(cl, "to", "callLog.to", false, false, true)).empty()) return e;
  if (!(e = optional_of(cl, "recording", "callLog.recording", false, false, true)).empty()) return e;
  if (const auto* legs = json::find(cl, "legs"); legs && !legs->IsNull()) {
    if (!legs->IsArray()) return fmt::format("callLog.legs must be an array, got {}", type_name(*legs));
    for (rapidjson::SizeType i = 0; i < legs->Size(); ++i) {
      const auto& leg = (*legs)[i];
      if (!leg.IsObject()) return fmt::format("callLog.legs[{}] must be an object", i);
      // App Connect throws a TypeError on a leg without from/to; we refuse it up front.
      for (const char* side : {"from", "to"}) {
        const auto* s = json::find(leg, side);
        if (!s || !s->IsObject()) return fmt::format("callLog.legs[{}].{} must be an object", i, side);
      }
    }
  }
  if (!(e = optional_of(d, "note", "note", true, false)).empty()) return e;
  if (!(e = optional_of(d, "aiNote", "aiNote", true, false)).empty()) return e;
  if (!(e = optional_of(d, "transcript", "transcript", true, false)).empty()) return e;
  if (!(e = optional_of(d, "additionalSubmission", "additionalSubmission", false, false, true)).empty()) return e;
  return {};
}

}  // namespace

std::string_view Event::auth_header() const {
  return json::string_at(json::find(doc, "authHeader")).value_or("");
}

ParsedEvent parse_event(std::string raw) {
  ParsedEvent out;
  if (raw.size() > kMaxEventBytes) {
    out.error = make_failure("invalid_event",
                             fmt::format("element is {} bytes, larger than the {} byte limit",
                                         raw.size(), kMaxEventBytes));
    return out;
  }
  if (auto bad = json::invalid_utf8_offset(raw); bad != std::string_view::npos) {
    out.error = make_failure("invalid_event",
                             fmt::format("element is not valid UTF-8 (byte offset {})", bad));
    return out;
  }
  auto ev = std::make_unique<Event>();
  if (auto err = json::parse_valid_utf8(ev->doc, raw); !err.empty()) {  // UTF-8 checked above
    out.error = make_failure("invalid_event", "element is not valid JSON: " + err);
    return out;
  }
  if (!ev->doc.IsObject()) {
    out.error = make_failure("invalid_event", std::string("element is JSON but not an object (") +
                                                  type_name(ev->doc) + ")");
    return out;
  }
  out.parsed_json_object = true;
  const auto& d = ev->doc;
  if (auto id = json::string_at(json::find(d, "id"))) out.id = std::string(*id);
  if (auto p = json::string_at(json::find(d, "platform"))) out.platform = std::string(*p);
  if (const auto* cl = json::find(d, "callLog")) out.session_id = scalar_text(json::find(*cl, "sessionId"));

  if (auto err = validate(d); !err.empty()) {
    out.error = make_failure("invalid_event", err);
    return out;
  }
  ev->id = *out.id;
  ev->platform = *out.platform;
  ev->session_id = *out.session_id;
  ev->raw = std::move(raw);
  out.event = std::move(ev);
  return out;
}

}  // namespace calllog
