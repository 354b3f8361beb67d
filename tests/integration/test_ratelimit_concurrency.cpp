// The pool-wide concurrency cap per account (NetSuite-style) across limiter instances with their
// own Redis connections; a dead holder's lease lapses; an unknown host starts with a few requests
// in flight and opens up. The mock answers every request 100 ms after it arrives, so requests in
// flight at any moment are the arrivals of the last 100 ms.
#define BOOST_TEST_MODULE ratelimit_concurrency
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "tests/integration/ratelimit_test_helpers.hpp"

using namespace calllog;
using namespace calllog::test;

namespace {

constexpr int kHoldMs = 100;

MockCrmOptions with_latency(int ms) {
  MockCrmOptions o;
  o.latency_ms = ms;
  return o;
}

struct Pool {
  asio::io_context io;
  RedisServer redis;
  MockCrm mock{rl_pki().cert, with_latency(kHoldMs)};
  std::vector<std::unique_ptr<RlWorker>> workers;
  ratelimit::Config cfg;
  explicit Pool(int n, ratelimit::Config c) : cfg(std::move(c)) {
    for (int i = 0; i < n; ++i) add_worker();
  }
  void add_worker() {
    workers.push_back(std::make_unique<RlWorker>(io, redis, mock.port(), "{calllog}", cfg));
  }
  std::string url(const std::string& host, const std::string& target) {
    return rl_url(host, mock.port(), target);
  }
};

ratelimit::Config netsuite_cap(int cap) {
  ratelimit::Config c;
  c.caps["netsuite"] = cap;
  return c;
}

// The most arrivals within any window of `hold_ms` (= requests in flight at once).
size_t max_in_window(std::vector<double> arrivals, double hold_ms) {
  std::sort(arrivals.begin(), arrivals.end());
  size_t best = 0, lo = 0;
  for (size_t hi = 0; hi < arrivals.size(); ++hi) {
    while (arrivals[lo] <= arrivals[hi] - hold_ms) ++lo;
    best = std::max(best, hi - lo + 1);
  }
  return best;
}

const std::string kRestlets = "1234567.restlets.api.netsuite.com";
const std::string kSuiteTalk = "1234567.suitetalk.api.netsuite.com";

}  // namespace

BOOST_AUTO_TEST_CASE(a_cap_of_four_holds_across_three_instances_and_both_hosts_of_the_account) {
  Pool pool(3, netsuite_cap(4));
  const std::string target = "/__rl/concurrent?hold_ms=" + std::to_string(kHoldMs) + "&cap=4";
  std::vector<RlJob> jobs;
  for (int i = 0; i < 60; ++i)
    jobs.push_back({&pool.workers[i % 3]->ctx, "netsuite",
                    pool.url(i % 2 ? kRestlets : kSuiteTalk, target)});
  const auto started = Clock::now();
  auto results = rl_run(pool.io, jobs);
  const double took_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  for (const auto& r : results) BOOST_TEST(r.status == 200, "failure " << r.failure << " status " << r.status);
  auto a = rl_report(pool.io, pool.mock.port(), kRestlets);
  auto b = rl_report(pool.io, pool.mock.port(), kSuiteTalk);
  std::vector<double> all = a.arrivals_ms;
  all.insert(all.end(), b.arrivals_ms.begin(), b.arrivals_ms.end());
  const size_t peak = max_in_window(all, kHoldMs);
  BOOST_TEST_MESSAGE("60 requests, cap 4, 3 instances: peak in flight " << peak << ", " << took_ms
                                                                       << " ms (ideal "
                                                                       << 60 / 4 * kHoldMs << " ms)");
  BOOST_TEST(all.size() == 60u);
  BOOST_TEST(a.rejected + b.rejected == 0u);
  BOOST_TEST(peak <= 4u);
  BOOST_TEST(peak >= 3u);  // and the cap is used
  BOOST_TEST(took_ms < 60 / 4 * kHoldMs * 2.5);
}

