// Nothing lost, nothing doubled (issue 6): retries with backoff, dead letters after the last
// attempt, SIGKILL recovery through heartbeats, graceful drain on SIGTERM, a Redis restart.
// Real redis-server, real worker binaries, the TLS mock CRM with added latency.
#define BOOST_TEST_MODULE worker_resilience
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "common/json.hpp"
#include "tests/support/e2e_helpers.hpp"
#include "tests/support/golden_requests.hpp"
#include "tests/support/mock_process.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/worker_process.hpp"

using namespace calllog;
using namespace calllog::test;
using namespace std::chrono_literals;

namespace {

// The TLS mock CRM for the golden host names, with optional latency.
struct Mock : MockCrmProcess {
  explicit Mock(int latency_ms = 0) : MockCrmProcess(golden_hosts(), latency_ms) {}
};

std::vector<std::string> with(std::vector<std::string> a, std::initializer_list<std::string> more) {
  a.insert(a.end(), more);
  return a;
}

std::string pipedrive_event(uint16_t port, int i, const std::string& auth = "Bearer pd-token") {
  return fmt::format(
      R"({{"id":"evt-pd-{0}","platform":"pipedrive","user":{{"id":"13401234-pipedrive","hostname":"acme-sales.pipedrive.com:{1}","timezoneOffset":"-08:00"}},)"
      R"("contactInfo":{{"id":"{2}","type":"Contact","phoneNumber":"+16504445566","name":"John Smith"}},"authHeader":"{3}",)"
      R"("callLog":{{"sessionId":"pd-sess-{0}","startTime":"2026-09-11T13:24:09.000Z","duration":{4},"direction":"Inbound","result":"Accepted",)"
      R"("from":{{"phoneNumber":"+16504445566"}},"to":{{"phoneNumber":"+18662019834"}}}},"note":"call {0}"}})",
      i, port, 2400 + i, auth, 30 + i);
}

std::string clio_event(uint16_t port, int i, const std::string& auth) {
  return fmt::format(
      R"({{"id":"evt-clio-{0}","platform":"clio","user":{{"id":"358002611-clio","hostname":"app.clio.com:{1}","timezoneOffset":330}},)"
      R"("contactInfo":{{"id":"1987654321","type":"Person","phoneNumber":"+442071838750","name":"Ada Lovelace"}},"authHeader":"{2}",)"
      R"("callLog":{{"sessionId":"clio-sess-{0}","startTime":"2026-03-29T00:59:30.000Z","duration":3725,"direction":"Outbound","result":"Call connected",)"
      R"("from":{{"phoneNumber":"+18662019834"}},"to":{{"phoneNumber":"+442071838750"}}}},"note":"settlement"}})",
      i, port, auth);
}

// Replies by event id (each must appear once).
std::map<std::string, int> reply_counts(const RedisServer& redis) {
  std::map<std::string, int> out;
  for (auto& r : redis.lrange("calllog:replies")) out[parse(r)["id"].GetString()]++;
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_transient_failure_is_retried_and_then_logged) {
  RedisServer redis;
  TempDir dir;
  Mock mock;
  WorkerProcess worker(redis, dir, with(mock.worker_args(), {"--retry-base", "0.05"}));
  // The mock answers this credential's first communication POST with a 503, then normally.
  redis.lpush("calllog:events", clio_event(mock.port(), 1, "Bearer mock-once-communication-r1"));
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:replies", 1, 30s), 1);
  auto r = parse(redis.lrange("calllog:replies")[0]);
  BOOST_TEST(std::string(r["status"].GetString()) == "logged", worker.log());
  BOOST_TEST(r["attempts"].GetInt() == 2);
  BOOST_TEST(redis.llen("calllog:dead") == 0);
  BOOST_TEST(mock.count("POST", "/api/v4/communications.json") == 2);  // the 503, then the record
  BOOST_TEST(worker.log().find("retry scheduled") != std::string::npos);
  BOOST_TEST(redis.command({"ZCARD", "calllog:retry"}) == ":0\r\n");
  BOOST_TEST(redis.command({"HLEN", "calllog:attempts"}) == ":0\r\n");
}

BOOST_AUTO_TEST_CASE(a_persistent_failure_is_dead_lettered_after_max_attempts) {
  RedisServer redis;
  TempDir dir;
  Mock mock;
  WorkerProcess worker(redis, dir, with(mock.worker_args(), {"--retry-base", "0.02", "--max-attempts", "3"}));
  redis.lpush("calllog:events", pipedrive_event(mock.port(), 1, "Bearer mock-status-503"));
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:replies", 1, 30s), 1);
  auto r = parse(redis.lrange("calllog:replies")[0]);
  BOOST_TEST(std::string(r["status"].GetString()) == "failed");
  BOOST_TEST(r["attempts"].GetInt() == 3);
  BOOST_TEST(std::string(r["error"]["code"].GetString()) == "http_503");
  BOOST_TEST(r["error"]["retryable"].GetBool());
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:dead", 1, 5s), 1);
  auto d = parse(redis.lrange("calllog:dead")[0]);
  BOOST_TEST(d["attempts"].GetInt() == 3);
  BOOST_TEST(std::string(d["event"]["id"].GetString()) == "evt-pd-1");
  BOOST_TEST(mock.count("GET", "/api/v2/persons/") == 3);
  BOOST_TEST(redis.llen("calllog:replies") == 1);  // no reply before the final outcome
}

BOOST_AUTO_TEST_CASE(a_killed_workers_events_are_recovered_by_a_live_one) {
  RedisServer redis;
  TempDir dir;
  Mock mock(400);  // every CRM answer takes 400 ms, so events are in flight when the kill comes
  constexpr int kEvents = 160;
  for (int i = 0; i < kEvents; ++i) redis.lpush("calllog:events", pipedrive_event(mock.port(), 100 + i));
  auto a = std::make_unique<WorkerProcess>(
      redis, dir, with(mock.worker_args(), {"--worker-id", "victim", "--concurrency", "64", "--heartbeat", "0.5"}));
  // Wait until the victim has its 64 events in flight and some CRM writes done, then SIGKILL it.
  for (int t = 0; t < 500 && (mock.count("POST", "/api/v2/activities") < 10 || redis.llen("calllog:processing:victim") < 64); ++t)
    std::this_thread::sleep_for(20ms);
  a->process().signal(SIGKILL);
  a->process().wait(5s);
  const long long stranded = redis.llen("calllog:processing:victim");
  BOOST_TEST_MESSAGE("events stranded on the dead worker's processing list: " << stranded);
  BOOST_TEST(stranded > 0);  // 64 unless the machine is very slow
  auto started = std::chrono::steady_clock::now();
  WorkerProcess b(redis, dir, with(mock.worker_args(), {"--worker-id", "rescuer", "--concurrency", "64", "--heartbeat", "0.5"}));
  const long long got = wait_for_length(redis, "calllog:replies", kEvents, 60s);
  BOOST_REQUIRE_MESSAGE(got == kEvents, "replies " << got << "; rescuer log tail:\n"
                                                   << b.log().substr(b.log().size() > 3000 ? b.log().size() - 3000 : 0));
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  BOOST_TEST_MESSAGE("all " << kEvents << " replies " << took.count() << " ms after the rescuer started");
  auto counts = reply_counts(redis);
  BOOST_TEST(counts.size() == static_cast<std::size_t>(kEvents));
  for (auto& [id, n] : counts) BOOST_TEST(n == 1, id);
  BOOST_TEST(redis.llen("calllog:processing:victim") == 0);
  BOOST_TEST(redis.llen("calllog:events") == 0);
  // The duplicate window: CRM writes the victim made whose reply it never wrote are made again.
  std::map<std::string, int> posts;
  for (auto& r : read_recorded(mock.record()))
    if (r.method == "POST") posts[parse(r.body)["note"].GetString()]++;
  int doubled = 0;
  for (auto& [note, n] : posts) doubled += n > 1;
  BOOST_TEST_MESSAGE("CRM writes repeated after the SIGKILL (the documented duplicate window): " << doubled
                     << " of " << kEvents);
  BOOST_TEST(doubled <= stranded);
  BOOST_TEST(b.log().find("recovered a dead worker's events") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sigterm_finishes_in_flight_events_and_leaves_the_rest_queued) {
  RedisServer redis;
  TempDir dir;
  Mock mock(700);
  constexpr int kEvents = 100;
  for (int i = 0; i < kEvents; ++i) redis.lpush("calllog:events", pipedrive_event(mock.port(), 300 + i));
  WorkerProcess w(redis, dir, with(mock.worker_args(), {"--worker-id", "drainer", "--concurrency", "64"}));
  for (int t = 0; t < 500 && redis.llen("calllog:processing:drainer") < 64; ++t) std::this_thread::sleep_for(10ms);
  BOOST_TEST(redis.llen("calllog:processing:drainer") > 0);
  auto t0 = std::chrono::steady_clock::now();
  BOOST_TEST(w.stop(20s) == 0);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  BOOST_TEST_MESSAGE("drained in " << took.count() << " ms");
  const long long replies = redis.llen("calllog:replies");
  BOOST_TEST(replies >= 64);
  BOOST_TEST(replies + redis.llen("calllog:events") == kEvents);
  BOOST_TEST(redis.llen("calllog:processing:drainer") == 0);
  for (auto& r : redis.lrange("calllog:replies")) BOOST_TEST(std::string(parse(r)["status"].GetString()) == "logged");
}

BOOST_AUTO_TEST_CASE(after_the_grace_period_unfinished_events_go_back_to_the_queue) {
  RedisServer redis;
  TempDir dir;
  Mock mock(5000);
  for (int i = 0; i < 6; ++i) redis.lpush("calllog:events", pipedrive_event(mock.port(), 400 + i));
  WorkerProcess w(redis, dir, with(mock.worker_args(), {"--worker-id", "impatient", "--concurrency", "4",
                                                         "--shutdown-grace", "0.3"}));
  for (int t = 0; t < 300 && mock.count("GET", "/api/v2/persons/") < 4; ++t) std::this_thread::sleep_for(10ms);
  auto t0 = std::chrono::steady_clock::now();
  BOOST_TEST(w.stop(10s) == 0);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  BOOST_TEST(took < 4500ms);  // well before the CRM (5 s) could have answered
  BOOST_TEST(redis.llen("calllog:replies") == 0);
  BOOST_TEST(redis.llen("calllog:events") == 6);  // all of them, none lost
  BOOST_TEST(redis.llen("calllog:processing:impatient") == 0);
}

BOOST_AUTO_TEST_CASE(a_redis_restart_loses_nothing_and_doubles_nothing) {
  RedisServer redis({}, /*persistent=*/true);
  TempDir dir;
  constexpr int kEvents = 2000;
  for (int i = 0; i < kEvents; ++i)
    redis.lpush("calllog:events",
                fmt::format(R"({{"id":"evt-r-{0}","platform":"sandbox","user":{{"id":"u"}},"contactInfo":{{"id":"c{0}","name":"C"}},)"
                            R"("authHeader":"Bearer x","callLog":{{"sessionId":"r-{0}","duration":{0},"direction":"Inbound"}}}})",
                            i));
  WorkerProcess w(redis, dir, {"--worker-id", "survivor", "--concurrency", "8"});
  wait_for_length(redis, "calllog:replies", 400, 30s);
  redis.stop();
  std::this_thread::sleep_for(1500ms);
  redis.start();
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:replies", kEvents, 60s), kEvents);
  std::this_thread::sleep_for(300ms);
  auto counts = reply_counts(redis);
  BOOST_TEST(counts.size() == static_cast<std::size_t>(kEvents));
  int twice = 0;
  for (auto& [id, n] : counts) twice += n > 1;
  BOOST_TEST(twice == 0);
  BOOST_TEST(redis.llen("calllog:replies") == kEvents);
  BOOST_TEST(sqlite_count(w.sandbox_db(), "call_logs") == kEvents);
  BOOST_TEST(w.process().running());
}
