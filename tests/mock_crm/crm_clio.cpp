// Clio's answers (golden/README.md "The mock's answers"), on *.clio.com:
//   POST /api/v4/communications.json  201 {"data":{"id","etag"}}, id from
//                                     clio/communication|CRED|data.received_at
//   POST /api/v4/activities.json      201 {"data":{"id","etag"}}, id from
//                                     clio/activity|CRED|data.communication.id
// Every answer carries x-ratelimit-{limit,remaining,reset} (reset: a Unix time). No
// Authorization → 401. A credential containing "mock-clio-limited" → 429 with
// x-ratelimit-remaining 0 and the reset 1 s ahead (Clio's own throttling answer, no Retry-After);
// "mock-once-timeEntry" / "mock-once-communication" fail that request once with 503 (fail_once).
#include <chrono>

#include "fail_once.hpp"
#include "mock.hpp"

namespace mock {
namespace {

constexpr const char* kHost = "*.clio.com";

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

MockResponse clio_json(int status, std::string body, int remaining = 49, int reset_in_s = 60) {
  return MockResponse::json(status, std::move(body))
      .with_header("x-ratelimit-limit", "50")
      .with_header("x-ratelimit-remaining", std::to_string(remaining))
      .with_header("x-ratelimit-reset", std::to_string(unix_now() + reset_in_s));
}

// The checks every Clio write goes through; nullopt when the request may be answered.
std::optional<MockResponse> refused(const MockRequest& req, std::string_view step) {
  auto cred = req.header("authorization");
  if (!cred)
    return clio_json(401, R"({"error":{"type":"AuthenticationError","message":"The access token is missing"}})");
  if (cred->find("mock-clio-limited") != std::string::npos)
    return clio_json(429, R"({"error":{"type":"RateLimited","message":"Rate limit exceeded"}})", 0, 1);
  if (auto once = fail_once(req, *cred, step)) return once;
  if (!req.json_ok || !req.json.IsObject())
    return clio_json(422, R"({"error":{"type":"ValidationError","message":"Invalid JSON"}})");
  return std::nullopt;
}

MockResponse created(uint64_t id) {
  const std::string ids = std::to_string(id);
  return clio_json(201, R"({"data":{"id":)" + ids + R"(,"etag":"\")" + ids + R"(-1\""}})");
}

MockResponse post_communication(const MockRequest& req) {
  if (auto no = refused(req, "communication")) return *no;
  return created(mock_id({"clio/communication", *req.header("authorization"),
                          js_string_at(req, {"data", "received_at"})}));
}

MockResponse post_activity(const MockRequest& req) {
  if (auto no = refused(req, "timeEntry")) return *no;
  return created(mock_id({"clio/activity", *req.header("authorization"),
                          js_string_at(req, {"data", "communication", "id"})}));
}

}  // namespace

void register_clio(Router& r) {
  r.add(kHost, "POST", "/api/v4/communications.json", post_communication);
  r.add(kHost, "POST", "/api/v4/activities.json", post_activity);
}

}  // namespace mock
