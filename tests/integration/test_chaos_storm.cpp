// The 5xx storm (issue 6): 2,000 Pipedrive events through one worker while the mock CRM answers
// 30% of requests 500/502/503 (no side effect) and resets 5% of connections after handling the
// request. Every event ends as exactly one final reply; each session's activity is written (POST
// answered 200) once — a reset that hit a handled POST is a write the worker cannot know about,
// counted apart; dead letters only for events that used all --max-attempts.
#define BOOST_TEST_MODULE chaos_storm
#include <boost/test/unit_test.hpp>

#include <thread>

#include "tests/integration/chaos_tally.hpp"
#include "tests/support/golden_requests.hpp"  // make_test_certs
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/worker_process.hpp"

using namespace calllog::test;
using namespace std::chrono_literals;

namespace {

constexpr int kEvents = 2000;
constexpr int kMaxAttempts = 8;
constexpr int kCompanies = 16;  // 16 x 40 requests/s of Pipedrive budget (chaos_tally.hpp)

// The TLS mock CRM in chaos mode for the Pipedrive company hosts.
struct ChaosMock {
  TempDir dir;
  uint16_t port = free_port();
  std::vector<std::string> hosts = chaos::company_hosts(kCompanies);
  TestCerts certs = make_test_certs(dir, hosts);
  std::string record = dir.file("requests.jsonl");
  Process proc;
  explicit ChaosMock(std::vector<std::string> chaos_args) {
    std::vector<std::string> argv = {mock_crm_bin(), "--cert", certs.cert_file, "--key", certs.key_file,
                                     "--port", std::to_string(port), "--record", record};
    argv.insert(argv.end(), chaos_args.begin(), chaos_args.end());
    proc = Process(argv, {}, dir.file("mock.out"), dir.file("mock.err"));
    BOOST_REQUIRE(wait_for_port(port));
  }
  std::vector<std::string> worker_args() const {
    std::vector<std::string> a = {"--ca-file", certs.ca_file};
    for (const auto& h : hosts) {
      a.push_back("--resolve");
      a.push_back(h + ":" + std::to_string(port) + ":127.0.0.1");
    }
    return a;
  }
};

std::string tail(const std::string& s, std::size_t n = 3000) { return s.substr(s.size() > n ? s.size() - n : 0); }

long long integer_reply(const RedisServer& redis, std::vector<std::string> command) {
  auto r = redis.command(command);
  BOOST_REQUIRE_MESSAGE(!r.empty() && r[0] == ':', "not an integer reply: " << r);
  return std::stoll(r.substr(1));
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_mock_marks_its_chaos_answers_in_the_record) {
  // The storm's premise, checked on its own: chaos answers carry no side effect and are recorded.
  ChaosMock mock({"--chaos-5xx", "1", "--seed", "1"});
  RedisServer redis;
  TempDir dir;
  auto args = mock.worker_args();
  for (const char* a : {"--retry-base", "0.01", "--max-attempts", "2"}) args.push_back(a);
  WorkerProcess w(redis, dir, args);
  redis.lpush("calllog:events", chaos::pipedrive_event(mock.hosts[0], mock.port, 1));
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:replies", 1, 30s), 1);
  auto replies = chaos::tally_replies(redis.lrange("calllog:replies"));
  const auto& r = replies.last[chaos::event_id(1)];
  BOOST_TEST(r.status == "failed");
  BOOST_TEST(r.attempts == 2);
  BOOST_TEST(r.retryable);
  BOOST_TEST((r.error_code == "http_500" || r.error_code == "http_502" || r.error_code == "http_503"), r.error_code);
  auto crm = chaos::tally_record(mock.record);
  BOOST_TEST(crm.requests == 2);  // one GET per attempt, each a chaos 5xx; never a POST
  BOOST_TEST(crm.chaos_5xx == 2);
  BOOST_TEST(crm.by_person[chaos::person_id(1)].gets == 2);
}

BOOST_AUTO_TEST_CASE(a_5xx_storm_ends_in_one_reply_per_event_and_one_write_per_session) {
  ChaosMock mock({"--chaos-5xx", "0.3", "--chaos-reset", "0.05", "--seed", "20260911"});
  RedisServer redis;
  TempDir dir;
  std::vector<std::string> push = {"RPUSH", "calllog:events"};
  for (int i = 0; i < kEvents; ++i) push.push_back(chaos::pipedrive_event(mock.hosts[i % kCompanies], mock.port, i));
  BOOST_REQUIRE_EQUAL(integer_reply(redis, push), kEvents);

  const auto t0 = std::chrono::steady_clock::now();
  auto args = mock.worker_args();
  for (const char* a : {"--worker-id", "storm", "--concurrency", "64", "--retry-base", "0.02", "--retry-cap",
                        "0.5", "--max-attempts", "8"})
    args.push_back(a);
  WorkerProcess w(redis, dir, args);
  const long long got = wait_for_length(redis, "calllog:replies", kEvents, 90s);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  BOOST_REQUIRE_MESSAGE(got == kEvents, "replies " << got << " of " << kEvents << " after " << secs
                                                   << " s; queue " << redis.llen("calllog:events")
                                                   << "; worker log tail:\n" << tail(w.log()));
  std::this_thread::sleep_for(500ms);  // a late second reply would show up now

  auto replies = chaos::tally_replies(redis.lrange("calllog:replies"));
  auto dead = chaos::tally_dead(redis.lrange("calllog:dead"));
  auto crm = chaos::tally_record(mock.record);
  BOOST_TEST(replies.unparsable == 0);
  BOOST_TEST(redis.llen("calllog:replies") == kEvents);
  BOOST_TEST(replies.count.size() == static_cast<std::size_t>(kEvents));

  int logged = 0, failed = 0, attempts_total = 0, reset_window = 0, written_twice = 0;
  for (int i = 0; i < kEvents; ++i) {
    const std::string id = chaos::event_id(i);
    BOOST_TEST_CONTEXT(id) {
      BOOST_TEST(replies.count[id] == 1);
      const auto& r = replies.last[id];
      const auto& p = crm.by_person[chaos::person_id(i)];
      attempts_total += r.attempts;
      BOOST_TEST(p.gets >= r.attempts);  // every attempt asked the CRM (the count is honest)
      BOOST_TEST(p.ok_writes <= 1);      // i.e. writes <= 1 + resets on that POST
      BOOST_TEST(p.writes() <= 1 + p.reset_writes);
      reset_window += p.reset_writes > 0 && p.writes() > 1;
      written_twice += p.writes() > 1;
      if (r.status == "logged") {
        ++logged;
        BOOST_TEST(p.ok_writes == 1);
        BOOST_TEST((r.attempts >= 1 && r.attempts <= kMaxAttempts));
        BOOST_TEST(!dead.count(id));
      } else {
        ++failed;
        BOOST_TEST(r.status == "failed");
        BOOST_TEST(r.attempts == kMaxAttempts);  // dead only after the last attempt
        BOOST_TEST(r.retryable, r.error_code);   // and only of a transient failure
        BOOST_TEST(p.ok_writes == 0);
        BOOST_TEST(dead.count(id) == 1u);
        BOOST_TEST(dead[id] == kMaxAttempts);
      }
    }
  }
  BOOST_TEST(dead.size() == static_cast<std::size_t>(failed));
  BOOST_TEST(redis.llen("calllog:dead") == failed);
  // Nothing left anywhere.
  BOOST_TEST(redis.llen("calllog:events") == 0);
  BOOST_TEST(redis.llen("calllog:processing:storm") == 0);
  BOOST_TEST(integer_reply(redis, {"ZCARD", "calllog:retry"}) == 0);
  // The storm was real: about 30% 5xx and 5% resets of all CRM requests.
  const double share_5xx = static_cast<double>(crm.chaos_5xx) / static_cast<double>(crm.requests);
  const double share_reset = static_cast<double>(crm.resets) / static_cast<double>(crm.requests);
  BOOST_TEST((share_5xx > 0.25 && share_5xx < 0.35), share_5xx);
  BOOST_TEST((share_reset > 0.03 && share_reset < 0.07), share_reset);
  BOOST_TEST(secs < 90);
  BOOST_TEST_MESSAGE(fmt::format(
      "5xx storm: {} events -> {} replies in {:.1f} s: logged {}, dead-lettered {} (all at attempt {}); "
      "attempts {:.2f}/event; CRM requests {} (5xx {:.1f}%, resets {:.1f}%); sessions written twice {} "
      "(all of them by a reset after a handled POST: {})",
      kEvents, got, secs, logged, failed, kMaxAttempts, static_cast<double>(attempts_total) / kEvents,
      crm.requests, 100 * share_5xx, 100 * share_reset, written_twice, reset_window));
  BOOST_TEST(written_twice == reset_window);
}
