#define BOOST_TEST_MODULE redis_cluster
#include <boost/test/unit_test.hpp>

// Redis Cluster: the client follows MOVED/ASK redirects against a real three-master cluster, and
// the worker logs 1,000 sandbox events through it with every key in the {calllog} hash slot.
#include <memory>
#include <set>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <rapidjson/document.h>

#include "common/redis/cluster_redirect.hpp"
#include "tests/integration/redis_test_helpers.hpp"
#include "tests/support/redis_cluster.hpp"
#include "tests/support/worker_process.hpp"

using namespace calllog::test;
using calllog::redis::cmd;
using calllog::redis::key_slot;
using calllog::redis::parse_redirect;
using calllog::redis::pipeline;
using calllog::redis::Redirect;
using calllog::redis::RedisClient;
using calllog::redis::Reply;

namespace {

// One cluster for the whole module (starting one takes a second or two).
RedisCluster& cluster() {
  static RedisCluster shared;
  return shared;
}

uint16_t port_of(const std::string& host_port) {
  return static_cast<uint16_t>(std::stoi(host_port.substr(host_port.rfind(':') + 1)));
}

struct Tally {
  int in_order = 0, out_of_order = 0, failed = 0, finished = 0;
};

// RPUSH returns the list's new length: the i-th push sent must see length i + 1.
asio::awaitable<void> push_one(RedisClient* client, std::string key, int i, Tally* tally) {
  auto r = co_await client->exec(cmd("RPUSH", key, std::to_string(i)));
  if (!r || r->type != Reply::Type::integer)
    ++tally->failed;
  else if (r->integer == i + 1)
    ++tally->in_order;
  else
    ++tally->out_of_order;
  ++tally->finished;
}

}  // namespace

// ---- redirect parsing and key slots (no server) -----------------------------------------------

BOOST_AUTO_TEST_CASE(redirect_errors_parse) {
  auto moved = parse_redirect(std::string_view("MOVED 3999 127.0.0.1:6381"));
  BOOST_REQUIRE(moved);
  BOOST_TEST((moved->kind == Redirect::Kind::moved));
  BOOST_TEST(moved->slot == 3999);
  BOOST_TEST(moved->host == "127.0.0.1");
  BOOST_TEST(moved->port == 6381);
  auto ask = parse_redirect(std::string_view("ASK 12182 10.0.0.7:7002"));
  BOOST_REQUIRE(ask);
  BOOST_TEST((ask->kind == Redirect::Kind::ask));
  BOOST_TEST(ask->slot == 12182);
  BOOST_TEST(ask->port == 7002);
  auto unknown_host = parse_redirect(std::string_view("MOVED 1 :7000"));  // "the host you asked"
  BOOST_REQUIRE(unknown_host);
  BOOST_TEST(unknown_host->host.empty());
  auto v6 = parse_redirect(std::string_view("ASK 5 ::1:7001"));
  BOOST_REQUIRE(v6);
  BOOST_TEST(v6->host == "::1");
  BOOST_TEST(!parse_redirect(std::string_view("ERR unknown command")));
  BOOST_TEST(!parse_redirect(std::string_view("MOVED x 127.0.0.1:1")));
  BOOST_TEST(!parse_redirect(std::string_view("MOVED 16384 127.0.0.1:1")));
  BOOST_TEST(!parse_redirect(std::string_view("MOVED 1 127.0.0.1")));
  BOOST_TEST(!parse_redirect(std::string_view("ASK 1 127.0.0.1:0")));
  Reply status;
  status.type = Reply::Type::status;
  status.str = "MOVED 1 127.0.0.1:7000";  // only an error reply redirects
  BOOST_TEST(!parse_redirect(status));
}

