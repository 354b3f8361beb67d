// Behaviours for the HTTPS client's own tests, on any host, selected by path:
//   /__ok                     200 {"ok":true}
//   /__hang                   read the request, never answer
//   /__big?bytes=N            200 with an N-byte body (default 10 MiB)
//   /__redirect               302 Location: https://<host>/__redirected
//   /__status?code=N&retry_after=S&limit=L&remaining=R&reset=T
//                             status N; Retry-After and x-ratelimit-* headers when given
//   /__close                  200, then the connection is closed (Connection: close)
//   /__arm_drop               200 (keep-alive); the next request on this connection is
//                             recorded and then the connection is dropped unanswered
// And, for every CRM route: an Authorization (or BhRestToken) containing "mock-status-NNN"
// is answered with status NNN (Retry-After: 1 for 429/503); "mock-post-status-NNN" does the
// same for non-GET requests only. Adapters' failure tests use this (see injected_status()).
#include <charconv>

#include "mock.hpp"

namespace mock {
namespace {

constexpr const char* kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"};

int query_int(const MockRequest& req, const std::string& key, int fallback) {
  auto it = req.query.find(key);
  if (it == req.query.end()) return fallback;
  int v = fallback;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  return v;
}

MockResponse status_answer(const MockRequest& req) {
  auto r = MockResponse::json(query_int(req, "code", 200), R"({"status":"as asked"})");
  for (auto [key, header] : {std::pair{"retry_after", "Retry-After"},
                             std::pair{"limit", "x-ratelimit-limit"},
                             std::pair{"remaining", "x-ratelimit-remaining"},
                             std::pair{"reset", "x-ratelimit-reset"}}) {
    if (auto it = req.query.find(key); it != req.query.end()) r.with_header(header, it->second);
  }
  return r;
}

MockResponse big_answer(const MockRequest& req) {
  MockResponse r;
  r.body.assign(static_cast<size_t>(query_int(req, "bytes", 10 * 1024 * 1024)), 'x');
  r.with_header("Content-Type", "application/octet-stream");
  return r;
}

int injected_code(const std::string& cred, std::string_view marker) {
  auto at = cred.find(marker);
  if (at == std::string::npos) return 0;
  int code = 0;
  auto digits = cred.data() + at + marker.size();
  std::from_chars(digits, cred.data() + cred.size(), code);
  return code >= 100 && code <= 599 ? code : 0;
}

}  // namespace

std::optional<MockResponse> injected_status(const MockRequest& req) {
  std::string cred = req.header("authorization").value_or("") + " " +
                     req.header("bhresttoken").value_or("");
  int code = injected_code(cred, "mock-status-");
  if (!code && req.method != "GET") code = injected_code(cred, "mock-post-status-");
  if (!code) return std::nullopt;
  auto r = MockResponse::json(code, R"({"success":false,"error":"injected by the mock","errorCode":)" +
                                        std::to_string(code) + "}");
  if (code == 429 || code == 503) r.with_header("Retry-After", "1");
  return r;
}

void register_test_behaviours(Router& r) {
  for (const char* m : kMethods) {
    r.add("", m, "/__ok", [](const MockRequest&) { return MockResponse::json(200, R"({"ok":true})"); });
    r.add("", m, "/__hang", [](const MockRequest&) {
      MockResponse h;
      h.hang = true;
      return h;
    });
    r.add("", m, "/__big", big_answer);
    r.add("", m, "/__status", status_answer);
    r.add("", m, "/__redirect", [](const MockRequest& req) {
      MockResponse red = MockResponse::json(302, R"({"moved":true})");
      return red.with_header("Location", "https://" + req.host_header + "/__redirected");
    });
    r.add("", m, "/__arm_drop", [](const MockRequest&) {
      MockResponse c = MockResponse::json(200, R"({"ok":true})");
      c.drop_next = true;
      return c;
    });
    r.add("", m, "/__close", [](const MockRequest&) {
      MockResponse c = MockResponse::json(200, R"({"ok":true})");
      c.close = true;
      return c;
    });
  }
}

}  // namespace mock
