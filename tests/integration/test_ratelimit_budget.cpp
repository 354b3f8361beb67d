// The shared rate budget: limiter instances with their own Redis connections (as separate
// workers) against the mock CRM's honest token bucket — no 429s, throughput near the bucket's
// rate; a throttled host does not slow another; a 429 with Retry-After pauses every instance.
#define BOOST_TEST_MODULE ratelimit_budget
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>

#include "adapters/appconnect/crm_failure.hpp"
#include "tests/integration/ratelimit_test_helpers.hpp"

using namespace calllog;
using namespace calllog::test;

namespace {

struct Pool {
  asio::io_context io;
  RedisServer redis;
  MockCrm mock{rl_pki().cert};
  std::vector<std::unique_ptr<RlWorker>> workers;
  explicit Pool(int n, ratelimit::Config cfg = {}) {
    for (int i = 0; i < n; ++i)
      workers.push_back(std::make_unique<RlWorker>(io, redis, mock.port(), "{calllog}", cfg));
  }
  std::string url(const std::string& host, const std::string& target) {
    return rl_url(host, mock.port(), target);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(two_instances_share_a_budget_without_429s_at_near_its_rate) {
  Pool pool(2);
  constexpr int kLimit = 40, kWindowMs = 2000, kRequests = 160;
  const std::string target = "/__rl/bucket?limit=" + std::to_string(kLimit) +
                             "&window_ms=" + std::to_string(kWindowMs);
  std::vector<RlJob> jobs;
  for (int i = 0; i < kRequests; ++i)
    jobs.push_back({&pool.workers[i % 2]->ctx, "pipedrive", pool.url("acme.pipedrive.com", target)});
  auto results = rl_run(pool.io, jobs);

  for (const auto& r : results) BOOST_TEST(r.status == 200, "failure " << r.failure << " status " << r.status);
  auto rep = rl_report(pool.io, pool.mock.port(), "acme.pipedrive.com");
  BOOST_TEST(rep.requests == static_cast<uint64_t>(kRequests));
  BOOST_TEST(rep.rejected == 0u);
  // A full bucket at the first arrival allows kLimit at once, then the refill rate.
  const double span_ms = rep.arrivals_ms.back() - rep.arrivals_ms.front();
  if (std::getenv("RL_DEBUG"))
    for (double a : rep.arrivals_ms) BOOST_TEST_MESSAGE("arrival " << a - rep.arrivals_ms.front());
  const double ideal_ms = static_cast<double>(kRequests - kLimit) * kWindowMs / kLimit;
  const double share = ideal_ms / span_ms;
  BOOST_TEST_MESSAGE("budget " << kLimit << "/" << kWindowMs << " ms, " << kRequests
                               << " requests from 2 instances: " << span_ms << " ms (ideal "
                               << ideal_ms << " ms), " << 100 * share << "% of the bucket's rate, "
                               << rep.rejected << " 429s");
  BOOST_TEST(share >= 0.85);
  BOOST_TEST(share <= 1.05);
  const auto& c = pool.workers[0]->limiter.counters("pipedrive", "acme.pipedrive.com");
  BOOST_TEST(c.requests == static_cast<uint64_t>(kRequests / 2));
  BOOST_TEST(c.waits > 0u);
  BOOST_TEST(c.too_many == 0u);
}

BOOST_AUTO_TEST_CASE(a_throttled_host_does_not_slow_another) {
  Pool pool(2);
  std::vector<RlJob> jobs;
  for (int i = 0; i < 12; ++i)
    jobs.push_back({&pool.workers[i % 2]->ctx, "pipedrive",
                    pool.url("acme.pipedrive.com", "/__rl/bucket?limit=5&window_ms=2000")});
  for (int i = 0; i < 100; ++i)
    jobs.push_back({&pool.workers[i % 2]->ctx, "pipedrive",
                    pool.url("globex.pipedrive.com", "/__rl/bucket?limit=100000&window_ms=1000")});
  auto results = rl_run(pool.io, jobs);
  double slow_last = 0, fast_last = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    BOOST_TEST(results[i].status == 200);
    (i < 12 ? slow_last : fast_last) = std::max(i < 12 ? slow_last : fast_last, results[i].done_ms);
  }
  BOOST_TEST_MESSAGE("throttled host done after " << slow_last << " ms, unlimited host after "
                                                  << fast_last << " ms");
  // 12 requests at 5 per 2 s: at least (12 - 5) / 2.5 s after the first; the other host is not held.
  BOOST_TEST(slow_last >= 2500);
  BOOST_TEST(fast_last < 1500);
  BOOST_TEST(rl_report(pool.io, pool.mock.port(), "acme.pipedrive.com").rejected == 0u);
}

BOOST_AUTO_TEST_CASE(a_429_with_retry_after_pauses_every_instance) {
  Pool pool(2);
  const std::string url = pool.url("api.na1.insightly.com", "/__rl/always429?retry_after=3");
  // First request: the CRM says 429, Retry-After 3.
  auto first = rl_run(pool.io, {{&pool.workers[0]->ctx, "insightly", url}});
  BOOST_TEST(first[0].status == 429);
  BOOST_TEST(first[0].retry_after == "3");
  // Then both instances try at once; nobody may reach the CRM for 3 s.
  std::vector<RlJob> jobs;
  for (int i = 0; i < 10; ++i) jobs.push_back({&pool.workers[i % 2]->ctx, "insightly", url});
  auto later = rl_run(pool.io, jobs);
  auto rep = rl_report(pool.io, pool.mock.port(), "api.na1.insightly.com");
  BOOST_TEST_REQUIRE(rep.arrivals_ms.size() == 11u);
  const double gap = rep.arrivals_ms[1] - rep.arrivals_ms[0];
  BOOST_TEST_MESSAGE("next request to the paused host after " << gap << " ms");
  BOOST_TEST(gap >= 2950);
  BOOST_TEST(gap < 4500);
  for (const auto& r : later) {
    BOOST_TEST(r.status == 429);
    // The answer's Retry-After is the later of the CRM's and the pool's pause (renewed by the
    // first of these 429s): at least the CRM's 3 s.
    BOOST_TEST(std::stoi(r.retry_after.empty() ? "0" : r.retry_after) >= 3);
  }
  // What the adapters build from such an answer: retryable, 429, the pause as retry_after_s.
  https::Response resp;
  resp.status = 429;
  resp.headers.emplace_back("retry-after", later[0].retry_after);
  auto f = appconnect::failure_from_response(resp, "Insightly", "POST /v3.1/events");
  BOOST_TEST(f.retryable);
  BOOST_TEST(*f.http_status == 429);
  BOOST_TEST(*f.retry_after_s >= 3);
  const auto& c0 = pool.workers[0]->limiter.counters("insightly", "api.na1.insightly.com");
  const auto& c1 = pool.workers[1]->limiter.counters("insightly", "api.na1.insightly.com");
  BOOST_TEST(c0.too_many + c1.too_many == 11u);
  BOOST_TEST(c0.waits + c1.waits >= 10u);
}

BOOST_AUTO_TEST_CASE(a_fixed_window_with_an_epoch_reset_is_shared_without_429s) {
  // Clio-style: X-RateLimit-Reset is the Unix time the window ends; 20 per 2 s windows.
  Pool pool(2);
  constexpr int kLimit = 20, kWindowMs = 2000, kRequests = 70;
  const std::string target = "/__rl/window?limit=" + std::to_string(kLimit) +
                             "&window_ms=" + std::to_string(kWindowMs);
  std::vector<RlJob> jobs;
  for (int i = 0; i < kRequests; ++i)
    jobs.push_back({&pool.workers[i % 2]->ctx, "clio", pool.url("acme.pipedrive.com", target)});
  auto results = rl_run(pool.io, jobs);
  for (const auto& r : results) BOOST_TEST(r.status == 200);
  auto rep = rl_report(pool.io, pool.mock.port(), "acme.pipedrive.com");
  const double span_ms = rep.arrivals_ms.back() - rep.arrivals_ms.front();
  // At best: the rest of the first window, then kLimit per window.
  const double windows_needed = std::ceil(static_cast<double>(kRequests) / kLimit) - 1;
  BOOST_TEST_MESSAGE("fixed window " << kLimit << "/" << kWindowMs << " ms, " << kRequests
                                     << " requests: " << span_ms << " ms, " << rep.rejected
                                     << " 429s (at least " << (windows_needed - 1) * kWindowMs
                                     << " ms, at most " << (windows_needed + 1) * kWindowMs
                                     << " ms when the budget is used)");
  BOOST_TEST(rep.rejected == 0u);
  BOOST_TEST(span_ms <= (windows_needed + 1.2) * kWindowMs);
}
