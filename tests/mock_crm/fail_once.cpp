#include "fail_once.hpp"

#include <set>
#include <string>

namespace mock {

std::optional<MockResponse> fail_once(const MockRequest& req, std::string_view cred,
                                      std::string_view step) {
  static std::set<std::string> failed;  // (credential, method, target) already failed once
  const std::string marker = "mock-once-" + std::string(step);
  if (cred.find(marker) == std::string_view::npos) return std::nullopt;
  std::string key = std::string(cred) + "|" + req.method + "|" + req.target;
  if (!failed.insert(std::move(key)).second) return std::nullopt;
  return MockResponse::json(503, R"({"error":"failed once by the mock"})").with_header("Retry-After", "1");
}

}  // namespace mock
