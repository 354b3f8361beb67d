#pragma once
// A failure as the worker reports it in a reply's / dead letter's "error" object (CONTRACT §4).
#include <optional>
#include <string>

namespace calllog {

struct Failure {
  std::string code;                  // machine-readable: invalid_event, http_401, timeout, ...
  std::optional<int> http_status;    // the CRM's HTTP status, when there was one
  bool retryable = false;            // a transient failure (429, 5xx, timeout, connection)
  std::string detail;                // human-readable; never contains a credential
  std::optional<double> retry_after_s;  // the CRM's Retry-After / reset hint, seconds from now
};

inline Failure make_failure(std::string code, std::string detail, bool retryable = false,
                            std::optional<int> http_status = std::nullopt) {
  return Failure{std::move(code), http_status, retryable, std::move(detail), std::nullopt};
}

}  // namespace calllog
