// `calllog-worker replay` against a real redis-server: each filter, --dry-run, --count, repeated
// --id, raw (non-JSON) dead letters skipped, events restored byte for byte with their attempt
// counters cleared; and a replay of 20,000 dead letters SIGKILLed midway, then re-run: every event
// is on exactly one of the two lists at every point, none doubled or lost.
#define BOOST_TEST_MODULE replay
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "common/failure.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "worker/reply.hpp"

using namespace calllog::test;
using namespace std::chrono_literals;

namespace {

const std::string kDead = "calllog:dead";
const std::string kQueue = "calllog:events";
const std::string kAttempts = "calllog:attempts";

// An event written the way a producer might: spaces, a \u escape, a nested object, so that any
// re-serialization would show.
std::string event(const std::string& id, const std::string& platform, std::size_t padding = 0) {
  return "{\"id\":\"" + id + "\", \"platform\":\"" + platform +
         "\",\"note\":\"caf\\u00e9 \\\"q\\\" " + std::string(padding, 'x') +
         "\",\"callLog\":{\"sessionId\":\"s-" + id + "\",\"duration\":1.50}}";
}

std::string dead_letter(const std::string& event_text, const std::string& code, int status) {
  return calllog::dead_letter_json(event_text, "",
                                   calllog::make_failure(code, "CRM said no", false, status), 3, "w-1");
}

std::string raw_dead_letter(const std::string& raw) {
  return calllog::dead_letter_json("", raw, calllog::make_failure("invalid_event", "not JSON"), 1, "w-1");
}

// LPUSH many values with few connections.
void lpush_all(const RedisServer& redis, const std::string& key, const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < values.size(); i += 1000) {
    std::vector<std::string> argv{"LPUSH", key};
    for (std::size_t j = i; j < std::min(values.size(), i + 1000); ++j) argv.push_back(values[j]);
    auto r = redis.command(argv);
    BOOST_TEST_REQUIRE(r.substr(0, 1) == ":");
  }
}