BOOST_AUTO_TEST_CASE(key_slots_follow_hash_tags) {
  BOOST_TEST(key_slot("123456789") == 0x31C3);  // the CRC16/XMODEM check value
  BOOST_TEST(key_slot("foo") == 12182);
  const auto tag = key_slot("calllog");
  for (const char* k : {"{calllog}:events", "{calllog}:replies", "{calllog}:dead", "{calllog}:processing:w1",
                        "{calllog}:claim:sandbox:s1", "{calllog}:rl:clio:x#tickets", "{calllog}:steps:a:b"})
    BOOST_TEST(key_slot(k) == tag, k);
  BOOST_TEST(key_slot("{}x") == key_slot("{}x"));
  BOOST_TEST(key_slot("{}x") != key_slot("x"));  // empty tag: the whole key counts
  BOOST_TEST(key_slot("{calllog}:events") == cluster().slot_of("{calllog}:events"));
  BOOST_TEST(key_slot("foo{bar}{zap}") == cluster().slot_of("foo{bar}{zap}"));
}

// ---- the client against a real cluster ---------------------------------------------------------

BOOST_AUTO_TEST_CASE(commands_sent_to_a_non_owner_follow_moved) {
  auto& c = cluster();
  const auto owner = c.owner_of("{calllog}:x");
  const auto other = c.non_owner_of("{calllog}:x");
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    RedisClient client(ctx.get_executor(), config_for(c.url(other)));
    auto up = co_await client.connect();
    BOOST_TEST_REQUIRE(bool(up), up.error->message);
    auto set = co_await client.exec(cmd("SET", "{calllog}:x:greeting", "hello"));
    BOOST_TEST_REQUIRE(bool(set), describe(set));
    BOOST_TEST((set->type == Reply::Type::status && set->str == "OK"), set->str);
    BOOST_TEST(port_of(client.node()) == c.port(owner));
    auto get = co_await client.exec(cmd("GET", "{calllog}:x:greeting"));
    BOOST_TEST_REQUIRE(bool(get), describe(get));
    BOOST_TEST(get->str == "hello");
    auto batch = co_await client.exec_pipeline(pipeline(cmd("DEL", "{calllog}:x:list"),
                                                        cmd("LPUSH", "{calllog}:x:list", "a", "b"),
                                                        cmd("LLEN", "{calllog}:x:list")));
    BOOST_TEST_REQUIRE(bool(batch));
    BOOST_TEST((*batch)[2].integer == 2);
    BOOST_TEST(client.redirects() == 1u);   // one MOVED, then the connection stays on the owner
    BOOST_TEST(client.reconnects() == 0u);  // a re-point is not a reconnect
    // A Lua script with all its keys in the slot runs on the owner.
    auto lua = co_await client.exec(cmd("EVAL", "return redis.call('LLEN', KEYS[1])", "1", "{calllog}:x:list"));
    BOOST_TEST_REQUIRE(bool(lua));
    BOOST_TEST(lua->integer == 2);
    // Keys of two slots in one command are the cluster's own error, returned as a reply.
    auto cross = co_await client.exec(cmd("MGET", "{calllog}:x:greeting", "{other}:y"));
    BOOST_TEST_REQUIRE(bool(cross));
    BOOST_TEST(cross->is_error());
    BOOST_TEST(cross->str.find("CROSSSLOT") != std::string::npos, cross->str);
    client.close();
  });
  BOOST_TEST(c.cli(owner, {"GET", "{calllog}:x:greeting"}) == "hello");
}

