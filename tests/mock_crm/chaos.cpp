// Chaos mode of the mock CRM: seeded random 5xx answers, connection resets, latency jitter.
#include "chaos.hpp"

namespace mock {

std::string ChaosChoice::label() const {
  if (reset) return "reset";
  if (status) return std::to_string(status);
  return {};
}

Chaos::Chaos(ChaosOptions opts)
    : opts_(opts), rng_(opts.seed ? *opts.seed : std::random_device{}()) {}

bool Chaos::active() const { return opts_.fail_5xx > 0 || opts_.reset > 0 || opts_.jitter.count() > 0; }

ChaosChoice Chaos::choose(const MockRequest& req) {
  ChaosChoice c;
  if (!active() || req.path.rfind("/__", 0) == 0) return c;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double roll = unit(rng_);
  if (roll < opts_.reset) {
    c.reset = true;
  } else if (roll < opts_.reset + opts_.fail_5xx) {
    static constexpr int kStatuses[] = {500, 502, 503};
    c.status = kStatuses[std::uniform_int_distribution<int>(0, 2)(rng_)];
  }
  if (opts_.jitter.count() > 0)
    c.extra_latency = std::chrono::milliseconds(
        std::uniform_int_distribution<long long>(0, opts_.jitter.count())(rng_));
  return c;
}

MockResponse Chaos::failure_answer(int status) {
  const char* text = status == 500 ? "Internal Server Error" : status == 502 ? "Bad Gateway" : "Service Unavailable";
  return MockResponse::json(status, std::string(R"({"success":false,"error":")") + text +
                                        R"(","errorCode":)" + std::to_string(status) + "}");
}

}  // namespace mock