BOOST_AUTO_TEST_CASE(a_dead_holders_leases_lapse) {
  ratelimit::Config cfg = netsuite_cap(4);
  cfg.lease = std::chrono::milliseconds(1500);
  Pool pool(1, cfg);
  const std::string url = pool.url(kRestlets, "/__rl/concurrent?hold_ms=100");
  rl_run(pool.io, std::vector<RlJob>(4, RlJob{&pool.workers[0]->ctx, "netsuite", url}));  // learn the host

  // A second worker takes every lease, then dies without giving them back.
  pool.add_worker();
  auto& doomed = pool.workers.back()->limiter;
  for (int i = 0; i < 4; ++i) {
    auto permit = rl_await(pool.io, doomed.acquire("netsuite", kRestlets));
    BOOST_TEST_REQUIRE(!permit.failure);
    BOOST_TEST(!permit.lease_id.empty());
  }
  const auto died = Clock::now();
  pool.workers.pop_back();

  auto results = rl_run(pool.io, std::vector<RlJob>(4, RlJob{&pool.workers[0]->ctx, "netsuite", url}));
  const double after_ms = std::chrono::duration<double, std::milli>(Clock::now() - died).count();
  BOOST_TEST_MESSAGE("with 4 leases of a dead worker held, the next requests finished after "
                     << after_ms << " ms (lease 1500 ms)");
  for (const auto& r : results) BOOST_TEST(r.status == 200);
  BOOST_TEST(after_ms >= 1400);
  BOOST_TEST(after_ms < 3000);
}

BOOST_AUTO_TEST_CASE(an_unknown_host_starts_with_a_few_in_flight_then_opens_up) {
  Pool pool(2, ratelimit::Config{});
  const std::string url = pool.url("api.na1.insightly.com", "/__rl/concurrent?hold_ms=100");
  std::vector<RlJob> jobs;
  for (int i = 0; i < 40; ++i) jobs.push_back({&pool.workers[i % 2]->ctx, "insightly", url});
  auto results = rl_run(pool.io, jobs);
  for (const auto& r : results) BOOST_TEST(r.status == 200);
  auto rep = rl_report(pool.io, pool.mock.port(), "api.na1.insightly.com");
  BOOST_TEST_REQUIRE(rep.arrivals_ms.size() == 40u);
  std::vector<double> arrivals = rep.arrivals_ms;
  std::sort(arrivals.begin(), arrivals.end());
  const auto first_window = std::count_if(arrivals.begin(), arrivals.end(),
                                          [&](double t) { return t < arrivals.front() + kHoldMs; });
  BOOST_TEST_MESSAGE("unknown host: " << first_window << " requests in the first " << kHoldMs
                                      << " ms, peak later " << rep.max_inflight);
  BOOST_TEST(first_window <= 4);
  BOOST_TEST(rep.max_inflight > 10u);  // no headers, no 429: nothing holds it back any more
}

BOOST_AUTO_TEST_CASE(a_concurrency_refusal_pauses_and_is_sent_again) {
  // Our cap (4) is above the account's real one (2): NetSuite answers the excess with 400
  // SSS_REQUEST_LIMIT_EXCEEDED; those requests did nothing, so they wait the shared pause and go
  // again (at most twice) instead of failing.
  Pool pool(2, netsuite_cap(4));
  const std::string url =
      pool.url(kRestlets, "/__rl/concurrent?hold_ms=" + std::to_string(kHoldMs) + "&cap=2");
  std::vector<RlJob> jobs;
  for (int i = 0; i < 8; ++i) jobs.push_back({&pool.workers[i % 2]->ctx, "netsuite", url});
  auto results = rl_run(pool.io, jobs);
  auto rep = rl_report(pool.io, pool.mock.port(), kRestlets);
  int ok = 0;
  for (const auto& r : results) ok += r.status == 200;
  const auto& c0 = pool.workers[0]->limiter.counters("netsuite", kRestlets);
  const auto& c1 = pool.workers[1]->limiter.counters("netsuite", kRestlets);
  BOOST_TEST_MESSAGE("cap 4 vs the CRM's 2: " << ok << "/8 logged, " << rep.rejected
                                              << " refusals, " << rep.requests << " requests");
  BOOST_TEST(rep.rejected > 0u);
  BOOST_TEST(c0.concurrency_refused + c1.concurrency_refused == rep.rejected);
  BOOST_TEST(rep.requests == 8u + rep.rejected);  // every refused request was sent again ...
  BOOST_TEST(ok == 8);                            // ... and got through
}
