// The worker end to end on the sandbox CRM: real redis-server, real binary, real SQLite file.
#define BOOST_TEST_MODULE worker_sandbox
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>
#include <thread>

#include <fmt/format.h>

#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/worker_process.hpp"

using namespace calllog::test;
using namespace std::chrono_literals;

namespace {

rapidjson::Document parse(const std::string& s) {
  rapidjson::Document d;
  d.Parse(s.c_str(), s.size());
  BOOST_REQUIRE_MESSAGE(!d.HasParseError(), "not JSON: " << s.substr(0, 300));
  return d;
}

std::string sandbox_event(int i, const std::string& session = {}) {
  return fmt::format(
      R"({{"id":"evt-sbx-{0}","platform":"sandbox","user":{{"id":"u","hostname":"sandbox.local","timezoneOffset":"+00:00"}},)"
      R"("contactInfo":{{"id":"c-{1}","type":"Contact","phoneNumber":"+1555000{0:04}","name":"Contact {1}"}},)"
      R"("authHeader":"Bearer SECRET-SANDBOX-TOKEN","callLog":{{"sessionId":"{2}","startTime":"2026-11-24T09:30:00.000Z",)"
      R"("duration":{3},"direction":"Inbound","result":"Call connected","from":{{"phoneNumber":"+1555000{0:04}"}},"to":{{"phoneNumber":"+15550001111"}}}},)"
      R"("note":"note {0}"}})",
      i, i % 50, session.empty() ? fmt::format("sbx-{}", i) : session, i % 4000);
}

std::string sample(const std::string& name) { return read_file(shared_dir() + "/spec/samples/" + name); }

}  // namespace

