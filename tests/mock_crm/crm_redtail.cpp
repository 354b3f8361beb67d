// Redtail's answers (golden/README.md "The mock's answers"), on *.redtailtechnology.com under
// /api/public/v1:
//   POST /activities             201 {"activity":{"id",…}}, id from redtail/activity|CRED|start_date
//   POST /activities/{id}/notes  201 {"note":{"id",…}}
//   PUT  /activities/{id}        200 {"activity":{"id": <the path's id, a number>,"completed",…}}
//   GET  /lists/categories       200 {"categories":[…]}: ids 1–6, id 5 deleted
// No rate-limit headers. No Authorization → 401. Redtail's Authorization is base64 of
// "{api key}:{user key}", so the test markers are looked for in the decoded text:
// "mock-status-NNN" / "mock-post-status-NNN" (as crm_test_behaviours.cpp) and "mock-once-<step>"
// with step activity, note, completed or categories (fail_once).
#include <charconv>

#include "common/base64.hpp"
#include "common/json.hpp"
#include "fail_once.hpp"
#include "mock.hpp"

namespace mock {
namespace {

constexpr const char* kHost = "*.redtailtechnology.com";
constexpr const char* kBase = "/api/public/v1";

int marker_code(std::string_view cred, std::string_view marker) {
  auto at = cred.find(marker);
  if (at == std::string_view::npos) return 0;
  int code = 0;
  const char* digits = cred.data() + at + marker.size();
  std::from_chars(digits, cred.data() + cred.size(), code);
  return code >= 100 && code <= 599 ? code : 0;
}

std::optional<MockResponse> refused(const MockRequest& req, std::string_view step, bool needs_json) {
  auto cred = req.header("authorization");
  if (!cred) return MockResponse::json(401, R"({"error":"Unauthorized"})");
  const std::string decoded = calllog::base64_decode(*cred).value_or("");
  int code = marker_code(decoded, "mock-status-");
  if (!code && req.method != "GET") code = marker_code(decoded, "mock-post-status-");
  if (code) {
    auto r = MockResponse::json(code, R"({"error":"injected by the mock"})");
    if (code == 429 || code == 503) r.with_header("Retry-After", "1");
    return r;
  }
  if (auto once = fail_once(req, decoded, step)) return once;
  if (needs_json && (!req.json_ok || !req.json.IsObject()))
    return MockResponse::json(422, R"({"error":"Invalid JSON"})");
  return std::nullopt;
}

MockResponse post_activity(const MockRequest& req) {
  if (auto no = refused(req, "activity", true)) return *no;
  const uint64_t id = mock_id({"redtail/activity", *req.header("authorization"),
                               js_string_at(req, {"start_date"})});
  return MockResponse::json(201, R"({"activity":{"id":)" + std::to_string(id) +
                                     R"(,"subject":)" + json_quote(js_string_at(req, {"subject"})) +
                                     R"(,"completed":false}})");
}

MockResponse post_note(const MockRequest& req) {
  if (auto no = refused(req, "note", true)) return *no;
  const std::string& activity = req.params.at("id");
  const uint64_t id = mock_id({"redtail/note", *req.header("authorization"), activity});
  return MockResponse::json(201, R"({"note":{"id":)" + std::to_string(id) +
                                     R"(,"activity_id":)" + json_quote(activity) + "}}");
}

MockResponse put_activity(const MockRequest& req) {
  if (auto no = refused(req, "completed", true)) return *no;
  const std::string& id = req.params.at("id");
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
  if (ec != std::errc{} || p != id.data() + id.size())
    return MockResponse::json(404, R"({"error":"Activity not found"})");
  return MockResponse::json(200, R"({"activity":{"id":)" + std::to_string(n) +
                                     R"(,"completed":true}})");
}

MockResponse categories(const MockRequest& req) {
  if (auto no = refused(req, "categories", false)) return *no;
  std::string body = R"({"categories":[)";
  static const char* kNames[] = {"Client Service", "Prospecting", "Marketing", "Operations",
                                 "Retired", "Personal"};
  for (int i = 1; i <= 6; ++i) {
    if (i > 1) body += ',';
    body += R"({"id":)" + std::to_string(i) + R"(,"name":")" + kNames[i - 1] +
            R"(","deleted":)" + (i == 5 ? "true" : "false") + "}";
  }
  return MockResponse::json(200, body + "]}");
}

}  // namespace

void register_redtail(Router& r) {
  const std::string base = kBase;
  r.add(kHost, "POST", base + "/activities", post_activity);
  r.add(kHost, "POST", base + "/activities/{id}/notes", post_note);
  r.add(kHost, "PUT", base + "/activities/{id}", put_activity);
  r.add(kHost, "GET", base + "/lists/categories", categories);
}

}  // namespace mock
