// Rate-limit signals read from each CRM's responses (APPCONNECT.md §4, golden README).
#define BOOST_TEST_MODULE ratelimit_signals
#include <boost/test/unit_test.hpp>

#include "common/ratelimit/policy.hpp"
#include "common/ratelimit/signals.hpp"

using namespace calllog;
using namespace calllog::ratelimit;

namespace {

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'790'000'000));

https::Response response(int status, std::vector<std::pair<std::string, std::string>> headers,
                         std::string body = "{}") {
  https::Response r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(pipedrive_reset_is_seconds_and_daily_budget_is_read) {
  auto r = response(200, {{"x-ratelimit-limit", "80"}, {"x-ratelimit-remaining", "79"},
                          {"x-ratelimit-reset", "2"}, {"x-daily-requests-left", "9999"}});
  auto s = read_signals(policy_for("pipedrive"), r, kNow);
  BOOST_TEST(s.has_budget());
  BOOST_TEST(*s.limit == 80);
  BOOST_TEST(*s.remaining == 79);
  BOOST_TEST(*s.reset_s == 2);
  BOOST_TEST(*s.daily_left == 9999);
  BOOST_TEST(!s.too_many);
}

BOOST_AUTO_TEST_CASE(clio_reset_is_a_unix_time_and_429_carries_retry_after) {
  auto r = response(429, {{"x-ratelimit-limit", "50"}, {"x-ratelimit-remaining", "0"},
                          {"x-ratelimit-reset", "1790000042"}, {"retry-after", "37"}});
  auto s = read_signals(policy_for("clio"), r, kNow);
  BOOST_TEST(s.too_many);
  BOOST_TEST(*s.reset_s == 42);
  BOOST_TEST(*s.retry_after_s == 37);
  BOOST_TEST(*s.remaining == 0);
}

BOOST_AUTO_TEST_CASE(clio_small_epoch_value_is_still_an_epoch_by_policy) {
  // Clio's policy says epoch: a past time means "now", never a huge wait.
  BOOST_TEST(*reset_seconds("5", ResetKind::epoch, 1'790'000'000) == 0);
}

BOOST_AUTO_TEST_CASE(automatic_reset_uses_the_1e9_heuristic) {
  BOOST_TEST(*reset_seconds("60", ResetKind::automatic, 1'790'000'000) == 60);
  BOOST_TEST(*reset_seconds("1790000010", ResetKind::automatic, 1'790'000'000) == 10);
  BOOST_TEST(*reset_seconds("1.5", ResetKind::seconds, 0) == 1.5);
  BOOST_TEST(!reset_seconds("soon", ResetKind::automatic, 0));
  BOOST_TEST(!reset_seconds("-3", ResetKind::automatic, 0));
}

BOOST_AUTO_TEST_CASE(bullhorn_headers_have_no_x_prefix) {
  auto r = response(200, {{"ratelimit-limit", "100"}, {"ratelimit-remaining", "3"},
                          {"ratelimit-reset", "7"}, {"x-ratelimit-remaining", "99"}});
  auto s = read_signals(policy_for("bullhorn"), r, kNow);
  BOOST_TEST(*s.remaining == 3);  // the x- header is not Bullhorn's
  BOOST_TEST(*s.limit == 100);
  BOOST_TEST(*s.reset_s == 7);
  BOOST_TEST(policy_for("bullhorn").concurrency_cap > 0);
}

BOOST_AUTO_TEST_CASE(retry_after_as_http_date) {
  // 1790000000 + 30 s = Sat, 21 Sep 2026 ... computed rather than typed.
  std::time_t t = 1'790'000'030;
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", std::gmtime(&t));
  auto r = response(429, {{"retry-after", date}});
  auto s = read_signals(policy_for("insightly"), r, kNow);
  BOOST_TEST(s.too_many);
  BOOST_TEST(*s.retry_after_s == 30);
  BOOST_TEST(!s.has_budget());
  // A date in the past means "now".
  BOOST_TEST(*retry_after_seconds(date, 1'790'000'100) == 0);
  BOOST_TEST(!retry_after_seconds("tomorrow", 0));
}

BOOST_AUTO_TEST_CASE(netsuite_concurrency_refusal_is_a_400_with_its_code) {
  auto refused = response(400, {}, R"({"error":{"code":"SSS_REQUEST_LIMIT_EXCEEDED","message":"x"}})");
  auto s = read_signals(policy_for("netsuite"), refused, kNow);
  BOOST_TEST(s.concurrency_refused);
  BOOST_TEST(!s.too_many);
  auto other_400 = response(400, {}, R"({"error":{"code":"INVALID_KEY_OR_REF"}})");
  BOOST_TEST(!read_signals(policy_for("netsuite"), other_400, kNow).concurrency_refused);
  // The same body from another CRM is just a 400.
  BOOST_TEST(!read_signals(policy_for("pipedrive"), refused, kNow).concurrency_refused);
  BOOST_TEST(read_signals(policy_for("netsuite"), response(429, {}), kNow).too_many);
}

BOOST_AUTO_TEST_CASE(netsuite_accounts_share_one_key_across_its_hosts) {
  const auto& p = policy_for("netsuite");
  BOOST_TEST(account_key(p, "1234567.restlets.api.netsuite.com") == "1234567");
  BOOST_TEST(account_key(p, "1234567.suitetalk.api.netsuite.com") == "1234567");
  BOOST_TEST(account_key(policy_for("pipedrive"), "acme.pipedrive.com") == "acme.pipedrive.com");
}

BOOST_AUTO_TEST_CASE(unknown_platform_reads_both_header_families) {
  auto s = read_signals(policy_for("somecrm"),
                        response(200, {{"ratelimit-limit", "10"}, {"ratelimit-remaining", "4"}}), kNow);
  BOOST_TEST(*s.limit == 10);
  BOOST_TEST(*s.remaining == 4);
  BOOST_TEST(!s.reset_s);
}

BOOST_AUTO_TEST_CASE(garbage_values_are_ignored) {
  auto s = read_signals(policy_for("pipedrive"),
                        response(200, {{"x-ratelimit-limit", "lots"}, {"x-ratelimit-remaining", "3x"},
                                       {"x-ratelimit-reset", ""}}),
                        kNow);
  BOOST_TEST(!s.limit);
  BOOST_TEST(!s.remaining);
  BOOST_TEST(!s.reset_s);
  BOOST_TEST(!s.has_budget());
  BOOST_TEST(*parse_number(" 12 ") == 12);
}
