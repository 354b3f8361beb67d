#define BOOST_TEST_MODULE retry_policy
#include <boost/test/unit_test.hpp>

#include "worker/retry_policy.hpp"

using namespace calllog;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(full_jitter_grows_exponentially_up_to_the_cap) {
  BOOST_TEST(backoff_delay(1, 1.0, 600, 0.999).count() == 999);
  BOOST_TEST(backoff_delay(2, 1.0, 600, 0.999).count() == 1998);
  BOOST_TEST(backoff_delay(4, 1.0, 600, 0.5).count() == 4000);
  BOOST_TEST(backoff_delay(30, 1.0, 600, 0.5).count() == 300000);  // capped at 600 s
  BOOST_TEST(backoff_delay(3, 1.0, 600, 0.0).count() == 0);
}

BOOST_AUTO_TEST_CASE(transient_failures_retry_until_max_attempts) {
  RetryPolicy p{3, 10, 1.0, 600};
  Failure f = make_failure("http_503", "x", true, 503);
  auto d1 = decide_retry(f, 0, 0, p, 0.5);
  BOOST_TEST(d1.retry);
  BOOST_TEST(d1.attempts == 1);
  BOOST_TEST(d1.counter_value == 1);
  BOOST_TEST(!d1.rate_limited);
  auto d2 = decide_retry(f, 1, 0, p, 0.5);
  BOOST_TEST(d2.retry);
  BOOST_TEST(d2.attempts == 2);
  auto d3 = decide_retry(f, 2, 0, p, 0.5);
  BOOST_TEST(!d3.retry);  // the third attempt was the last
  BOOST_TEST(d3.attempts == 3);
}

BOOST_AUTO_TEST_CASE(permanent_failures_do_not_retry) {
  RetryPolicy p{8, 10, 1.0, 600};
  auto d = decide_retry(make_failure("http_401", "x", false, 401), 0, 0, p, 0.5);
  BOOST_TEST(!d.retry);
  BOOST_TEST(d.attempts == 1);
}

BOOST_AUTO_TEST_CASE(retry_after_is_a_floor) {
  RetryPolicy p{8, 10, 1.0, 600};
  Failure f = make_failure("http_503", "x", true, 503);
  f.retry_after_s = 42;
  auto d = decide_retry(f, 0, 0, p, 0.1);
  BOOST_TEST(d.delay.count() == 42000);
}

BOOST_AUTO_TEST_CASE(rate_limits_spend_no_attempt_but_are_bounded) {
  RetryPolicy p{2, 3, 1.0, 600};
  Failure f = make_failure("http_429", "x", true, 429);
  f.retry_after_s = 7;
  auto d = decide_retry(f, 1, 0, p, 0.5);
  BOOST_TEST(d.retry);
  BOOST_TEST(d.rate_limited);
  BOOST_TEST(d.attempts == 1);  // unchanged
  BOOST_TEST(d.counter_value == 1);
  BOOST_TEST(d.delay.count() >= 7000);
  // Past the 429 bound it counts as an ordinary attempt; with attempts spent, it is final.
  auto last = decide_retry(f, 1, 3, p, 0.5);
  BOOST_TEST(!last.rate_limited);
  BOOST_TEST(!last.retry);
  BOOST_TEST(last.attempts == 2);
}