BOOST_AUTO_TEST_CASE(a_thousand_pipelined_commands_all_redirected_stay_in_order) {
  auto& c = cluster();
  const auto other = c.non_owner_of("{calllog}:order");
  c.cli(0, {"DEL", "{calllog}:order"}, true);
  constexpr int kCommands = 1000;
  Tally tally;
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    RedisClient client(ctx.get_executor(), config_for(c.url(other)));
    auto up = co_await client.connect();
    BOOST_TEST_REQUIRE(bool(up), up.error->message);
    // All queued before any reply: they leave in one write to the wrong node and come back MOVED.
    for (int i = 0; i < kCommands; ++i)
      asio::co_spawn(ctx, push_one(&client, "{calllog}:order", i, &tally), asio::detached);
    for (int waited = 0; tally.finished < kCommands && waited < 200; ++waited) co_await sleep_for(50ms);
    BOOST_TEST(client.redirects() >= 1u);
    BOOST_TEST(client.reconnects() == 0u);
    client.close();
  });
  BOOST_TEST(tally.finished == kCommands);
  BOOST_TEST(tally.failed == 0);
  BOOST_TEST(tally.out_of_order == 0);
  BOOST_TEST(tally.in_order == kCommands);
  auto items = c.lrange("{calllog}:order");
  BOOST_REQUIRE_EQUAL(items.size(), static_cast<size_t>(kCommands));
  for (int i = 0; i < kCommands; ++i) BOOST_TEST(items[i] == std::to_string(i));
}

BOOST_AUTO_TEST_CASE(ask_during_a_slot_migration_goes_to_the_importing_node_once) {
  auto& c = cluster();
  const std::string key = "{asktest}:k";
  const int slot = c.slot_of(key);
  const auto source = c.owner_of(key);
  const auto target = c.non_owner_of(key);
  const std::string s = std::to_string(slot);
  BOOST_REQUIRE(c.cli(target, {"CLUSTER", "SETSLOT", s, "IMPORTING", c.node_id(source)}) == "OK");
  BOOST_REQUIRE(c.cli(source, {"CLUSTER", "SETSLOT", s, "MIGRATING", c.node_id(target)}) == "OK");
  // The key is not on the source: the source answers ASK for it.
  BOOST_TEST(c.cli(source, {"GET", key}).find("ASK " + s) != std::string::npos);
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    RedisClient client(ctx.get_executor(), config_for(c.url(source)));
    auto set = co_await client.exec(cmd("SET", key, "migrating"));
    BOOST_TEST_REQUIRE(bool(set), describe(set));
    BOOST_TEST(set->str == "OK");
    auto get = co_await client.exec(cmd("GET", key));
    BOOST_TEST_REQUIRE(bool(get), describe(get));
    BOOST_TEST(get->str == "migrating");
    BOOST_TEST(client.redirects() == 2u);
    BOOST_TEST(port_of(client.node()) == c.port(source));  // ASK does not re-point
    auto del = co_await client.exec(cmd("DEL", key));
    BOOST_TEST_REQUIRE(bool(del));
    BOOST_TEST(del->integer == 1);
    client.close();
  });
  BOOST_TEST(c.cli(source, {"CLUSTER", "SETSLOT", s, "STABLE"}) == "OK");
  BOOST_TEST(c.cli(target, {"CLUSTER", "SETSLOT", s, "STABLE"}) == "OK");
}

// ---- a node that redirects forever: the bound -------------------------------------------------

namespace {

// Takes one whole RESP command (an array of bulk strings) off the front of buf; false if partial.
bool take_command(std::string& buf, std::vector<std::string>* argv) {
  size_t pos = 0;
  auto line = [&](std::string* out) {
    auto eol = buf.find("\r\n", pos);
    if (eol == std::string::npos) return false;
    *out = buf.substr(pos + 1, eol - pos - 1);
    pos = eol + 2;
    return true;
  };
  std::string head;
  if (buf.empty() || !line(&head)) return false;
  argv->clear();
  for (int n = std::stoi(head); n > 0; --n) {
    std::string len;
    if (!line(&len)) return false;
    const auto size = std::stoul(len);
    if (buf.size() < pos + size + 2) return false;
    argv->push_back(buf.substr(pos, size));
    pos += size + 2;
  }
  buf.erase(0, pos);
  return true;
}

// Answers PING with PONG and every other command with MOVED to itself.
asio::awaitable<void> serve_moved_forever(asio::ip::tcp::socket socket, uint16_t port, int* commands) {
  std::string buf;
  char chunk[4096];
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), tok);
    if (ec) co_return;
    buf.append(chunk, n);
    std::string out;
    std::vector<std::string> argv;
    while (take_command(buf, &argv)) {
      ++*commands;
      out += argv[0] == "PING" ? std::string("+PONG\r\n") : fmt::format("-MOVED 42 127.0.0.1:{}\r\n", port);
    }
    auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(out), tok);
    if (wec) co_return;
  }
}

