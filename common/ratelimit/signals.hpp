#pragma once
// What one CRM response says about the rate limit: the budget headers (x-ratelimit-* or
// ratelimit-*), Retry-After, a daily budget, and whether the CRM refused the request for rate
// (429) or for concurrency (NetSuite's 400 SSS_REQUEST_LIMIT_EXCEEDED). Pure parsing, no I/O.
#include <chrono>
#include <optional>
#include <string_view>

#include "common/https/https_client.hpp"
#include "common/ratelimit/policy.hpp"

namespace calllog::ratelimit {

struct Signals {
  std::optional<double> limit;          // requests per window
  std::optional<double> remaining;      // requests left in this window
  std::optional<double> reset_s;        // seconds from now until the window refills
  std::optional<double> retry_after_s;  // Retry-After, seconds from now
  std::optional<double> daily_left;     // Pipedrive x-daily-requests-left
  bool too_many = false;                // HTTP 429: refused for rate
  bool concurrency_refused = false;     // refused for too many concurrent requests

  bool has_budget() const { return limit.has_value() && remaining.has_value(); }
};

// A decimal number of seconds ("12", "1.5"); nullopt for anything else.
std::optional<double> parse_number(std::string_view s);
// An HTTP date (IMF-fixdate, RFC 850, asctime) as Unix seconds.
std::optional<double> parse_http_date(std::string_view s);
// A reset value as seconds from now: `kind` seconds, epoch, or auto (> 10^9 is an epoch).
std::optional<double> reset_seconds(std::string_view value, ResetKind kind, double now_unix_s);
// Retry-After as seconds from now: delta seconds or an HTTP date.
std::optional<double> retry_after_seconds(std::string_view value, double now_unix_s);

Signals read_signals(const Policy& policy, const https::Response& r,
                     std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace calllog::ratelimit
