#include "fail_once.hpp"

#include <set>
#include <string>

namespace mock {

std::optional<MockResponse> fail_once(const MockRequest& req, std::string_view cred,
                                      std::string_view step) {
  static std::set<std::string> failed;  // (credential, method, target) already failed once
  const bool rate_limited = cred.find("mock-once429-" + std::string(step)) != std::string_view::npos;
  if (!rate_limited && cred.find("mock-once-" + std::string(step)) == std::string_view::npos) return std::nullopt;
  std::string key = std::string(cred) + "|" + req.method + "|" + req.target;
  if (!failed.insert(std::move(key)).second) return std::nullopt;
  if (rate_limited) {
    return MockResponse::json(429, R"({"error":"rate limited once by the mock"})")
        .with_header("Retry-After", "1")
        .with_header("ratelimit-limit", "1500")
        .with_header("ratelimit-remaining", "0")
        .with_header("ratelimit-reset", "1");
  }
  return MockResponse::json(503, R"({"error":"failed once by the mock"})").with_header("Retry-After", "1");
}

}  // namespace mock
