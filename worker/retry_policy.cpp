#include "worker/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace calllog {

std::chrono::milliseconds backoff_delay(int attempt, double base_s, double cap_s, double random01) {
  const double ceiling = std::min(cap_s, base_s * std::pow(2.0, std::max(0, attempt - 1)));
  return std::chrono::milliseconds(static_cast<long long>(ceiling * random01 * 1000.0));
}

RetryDecision decide_retry(const Failure& f, int prior_attempts, int prior_429s, const RetryPolicy& p,
                           double random01) {
  RetryDecision d;
  const auto hint = std::chrono::milliseconds(
      static_cast<long long>(std::max(0.0, f.retry_after_s.value_or(0.0)) * 1000.0));
  // A 429, or the pool's own limiter giving up on a long wait (code rate_limited).
  const bool rate_limited = f.http_status == 429 || f.code == "rate_limited";
  if (f.retryable && rate_limited && prior_429s < p.max_rate_limited) {
    // The CRM asked us to slow down: not the event's fault, so no attempt is spent.
    d.retry = true;
    d.rate_limited = true;
    d.counter_value = prior_429s + 1;
    d.attempts = prior_attempts;
    d.delay = std::max(hint, backoff_delay(1, p.base_s, p.cap_s, random01));
    return d;
  }
  d.attempts = prior_attempts + 1;
  if (f.retryable && d.attempts < p.max_attempts) {
    d.retry = true;
    d.counter_value = d.attempts;
    d.delay = std::max(hint, backoff_delay(d.attempts, p.base_s, p.cap_s, random01));
  }
  return d;
}

}  // namespace calllog
