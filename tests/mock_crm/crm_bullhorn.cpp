// Bullhorn's answers (golden/README.md "The mock's answers"), on *.bullhornstaffing.com:
//   GET  /rest-services/{corp}/ping                    200 {"sessionExpires": now + 10 min (ms)}
//   PUT  /rest-services/{corp}/entity/Note             200 {"changedEntityType":"Note",
//                                                      "changedEntityId"…}, id from
//                                                      bullhorn/note|CRED|externalID
//   POST /rest-services/{corp}/entity/{type}/{id}      200 {"changedEntityType":type,
//                                                      "changedEntityId":<id>,"changeType":"UPDATE"}
//   POST /rest-services/login?version=2.0&access_token=T
//                                                      200 {"BhRestToken":"renewed-<T>",
//                                                      "restUrl":"https://<Host>/rest-services/renewed/"}
// CRED is BhRestToken. Every answer carries ratelimit-{limit,remaining,reset}; no BhRestToken
// (no access_token for login) → 401. Test markers in BhRestToken: "mock-bh-429" → 429 with the
// rate-limit headers exhausted; "mock-once[429]-{ping,note,comments}" → fail_once.hpp.
#include <chrono>

#include "common/json.hpp"
#include "fail_once.hpp"
#include "mock.hpp"

namespace mock {
namespace {

constexpr const char* kHost = "*.bullhornstaffing.com";

MockResponse bullhorn_json(int status, std::string body, std::string_view remaining = "1499") {
  return MockResponse::json(status, std::move(body))
      .with_header("ratelimit-limit", "1500")
      .with_header("ratelimit-remaining", std::string(remaining))
      .with_header("ratelimit-reset", "1");
}

MockResponse bullhorn_error(int status, std::string_view message, std::string_view key) {
  return bullhorn_json(status, R"({"errorMessage":)" + json_quote(message) +
                                   R"(,"errorMessageKey":)" + json_quote(key) +
                                   R"(,"errorCode":)" + std::to_string(status) + "}");
}

// The token check every REST route shares: missing → 401, the 429 marker → 429.
std::optional<MockResponse> token_problem(const MockRequest& req) {
  auto token = req.header("bhresttoken");
  if (!token) return bullhorn_error(401, "Bad 'BhRestToken' or timed-out.", "errors.authentication.invalidRestToken");
  if (token->find("mock-bh-429") != std::string::npos) {
    auto r = MockResponse::json(429, R"({"errorMessage":"Too many requests","errorCode":429})");
    return r.with_header("ratelimit-limit", "1500").with_header("ratelimit-remaining", "0").with_header("ratelimit-reset", "1");
  }
  return std::nullopt;
}

MockResponse ping(const MockRequest& req) {
  if (auto p = token_problem(req)) return *p;
  if (auto f = fail_once(req, *req.header("bhresttoken"), "ping")) return *f;
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  return bullhorn_json(200, R"({"sessionExpires":)" + std::to_string(now_ms + 10 * 60 * 1000) + "}");
}

MockResponse put_note(const MockRequest& req) {
  if (auto p = token_problem(req)) return *p;
  const std::string token = *req.header("bhresttoken");
  if (auto f = fail_once(req, token, "note")) return *f;
  if (!req.json_ok || !req.json.IsObject())
    return bullhorn_error(400, "Invalid JSON", "errors.invalidJson");
  const uint64_t id = mock_id({"bullhorn/note", token, js_string_at(req, {"externalID"})});
  return bullhorn_json(200, R"({"changedEntityType":"Note","changedEntityId":)" + std::to_string(id) +
                                R"(,"changeType":"INSERT","data":)" + calllog::json::to_string(req.json) + "}");
}

MockResponse post_comments(const MockRequest& req) {
  if (auto p = token_problem(req)) return *p;
  if (auto f = fail_once(req, *req.header("bhresttoken"), "comments")) return *f;
  const std::string& type = req.params.at("type");
  if (type != "ClientContact" && type != "Candidate" && type != "Lead")
    return bullhorn_error(400, "Invalid entity type", "errors.invalidEntity");
  const std::string& id = req.params.at("id");
  const bool numeric = !id.empty() && id.find_first_not_of("0123456789") == std::string::npos;
  return bullhorn_json(200, R"({"changedEntityType":)" + json_quote(type) + R"(,"changedEntityId":)" +
                                (numeric ? id : json_quote(id)) + R"(,"changeType":"UPDATE"})");
}

MockResponse login(const MockRequest& req) {
  auto it = req.query.find("access_token");
  if (it == req.query.end() || it->second.empty())
    return bullhorn_error(401, "Invalid access token", "errors.authentication.invalidAccessToken");
  return bullhorn_json(200, R"({"BhRestToken":)" + json_quote("renewed-" + it->second) +
                                R"(,"restUrl":)" + json_quote("https://" + req.host_header + "/rest-services/renewed/") + "}");
}

}  // namespace

void register_bullhorn(Router& r) {
  r.add(kHost, "POST", "/rest-services/login", login);
  r.add(kHost, "GET", "/rest-services/{corp}/ping", ping);
  r.add(kHost, "PUT", "/rest-services/{corp}/entity/Note", put_note);
  r.add(kHost, "POST", "/rest-services/{corp}/entity/{type}/{id}", post_comments);
}

}  // namespace mock