asio::awaitable<void> accept_all(asio::ip::tcp::acceptor* acceptor, int* commands) {
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(tok);
    if (ec) co_return;
    const auto port = acceptor->local_endpoint().port();
    asio::co_spawn(acceptor->get_executor(), serve_moved_forever(std::move(socket), port, commands),
                   asio::detached);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(endless_moved_fails_with_a_clear_error_after_five_redirects) {
  asio::io_context ctx;
  asio::ip::tcp::acceptor acceptor(ctx, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  int commands = 0;
  asio::co_spawn(ctx, accept_all(&acceptor, &commands), asio::detached);
  const auto url = fmt::format("redis://127.0.0.1:{}/0", acceptor.local_endpoint().port());
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    RedisClient client(ctx.get_executor(), config_for(url));
    auto r = co_await client.exec(cmd("GET", "{calllog}:loop"));
    BOOST_TEST_REQUIRE(!r);
    BOOST_TEST(r.error->code == "redis_redirect");
    BOOST_TEST(r.error->message.find("redirected more than 5 times") != std::string::npos, r.error->message);
    BOOST_TEST(r.error->message.find("MOVED 42") != std::string::npos, r.error->message);
    BOOST_TEST(client.redirects() == 6u);
    client.close();
    acceptor.close();
  });
  BOOST_TEST(commands >= 6 + 6);  // six GETs, and a PING per connection
}

// ---- the worker through the cluster (issue 9, item 4) -----------------------------------------

namespace {

std::string sandbox_event(int i) {
  return fmt::format(
      R"({{"id":"evt-cl-{0}","platform":"sandbox","user":{{"id":"u","hostname":"sandbox.local","timezoneOffset":"+00:00"}},)"
      R"("contactInfo":{{"id":"c-{1}","type":"Contact","phoneNumber":"+1555000{0:04}","name":"Contact {1}"}},)"
      R"("authHeader":"Bearer SECRET-SANDBOX-TOKEN","callLog":{{"sessionId":"cl-{0}","startTime":"2026-11-24T09:30:00.000Z",)"
      R"("duration":{2},"direction":"Inbound","result":"Call connected","from":{{"phoneNumber":"+1555000{0:04}"}},"to":{{"phoneNumber":"+15550001111"}}}},)"
      R"("note":"note {0}"}})",
      i, i % 50, i % 4000);
}

const std::vector<std::string> kClusterKeys = {"--prefix", "{calllog}", "--queue", "{calllog}:events",
                                               "--reply-queue", "{calllog}:replies", "--dead-queue", "{calllog}:dead"};

std::vector<std::string> with_cluster_keys(std::vector<std::string> argv) {
  argv.insert(argv.end(), kClusterKeys.begin(), kClusterKeys.end());
  return argv;
}

}  // namespace

