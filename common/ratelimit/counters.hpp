#pragma once
// Per (platform, host) rate-limit counts for the metrics endpoint. The limiter lives on one io
// thread, so plain integers suffice; read them from that thread.
#include <cstdint>

namespace calllog::ratelimit {

struct Counters {
  uint64_t requests = 0;             // requests let through
  uint64_t waits = 0;                // requests that had to wait before going
  uint64_t wait_ms = 0;              // total time those waited
  uint64_t too_many = 0;             // 429 answers received
  uint64_t concurrency_refused = 0;  // NetSuite-style "too many concurrent" answers
  uint64_t gave_up = 0;              // requests not sent: the wait exceeded Config::max_total_wait
  bool throttled = false;            // currently waiting (logged at info on each change)
};

}  // namespace calllog::ratelimit
