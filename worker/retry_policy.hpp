#pragma once
// When and whether a failed event is tried again (issue 6): exponential backoff with full jitter,
// never earlier than the CRM's Retry-After / reset hint; 429s are bounded separately and do not
// spend --max-attempts.
#include <chrono>
#include <string>

#include "common/failure.hpp"

namespace calllog {

struct RetryPolicy {
  int max_attempts = 8;
  int max_rate_limited = 50;    // 429 answers tolerated before the event is dead-lettered
  double base_s = 1.0;
  double cap_s = 600.0;
};

struct RetryDecision {
  bool retry = false;
  bool rate_limited = false;             // counts against max_rate_limited, not max_attempts
  int counter_value = 0;                 // the counter to store (attempts, or 429s)
  std::chrono::milliseconds delay{0};
  int attempts = 1;                      // attempts spent so far, for the reply
};

// Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]; `random01` in [0, 1).
std::chrono::milliseconds backoff_delay(int attempt, double base_s, double cap_s, double random01);

// `prior_attempts` / `prior_429s`: counters before this try.
RetryDecision decide_retry(const Failure& f, int prior_attempts, int prior_429s, const RetryPolicy& p,
                           double random01);

}  // namespace calllog