BOOST_AUTO_TEST_CASE(sandbox_sample_logged_then_duplicate) {
  RedisServer redis;
  TempDir dir;
  WorkerProcess worker(redis, dir);
  redis.lpush("calllog:events", sample("sandbox-minimal.json"));
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:replies", 1), 1);
  auto r = parse(redis.lrange("calllog:replies")[0]);
  BOOST_TEST(std::string(r["status"].GetString()) == "logged");
  BOOST_TEST(r["successful"].GetBool());
  BOOST_TEST(std::string(r["id"].GetString()) == "evt-sbx-0001");
  BOOST_TEST(std::string(r["sessionId"].GetString()) == "sbx-1000001");
  BOOST_TEST(r["logId"].IsString());
  BOOST_TEST(std::string(r["returnMessage"]["message"].GetString()) == "Call logged");
  BOOST_TEST(r["attempts"].GetInt() == 1);
  const std::string first_log_id = r["logId"].GetString();
  BOOST_TEST(sqlite_count(worker.sandbox_db(), "call_logs") == 1);

  // The same session again: a duplicate reply naming the earlier logId, and no second row.
  redis.lpush("calllog:events", sample("sandbox-minimal.json"));
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:replies", 2), 2);
  auto d = parse(redis.lrange("calllog:replies")[0]);
  BOOST_TEST(std::string(d["status"].GetString()) == "duplicate");
  BOOST_TEST(!d["successful"].GetBool());
  BOOST_TEST(std::string(d["logId"].GetString()) == first_log_id);
  BOOST_TEST(std::string(d["returnMessage"]["message"].GetString()) == "Existing log for session sbx-1000001");
  BOOST_TEST(sqlite_count(worker.sandbox_db(), "call_logs") == 1);
  BOOST_TEST(redis.llen("calllog:dead") == 0);
  BOOST_TEST(worker.stop() == 0);
  BOOST_TEST(worker.log().find("EXAMPLE") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(crm_samples_fail_clearly_without_leaving_loopback) {
  RedisServer redis;
  TempDir dir;
  // The samples name real CRM hosts: map each to a closed loopback port so nothing leaves the box.
  auto closed = std::to_string(free_port());
  WorkerProcess worker(redis, dir,
                       {"--resolve", "acme-sales.pipedrive.com:443:127.0.0.1", "--resolve",
                        "app.clio.com:443:127.0.0.1", "--max-attempts", "1"});
  redis.lpush("calllog:events", sample("pipedrive-inbound.json"));
  redis.lpush("calllog:events", sample("clio-outbound.json"));
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:replies", 2, 90s), 2);
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:dead", 2, 10s), 2);
  for (const auto& text : redis.lrange("calllog:replies")) {
    auto r = parse(text);
    BOOST_TEST(std::string(r["status"].GetString()) == "failed");
    BOOST_TEST(r["error"]["code"].IsString());
    BOOST_TEST(r["error"]["detail"].GetStringLength() > 0u);
    BOOST_TEST(text.find("EXAMPLE-ONLY") == std::string::npos);  // no credential in the reply
  }
  for (const auto& text : redis.lrange("calllog:dead")) {
    auto d = parse(text);
    BOOST_TEST(d["event"].IsObject());
    BOOST_TEST(d["raw"].IsNull());
    BOOST_TEST(d["error"]["code"].IsString());
    BOOST_TEST(d["failedAt"].IsString());
  }
  BOOST_TEST(worker.log().find("EXAMPLE-ONLY") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_inputs_each_get_one_failed_reply_and_one_dead_letter) {
  RedisServer redis;
  TempDir dir;
  // One at a time, so replies come back in the order the elements were pushed.
  WorkerProcess worker(redis, dir, {"--worker-id", "t1", "--concurrency", "1"});
  auto good = sandbox_event(1);
  auto without = [&](const std::string& field) {
    rapidjson::Document d;
    d.Parse(good.c_str());
    d.RemoveMember(field.c_str());
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    d.Accept(w);
    return std::string(b.GetString());
  };
  auto replace = [&](const std::string& from, const std::string& to) {
    auto s = good;
    auto p = s.find(from);
    BOOST_REQUIRE(p != std::string::npos);
    return s.replace(p, from.size(), to);
  };
  struct Bad {
    std::string element;
    std::string code;
    std::string detail_mentions;
  };
  std::vector<Bad> bad = {
      {"this is not json", "invalid_event", "not valid JSON"},
      {"[1,2,3]", "invalid_event", "not an object"},
      {"\"just a string\"", "invalid_event", "not an object"},
      {"{\"id\":\"x\"", "invalid_event", "not valid JSON"},
      {"", "invalid_event", "not valid JSON"},
      {without("id"), "invalid_event", "id is required"},
      {without("platform"), "invalid_event", "platform is required"},
      {without("user"), "invalid_event", "user is required"},
      {without("contactInfo"), "invalid_event", "contactInfo is required"},
      {without("authHeader"), "invalid_event", "authHeader is required"},
      {without("callLog"), "invalid_event", "callLog is required"},
      {replace("\"sessionId\":\"sbx-1\"", "\"sessionId\":null"), "invalid_event", "callLog.sessionId"},
      {replace("\"platform\":\"sandbox\"", "\"platform\":\"salesforce\""), "unknown_platform", "salesforce"},
      {replace("\"id\":\"evt-sbx-1\"", "\"id\":42"), "invalid_event", "id must be"},
      {replace("\"user\":{", "\"user\":[],\"x\":{"), "invalid_event", "user must be an object"},
      {replace("\"duration\":1", "\"duration\":1,\"legs\":[{\"to\":{}}]"), "invalid_event", "legs[0].from"},
      {replace("note 1", "bad \xff\xfe utf8"), "invalid_event", "UTF-8"},
      {replace("note 1", std::string(5 * 1024 * 1024, 'n')), "invalid_event", "larger than"},
      {replace("\"note\":\"note 1\"", "\"note\":17"), "invalid_event", "note must be a string"},
  };
  for (auto& b : bad) redis.lpush("calllog:events", b.element);
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:replies", static_cast<long long>(bad.size())), static_cast<long long>(bad.size()));
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:dead", static_cast<long long>(bad.size()), 5s), static_cast<long long>(bad.size()));
  auto replies = redis.lrange("calllog:replies");
  std::reverse(replies.begin(), replies.end());  // oldest first = the order pushed
  for (std::size_t i = 0; i < bad.size(); ++i) {
    auto r = parse(replies[i]);
    BOOST_TEST_CONTEXT("case " << i << ": " << replies[i].substr(0, 300)) {
      BOOST_REQUIRE(r.HasMember("error") && r["error"].IsObject());
      BOOST_TEST(std::string(r["status"].GetString()) == "failed");
      BOOST_TEST(std::string(r["error"]["code"].GetString()) == bad[i].code);
      std::string detail = r["error"]["detail"].GetString();
      BOOST_TEST(detail.find(bad[i].detail_mentions) != std::string::npos, detail);
      BOOST_TEST(r["error"]["retryable"].GetBool() == false);
      BOOST_TEST(replies[i].find("SECRET-SANDBOX-TOKEN") == std::string::npos);
    }
  }
  // Non-JSON elements keep the raw text; objects keep the event.
  auto dead = redis.lrange("calllog:dead");
  std::reverse(dead.begin(), dead.end());
  auto d0 = parse(dead[0]);
  BOOST_TEST(d0["event"].IsNull());
  BOOST_TEST(std::string(d0["raw"].GetString()) == "this is not json");
  auto d5 = parse(dead[5]);
  BOOST_TEST(d5["event"].IsObject());
  BOOST_TEST(d5["raw"].IsNull());
  // Still alive: a good event is logged.
  redis.lpush("calllog:events", sandbox_event(2));
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:replies", static_cast<long long>(bad.size()) + 1), static_cast<long long>(bad.size()) + 1);
  BOOST_TEST(parse(redis.lrange("calllog:replies")[0])["status"].GetString() == std::string("logged"));
  BOOST_TEST(worker.process().running());
  BOOST_TEST(redis.llen("calllog:processing:t1") == 0);
  BOOST_TEST(worker.log().find("SECRET-SANDBOX-TOKEN") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(two_thousand_events_at_concurrency_64) {
  RedisServer redis;
  TempDir dir;
  std::string lines;
  for (int i = 0; i < 2000; ++i) lines += sandbox_event(1000 + i) + "\n";
  write_file(dir.file("events.jsonl"), lines);
  auto enq = run({worker_bin(), "enqueue", dir.file("events.jsonl"), "--redis-url", redis.url()});
  BOOST_REQUIRE_EQUAL(enq.exit_code, 0);
  BOOST_TEST(enq.out.find("pushed 2000 events") != std::string::npos, enq.out);
  WorkerProcess worker(redis, dir, {"--concurrency", "64", "--worker-id", "bulk-1"});
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:replies", 2000, 120s), 2000);
  BOOST_TEST(redis.llen("calllog:events") == 0);
  BOOST_TEST(redis.llen("calllog:processing:bulk-1") == 0);
  BOOST_TEST(redis.llen("calllog:dead") == 0);
  BOOST_TEST(sqlite_count(worker.sandbox_db(), "call_logs") == 2000);
  std::set<std::string> ids;
  for (auto& r : redis.lrange("calllog:replies")) {
    auto d = parse(r);
    BOOST_TEST(std::string(d["status"].GetString()) == "logged");
    ids.insert(d["id"].GetString());
  }
  BOOST_TEST(ids.size() == 2000u);
  BOOST_TEST(worker.stop() == 0);
}

BOOST_AUTO_TEST_CASE(racing_workers_write_one_session_once) {
  RedisServer redis;
  TempDir dir;
  // 40 events over 10 sessions, 2 workers sharing one sandbox db.
  for (int i = 0; i < 40; ++i) redis.lpush("calllog:events", sandbox_event(5000 + i, fmt::format("race-{}", i % 10)));
  WorkerProcess a(redis, dir, {"--worker-id", "race-a", "--concurrency", "16"});
  WorkerProcess b(redis, dir, {"--worker-id", "race-b", "--concurrency", "16"});
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:replies", 40, 60s), 40);
  int logged = 0, duplicate = 0;
  for (auto& r : redis.lrange("calllog:replies")) {
    std::string st = parse(r)["status"].GetString();
    logged += st == "logged";
    duplicate += st == "duplicate";
  }
  BOOST_TEST(logged == 10);
  BOOST_TEST(duplicate == 30);
  BOOST_TEST(sqlite_count(a.sandbox_db(), "call_logs") == 10);
}

BOOST_AUTO_TEST_CASE(command_line_errors_exit_2_with_one_line) {
  auto r = run({worker_bin(), "run", "--concurrency", "zero"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, r.err);
  auto u = run({worker_bin(), "--no-such-flag"});
  BOOST_TEST(u.exit_code == 2);
  auto h = run({worker_bin(), "--help"});
  BOOST_TEST(h.exit_code == 0);
  for (const char* sub : {"run", "replay", "enqueue", "stats", "compose"})
    BOOST_TEST(h.out.find(sub) != std::string::npos);
  auto rh = run({worker_bin(), "run", "--help"});
  BOOST_TEST(rh.exit_code == 0);
  for (const char* flag : {"--redis-url", "--queue", "--reply-queue", "--dead-queue", "--prefix", "--concurrency",
                           "--max-attempts", "--allow-host", "--ca-file", "--resolve", "--http-listen",
                           "--worker-id", "--shutdown-grace", "--sandbox-db", "--log-level", "REDIS_URL",
                           "CALLLOG_CONCURRENCY"})
    BOOST_TEST(rh.out.find(flag) != std::string::npos, flag);
  auto v = run({worker_bin(), "--version"});
  BOOST_TEST(v.exit_code == 0);
  BOOST_TEST(v.out.find("calllog-worker") != std::string::npos);
  auto env = run({worker_bin(), "run", "--redis-url", "redis://127.0.0.1:1/0"}, "", {{"CALLLOG_CONCURRENCY", "abc"}});
  BOOST_TEST(env.exit_code == 2);
  auto bad_url = run({worker_bin(), "stats", "--redis-url", "http://nope"});
  BOOST_TEST(bad_url.exit_code == 2);
  auto bad_file = run({worker_bin(), "enqueue", "-", "--redis-url", "redis://127.0.0.1:1/0"}, "{\"a\":1}\n{oops\n");
  BOOST_TEST(bad_file.exit_code == 2);
  BOOST_TEST(bad_file.err.find("line 2") != std::string::npos, bad_file.err);
}

BOOST_AUTO_TEST_CASE(stats_reports_depths_workers_and_dead_letter_codes) {
  RedisServer redis;
  TempDir dir;
  WorkerProcess worker(redis, dir, {"--worker-id", "stats-1", "--heartbeat", "0.5"});
  redis.lpush("calllog:events", "bad one");
  redis.lpush("calllog:events", "[\"bad two\"]");
  redis.lpush("calllog:events", sandbox_event(7));
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:replies", 3), 3);
  for (int i = 0; i < 5; ++i) redis.command({"LPUSH", "calllog:events", "{}"});  // left in the queue...
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto s = run({worker_bin(), "stats", "--json", "--redis-url", redis.url()});
  BOOST_REQUIRE_EQUAL(s.exit_code, 0);
  auto d = parse(s.out);
  BOOST_TEST(d["dead"]["length"].GetInt() >= 2);  // (the worker may also have taken the {} ones)
  BOOST_TEST(d["dead"]["byCode"]["invalid_event"].GetInt() >= 2);
  BOOST_TEST(d["replies"]["length"].GetInt() >= 3);
  BOOST_REQUIRE(d["workers"].IsArray());
  BOOST_REQUIRE_EQUAL(d["workers"].Size(), 1u);
  BOOST_TEST(std::string(d["workers"][0]["id"].GetString()) == "stats-1");
  BOOST_TEST(d["workers"][0]["alive"].GetBool());
  BOOST_TEST(d["workers"][0]["heartbeatAgeMs"].GetInt() < 5000);
  BOOST_TEST(worker.stop() == 0);

  // A worker that died without a word: registered, no heartbeat, events stranded.
  redis.command({"SADD", "calllog:workers", "ghost"});
  redis.lpush("calllog:processing:ghost", sandbox_event(8));
  auto t = run({worker_bin(), "stats", "--redis-url", redis.url()});
  BOOST_TEST(t.exit_code == 0);
  BOOST_TEST(t.out.find("ghost") != std::string::npos, t.out);
  BOOST_TEST(t.out.find("DEAD") != std::string::npos, t.out);
  BOOST_TEST(t.out.find("stats-1") == std::string::npos, t.out);  // deregistered on a clean stop
  auto j = parse(run({worker_bin(), "stats", "--json", "--redis-url", redis.url()}).out);
  BOOST_TEST(!j["workers"][0]["alive"].GetBool());
  BOOST_TEST(j["workers"][0]["inFlight"].GetInt() == 1);
}

BOOST_AUTO_TEST_CASE(cluster_hash_tags_must_put_every_key_in_one_slot) {
  auto r = run({worker_bin(), "stats", "--redis-url", "redis://127.0.0.1:1/0", "--prefix", "{calllog}"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("hash slot") != std::string::npos, r.err);
}
