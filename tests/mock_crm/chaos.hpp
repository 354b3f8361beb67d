#pragma once
// Chaos mode of the mock CRM (issue 6 "5xx storm"): a seeded random share of CRM requests is
// answered 500/502/503 without any side effect, another share has its connection reset after the
// request was read and handled (the CRM did the work; the client never hears of it), and every
// answer may wait a random extra latency. Test paths ("/__…") are never touched.
//   --chaos-5xx P          share of requests answered 500, 502 or 503 (equally likely)
//   --chaos-reset P        share of requests whose connection is reset instead of answered
//   --latency-jitter-ms N  extra latency, uniform in 0..N ms, on every answer (and reset)
//   --seed S               seed of the random choices (default: random)
// The record file marks chaos requests with "chaos":"500" | "502" | "503" | "reset".
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "mock.hpp"

namespace mock {

struct ChaosOptions {
  double fail_5xx = 0;                 // 0..1
  double reset = 0;                    // 0..1
  std::chrono::milliseconds jitter{0};
  std::optional<uint64_t> seed;
};

struct ChaosChoice {
  int status = 0;                      // 500/502/503: answer this, without routing
  bool reset = false;                  // route (side effect), then reset the connection
  std::chrono::milliseconds extra_latency{0};
  // The record file's "chaos" value; empty when the request is served normally.
  std::string label() const;
};

class Chaos {
 public:
  explicit Chaos(ChaosOptions opts);
  bool active() const;
  ChaosChoice choose(const MockRequest& req);
  // The answer a chaos status gets (a JSON error body, like a gateway's).
  static MockResponse failure_answer(int status);

 private:
  ChaosOptions opts_;
  std::mt19937_64 rng_;
};

}  // namespace mock