BOOST_AUTO_TEST_CASE(worker_logs_a_thousand_events_through_a_three_master_cluster) {
  auto& c = cluster();
  const auto owner = c.owner_of("{calllog}:events");
  const auto other = c.non_owner_of("{calllog}:events");
  const auto url = c.url(other);  // the worker is pointed at a node that does not own the slot
  for (const char* k : {"{calllog}:events", "{calllog}:replies", "{calllog}:dead"}) c.cli(owner, {"DEL", k});
  constexpr int kEvents = 1000;
  TempDir dir;
  std::string lines;
  for (int i = 0; i < kEvents; ++i) lines += sandbox_event(i) + "\n";
  write_file(dir.file("events.jsonl"), lines);
  auto enq = run(with_cluster_keys({worker_bin(), "enqueue", dir.file("events.jsonl"), "--redis-url", url}));
  BOOST_REQUIRE_MESSAGE(enq.exit_code == 0, enq.out + enq.err);
  BOOST_TEST(enq.out.find("pushed 1000 events") != std::string::npos, enq.out);
  BOOST_REQUIRE_EQUAL(c.llen("{calllog}:events"), kEvents);

  const auto start = std::chrono::steady_clock::now();
  auto args = with_cluster_keys({"--worker-id", "cluster-1", "--concurrency", "64"});
  WorkerProcess worker(url, dir, args);
  const auto replies = c.wait_for_length("{calllog}:replies", kEvents, 45s);
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE(fmt::format("{} events logged through the cluster in {:.2f} s ({:.0f} events/s)", replies,
                                 took, replies / took));
  BOOST_REQUIRE_MESSAGE(replies == kEvents, "replies: " << replies << "; worker log tail: "
                                                        << worker.log().substr(worker.log().size() > 2000 ? worker.log().size() - 2000 : 0));
  std::set<std::string> ids;
  int logged = 0;
  for (auto& r : c.lrange("{calllog}:replies")) {
    rapidjson::Document d;
    d.Parse(r.c_str(), r.size());
    BOOST_REQUIRE_MESSAGE(!d.HasParseError() && d.IsObject(), "not a JSON reply: " << r.substr(0, 200));
    if (std::string(d["status"].GetString()) == "logged") ++logged;
    ids.insert(d["id"].GetString());
  }
  BOOST_TEST(logged == kEvents);
  BOOST_TEST(ids.size() == static_cast<size_t>(kEvents));
  BOOST_TEST(sqlite_count(worker.sandbox_db(), "call_logs") == kEvents);
  BOOST_TEST(c.llen("{calllog}:events") == 0);
  BOOST_TEST(c.llen("{calllog}:processing:cluster-1") == 0);
  BOOST_TEST(c.llen("{calllog}:dead") == 0);

  // stats through the same non-owner node.
  auto stats = run(with_cluster_keys({worker_bin(), "stats", "--json", "--redis-url", url}));
  BOOST_REQUIRE_MESSAGE(stats.exit_code == 0, stats.out + stats.err);
  rapidjson::Document s;
  s.Parse(stats.out.c_str(), stats.out.size());
  BOOST_REQUIRE_MESSAGE(!s.HasParseError(), stats.out);
  BOOST_TEST(s["queue"]["length"].GetInt() == 0);
  BOOST_TEST(s["replies"]["length"].GetInt() == kEvents);
  BOOST_TEST(s["dead"]["length"].GetInt() == 0);
  BOOST_REQUIRE_EQUAL(s["workers"].Size(), 1u);
  BOOST_TEST(std::string(s["workers"][0]["id"].GetString()) == "cluster-1");
  BOOST_TEST(s["workers"][0]["alive"].GetBool());
  BOOST_TEST(s["workers"][0]["inFlight"].GetInt() == 0);
  auto table = run(with_cluster_keys({worker_bin(), "stats", "--redis-url", url}));
  BOOST_TEST(table.exit_code == 0);
  BOOST_TEST(table.out.find("cluster-1") != std::string::npos, table.out);

  BOOST_TEST(worker.stop() == 0);
  // Every key the worker wrote lives in the {calllog} slot, on its owner; the others hold none.
  const auto slot = std::to_string(c.slot_of("{calllog}"));
  BOOST_TEST(c.cli(owner, {"DBSIZE"}) == c.cli(owner, {"CLUSTER", "COUNTKEYSINSLOT", slot}));
  for (size_t n = 0; n < c.size(); ++n)
    if (n != owner) BOOST_TEST(c.cli(n, {"DBSIZE"}) == "0", "node " << n);
  BOOST_TEST(worker.log().find("SECRET-SANDBOX-TOKEN") == std::string::npos);
}