RunResult replay(const RedisServer& redis, std::vector<std::string> flags) {
  std::vector<std::string> argv{worker_bin(), "replay", "--redis-url", redis.url()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return run(argv, "", {}, 120s);
}

std::string id_of(const std::string& event_text) {
  rapidjson::Document d;
  d.Parse(event_text.data(), event_text.size());
  BOOST_TEST_REQUIRE((!d.HasParseError() && d.IsObject() && d.HasMember("id")));
  return d["id"].GetString();
}

std::string id_of_dead(const std::string& dead_text) {
  rapidjson::Document d;
  d.Parse(dead_text.data(), dead_text.size());
  BOOST_TEST_REQUIRE((!d.HasParseError() && d.IsObject()));
  if (!d["event"].IsObject()) return "(raw)";
  return d["event"]["id"].GetString();
}

std::multiset<std::string> ids_on(const RedisServer& redis, const std::string& key, bool dead) {
  std::multiset<std::string> ids;
  for (auto& e : redis.lrange(key)) ids.insert(dead ? id_of_dead(e) : id_of(e));
  return ids;
}

bool hexists(const RedisServer& redis, const std::string& field) {
  return redis.command({"HEXISTS", kAttempts, field}) == ":1\r\n";
}

// The dead letters of the filter test, oldest first.
struct Seeded {
  std::map<std::string, std::string> events;   // id → original event text
};

Seeded seed_mixed(const RedisServer& redis) {
  Seeded s;
  std::vector<std::string> dead;
  auto add = [&](const std::string& id, const std::string& platform, const std::string& code, int status) {
    s.events[id] = event(id, platform);
    dead.push_back(dead_letter(s.events[id], code, status));
  };
  add("p1", "pipedrive", "http_401", 401);
  add("p2", "pipedrive", "http_401", 401);
  add("p3", "pipedrive", "http_401", 401);
  add("c1", "clio", "http_500", 500);
  add("c2", "clio", "http_500", 500);
  add("c3", "clio", "http_401", 401);
  dead.push_back(raw_dead_letter("not json {"));
  // A dead letter written by another hand: members reordered, spaces around the event.
  s.events["h1"] = event("h1", "insightly");
  dead.push_back("{ \"error\": {\"code\":\"timeout\",\"retryable\":true}, \"event\" :  " + s.events["h1"] +
                 " , \"raw\": null, \"attempts\": 8 }");
  lpush_all(redis, kDead, dead);
  redis.command({"HSET", kAttempts, "p1", "3", "p1:429", "2", "p2", "5", "c3", "1"});
  return s;
}

// Every element of the input queue is one of the original events, byte for byte.
void check_queue_bytes(const RedisServer& redis, const Seeded& s) {
  for (auto& e : redis.lrange(kQueue)) {
    auto it = s.events.find(id_of(e));
    BOOST_TEST_REQUIRE((it != s.events.end()));
    BOOST_TEST(e == it->second);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(dry_run_lists_and_moves_nothing) {
  RedisServer redis;
  seed_mixed(redis);
  auto r = replay(redis, {"--dry-run"});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
  // One line per event id, oldest first, then the summary.
  BOOST_TEST(r.out == "p1\np2\np3\nc1\nc2\nc3\nh1\n"
                      "dry run: would move 7 dead letters from calllog:dead to calllog:events; "
                      "skipped 1 not replayable (no event)\n");
  BOOST_TEST(redis.llen(kDead) == 8);
  BOOST_TEST(redis.llen(kQueue) == 0);

  auto filtered = replay(redis, {"--dry-run", "--platform", "clio"});
  BOOST_TEST(filtered.out == "c1\nc2\nc3\ndry run: would move 3 dead letters from calllog:dead to calllog:events\n");
  BOOST_TEST(redis.llen(kDead) == 8);
}

BOOST_AUTO_TEST_CASE(each_filter_moves_exactly_its_dead_letters) {
  RedisServer redis;
  auto seeded = seed_mixed(redis);

  auto r = replay(redis, {"--platform", "clio", "--error-code", "http_500"});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
  BOOST_TEST(r.out == "moved 2 dead letters from calllog:dead to calllog:events\n");
  BOOST_TEST((ids_on(redis, kQueue, false) == std::multiset<std::string>{"c1", "c2"}));
  BOOST_TEST(redis.llen(kDead) == 6);

  r = replay(redis, {"--id", "p1", "--id", "c3", "--id", "nosuch"});
  BOOST_TEST(r.out == "moved 2 dead letters from calllog:dead to calllog:events\n");
  BOOST_TEST((ids_on(redis, kQueue, false) == std::multiset<std::string>{"c1", "c2", "p1", "c3"}));
  // Attempt counters restart for replayed events only.
  BOOST_TEST(!hexists(redis, "p1"));
  BOOST_TEST(!hexists(redis, "p1:429"));
  BOOST_TEST(!hexists(redis, "c3"));
  BOOST_TEST(hexists(redis, "p2"));

  // --count takes the oldest matching first: p2 before p3.
  r = replay(redis, {"--error-code", "http_401", "--count", "1"});
  BOOST_TEST(r.out == "moved 1 dead letter from calllog:dead to calllog:events\n");
  BOOST_TEST(ids_on(redis, kQueue, false).count("p2") == 1u);
  BOOST_TEST(ids_on(redis, kDead, true).count("p3") == 1u);

  r = replay(redis, {"--error-code", "timeout"});
  BOOST_TEST(r.out == "moved 1 dead letter from calllog:dead to calllog:events\n");

  // Everything else: the raw one stays, counted as not replayable.
  r = replay(redis, {});
  BOOST_TEST(r.out == "moved 1 dead letter from calllog:dead to calllog:events; skipped 1 not replayable (no event)\n");
  BOOST_TEST((ids_on(redis, kDead, true) == std::multiset<std::string>{"(raw)"}));
  BOOST_TEST((ids_on(redis, kQueue, false) ==
              std::multiset<std::string>{"c1", "c2", "p1", "c3", "p2", "h1", "p3"}));
  check_queue_bytes(redis, seeded);
  BOOST_TEST(!hexists(redis, "p2"));

  // Nothing left to move.
  r = replay(redis, {"--platform", "pipedrive"});
  BOOST_TEST(r.out == "moved 0 dead letters from calllog:dead to calllog:events\n");
}

BOOST_AUTO_TEST_CASE(other_queue_names) {
  RedisServer redis;
  redis.lpush("q:dead", dead_letter(event("x1", "sandbox"), "http_400", 400));
  auto r = replay(redis, {"--dead-queue", "q:dead", "--queue", "q:in", "--prefix", "p"});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
  BOOST_TEST(r.out == "moved 1 dead letter from q:dead to q:in\n");
  BOOST_TEST(redis.lrange("q:in") == std::vector<std::string>{event("x1", "sandbox")});
}

BOOST_AUTO_TEST_CASE(unreachable_redis_is_exit_1) {
  auto port = free_port();
  auto r = run({worker_bin(), "replay", "--redis-url", "redis://127.0.0.1:" + std::to_string(port) + "/0"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(!r.err.empty());
}

BOOST_AUTO_TEST_CASE(killed_midway_loses_and_doubles_nothing) {
  constexpr int kEvents = 20'000;
  RedisServer redis;
  std::vector<std::string> dead;
  dead.reserve(kEvents);
  for (int i = 0; i < kEvents; ++i)
    dead.push_back(dead_letter(event("k" + std::to_string(i), i % 2 ? "clio" : "pipedrive", 600), "http_500", 500));
  lpush_all(redis, kDead, dead);
  BOOST_TEST_REQUIRE(redis.llen(kDead) == kEvents);

  auto every_event_on_exactly_one_list = [&] {
    auto on_queue = ids_on(redis, kQueue, false);
    auto on_dead = ids_on(redis, kDead, true);
    std::multiset<std::string> all = on_queue;
    all.insert(on_dead.begin(), on_dead.end());
    BOOST_TEST(all.size() == static_cast<std::size_t>(kEvents));
    BOOST_TEST(std::set<std::string>(all.begin(), all.end()).size() == static_cast<std::size_t>(kEvents));
    return on_queue.size();
  };

  // Kill it once it has moved about a quarter; try again (from the state left) if it finished
  // before the kill landed.
  TempDir dir;
  long long moved_at_kill = 0;
  bool killed_midway = false;
  for (int attempt = 0; attempt < 5 && !killed_midway; ++attempt) {
    Process p({worker_bin(), "replay", "--redis-url", redis.url()}, {}, dir.file("out"), dir.file("err"));
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (redis.llen(kQueue) < moved_at_kill + kEvents / 4 && p.running() &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    p.signal(SIGKILL);
    p.wait();
    auto now = redis.llen(kQueue);
    killed_midway = now > moved_at_kill && now < kEvents;
    moved_at_kill = now;
    if (now == kEvents) break;
  }
  BOOST_TEST_MESSAGE("on the input queue after SIGKILL: " << moved_at_kill << " of " << kEvents);
  BOOST_TEST(killed_midway, "replay finished before it could be killed midway");
  BOOST_TEST(every_event_on_exactly_one_list() == static_cast<std::size_t>(moved_at_kill));

  // The re-run moves the rest.
  auto begin = std::chrono::steady_clock::now();
  auto r = replay(redis, {});
  BOOST_TEST_MESSAGE("re-run moved the rest in "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin).count()
                     << " ms");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
  BOOST_TEST(r.err.find("replay progress") != std::string::npos, "no progress line on a long replay");
  BOOST_TEST(r.out == "moved " + std::to_string(kEvents - moved_at_kill) +
                          " dead letters from calllog:dead to calllog:events\n");
  BOOST_TEST(redis.llen(kDead) == 0);
  BOOST_TEST(every_event_on_exactly_one_list() == static_cast<std::size_t>(kEvents));
}
