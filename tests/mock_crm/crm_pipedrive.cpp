// Pipedrive's answers (golden/README.md "The mock's answers"), on *.pipedrive.com:
//   GET  /api/v2/persons/{id}   200 {"success":true,"data":{"id",…,"org_id"}}; org_id null when
//                               id % 7 == 0, else 1000 + id % 50; a non-numeric id → 404
//   POST /api/v2/activities     200 {"success":true,"data":{"id",…the posted fields}}, id from
//                               pipedrive/activity|CRED|due_date|due_time|participants[0].person_id
//   GET  /v1/activityTypes      Call, Meeting, Task, Deadline, Email, Lunch — all active
// Every answer carries x-ratelimit-{limit,remaining,reset}; no Authorization → 401.
#include <charconv>

#include "common/json.hpp"
#include "mock.hpp"

namespace mock {
namespace {

constexpr const char* kHost = "*.pipedrive.com";

MockResponse pipedrive_json(int status, std::string body) {
  return MockResponse::json(status, std::move(body))
      .with_header("x-ratelimit-limit", "80")
      .with_header("x-ratelimit-remaining", "79")
      .with_header("x-ratelimit-reset", "2");
}

MockResponse unauthorized() {
  return pipedrive_json(401,
                        R"({"success":false,"error":"unauthorized access","errorCode":401,)"
                        R"("error_info":"Please check developers.pipedrive.com for more information about Pipedrive API."})");
}

std::optional<uint64_t> numeric_id(const std::string& s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

MockResponse get_person(const MockRequest& req) {
  if (!req.header("authorization")) return unauthorized();
  auto id = numeric_id(req.params.at("id"));
  if (!id)
    return pipedrive_json(404, R"({"success":false,"error":"Person not found","errorCode":404})");
  std::string org = *id % 7 == 0 ? "null" : std::to_string(1000 + *id % 50);
  std::string ids = std::to_string(*id);
  return pipedrive_json(
      200, R"({"success":true,"data":{"id":)" + ids + R"(,"name":"Person )" + ids +
               R"(","owner_id":1,"org_id":)" + org +
               R"(,"phones":[],"emails":[],"visible_to":3,"add_time":"2024-01-01T00:00:00Z"}})");
}

std::string first_participant(const MockRequest& req) {
  auto* parts = calllog::json::find(req.json, "participants");
  if (!parts || !parts->IsArray() || parts->Empty()) return "undefined";
  return calllog::json::js_string(calllog::json::find((*parts)[0], "person_id"));
}

MockResponse post_activity(const MockRequest& req) {
  auto cred = req.header("authorization");
  if (!cred) return unauthorized();
  if (!req.json_ok || !req.json.IsObject())
    return pipedrive_json(400, R"({"success":false,"error":"Invalid JSON body","errorCode":400})");
  uint64_t id = mock_id({"pipedrive/activity", *cred, js_string_at(req, {"due_date"}),
                         js_string_at(req, {"due_time"}), first_participant(req)});
  rapidjson::Document out;
  out.SetObject();
  auto& a = out.GetAllocator();
  rapidjson::Value data(rapidjson::kObjectType);
  data.AddMember("id", rapidjson::Value(id), a);
  for (const auto& m : req.json.GetObject())
    if (m.name != "id") data.AddMember(rapidjson::Value(m.name, a), rapidjson::Value(m.value, a), a);
  out.AddMember("success", true, a);
  out.AddMember("data", data, a);
  return pipedrive_json(200, calllog::json::to_string(out));
}

MockResponse activity_types(const MockRequest& req) {
  if (!req.header("authorization")) return unauthorized();
  static const std::pair<const char*, const char*> kTypes[] = {
      {"Call", "call"},       {"Meeting", "meeting"}, {"Task", "task"},
      {"Deadline", "deadline"}, {"Email", "email"},   {"Lunch", "lunch"}};
  std::string body = R"({"success":true,"data":[)";
  int n = 0;
  for (auto [name, key] : kTypes) {
    ++n;
    if (n > 1) body += ',';
    body += R"({"id":)" + std::to_string(n) + R"(,"order_nr":)" + std::to_string(n) +
            R"(,"name":")" + name + R"(","key_string":")" + key + R"(","icon_key":")" + key +
            R"(","active_flag":true,"color":null,"is_custom_flag":false})";
  }
  body += "]}";
  return pipedrive_json(200, body);
}

}  // namespace

void register_pipedrive(Router& r) {
  r.add(kHost, "GET", "/api/v2/persons/{id}", get_person);
  r.add(kHost, "POST", "/api/v2/activities", post_activity);
  r.add(kHost, "GET", "/v1/activityTypes", activity_types);
}

}  // namespace mock
