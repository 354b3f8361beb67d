#define BOOST_TEST_MODULE redis_client
#include <boost/test/unit_test.hpp>

#include <chrono>

// g++ 12 false positive on Asio's coroutine frame allocator once a coroutine lambda is inlined
// through std::function (-Wmismatched-new-delete); the frame is allocated and freed by Asio's pair.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#include <functional>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/redis/command.hpp"
#include "common/redis/redis_client.hpp"
#include "tests/support/redis_server.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using calllog::redis::cmd;
using calllog::redis::parse_redis_url;
using calllog::redis::pipeline;
using calllog::redis::RedisClient;
using calllog::redis::RedisConfig;
using calllog::redis::Reply;
using calllog::test::RedisServer;

namespace {

constexpr auto tok = asio::as_tuple(asio::use_awaitable);

// Runs one coroutine on ctx; a test that does not finish within `limit` fails instead of hanging.
void run_coro(asio::io_context& ctx, std::function<asio::awaitable<void>()> fn,
              std::chrono::seconds limit = 30s) {
  bool done = false;
  std::exception_ptr err;
  asio::co_spawn(ctx, fn(), [&](std::exception_ptr e) {
    done = true;
    err = e;
  });
  for (auto end = std::chrono::steady_clock::now() + limit;
       !done && std::chrono::steady_clock::now() < end;)
    ctx.run_one_for(50ms);
  BOOST_TEST_REQUIRE(done, "test coroutine did not finish in time");
  if (err) std::rethrow_exception(err);
}

RedisConfig config_for(const std::string& url) {
  std::string error;
  auto cfg = parse_redis_url(url, &error);
  BOOST_TEST_REQUIRE(cfg.has_value(), error);
  cfg->connect_timeout = 2000ms;
  cfg->command_timeout = 5000ms;
  return *cfg;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(tok);
}

std::string describe(const calllog::redis::Result<Reply>& r) {
  if (r) return "reply";
  return r.error->code + ": " + r.error->message;
}

}  // namespace

BOOST_AUTO_TEST_CASE(connect_set_get_and_error_reply) {
  RedisServer server;
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    RedisClient client(ctx.get_executor(), config_for(server.url()));
    auto c = co_await client.connect();
    BOOST_TEST_REQUIRE(bool(c), c.error->message);
    BOOST_TEST(client.connected());
    auto set = co_await client.exec(cmd("SET", "greeting", "hello"));
    BOOST_TEST_REQUIRE(bool(set), describe(set));
    BOOST_TEST((set->type == Reply::Type::status && set->str == "OK"));
    auto get = co_await client.exec(cmd("GET", "greeting"));
    BOOST_TEST_REQUIRE(bool(get));
    BOOST_TEST(get->str == "hello");
    auto missing = co_await client.exec(cmd("GET", "nothing-here"));
    BOOST_TEST_REQUIRE(bool(missing));
    BOOST_TEST(missing->is_nil());
    auto wrong = co_await client.exec(cmd("NOSUCHCOMMAND", "x"));  // an -ERR reply is a Reply
    BOOST_TEST_REQUIRE(bool(wrong));
    BOOST_TEST(wrong->is_error());
    BOOST_TEST(wrong->str.find("unknown command") != std::string::npos);
    auto empty = co_await client.exec(std::vector<std::string>{});
    BOOST_TEST(!empty);
    BOOST_TEST(client.reconnects() == 0u);
  });
}

BOOST_AUTO_TEST_CASE(ten_thousand_pipelined_commands_from_concurrent_coroutines) {
  RedisServer server;
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    RedisClient client(ctx.get_executor(), config_for(server.url()));
    constexpr int kWorkers = 100, kPerWorker = 100;
    int matched = 0, mismatched = 0, failed = 0, finished = 0;
    asio::steady_timer all_done(ctx, std::chrono::steady_clock::time_point::max());
    const auto start = std::chrono::steady_clock::now();
    for (int w = 0; w < kWorkers; ++w) {
      asio::co_spawn(ctx, [&, w]() -> asio::awaitable<void> {
        for (int i = 0; i < kPerWorker; ++i) {
          std::string payload = "w" + std::to_string(w) + "-i" + std::to_string(i);
          // alternate a plain command and a two-command pipeline so both paths interleave
          if (i % 2 == 0) {
            auto r = co_await client.exec(cmd("ECHO", payload));
            if (!r) ++failed;
            else if (r->str == payload) ++matched;
            else ++mismatched;
          } else {
            auto r = co_await client.exec_pipeline(pipeline(cmd("ECHO", payload), cmd("INCR", "counter")));
            if (!r) ++failed;
            else if (r->size() == 2 && (*r)[0].str == payload && (*r)[1].type == Reply::Type::integer)
              ++matched;
            else ++mismatched;
          }
        }
        if (++finished == kWorkers) all_done.cancel();
      }, asio::detached);
    }
    co_await all_done.async_wait(tok);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    BOOST_TEST_MESSAGE("10,000 pipelined calls in " << ms.count() << " ms");
    BOOST_TEST(finished == kWorkers);
    BOOST_TEST(failed == 0);
    BOOST_TEST(mismatched == 0);
    BOOST_TEST(matched == kWorkers * kPerWorker);
    auto counter = co_await client.exec(cmd("GET", "counter"));
    BOOST_TEST_REQUIRE(bool(counter));
    BOOST_TEST(counter->str == std::to_string(kWorkers * kPerWorker / 2));
  });
}

BOOST_AUTO_TEST_CASE(binary_values_round_trip) {
  RedisServer server;
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    RedisClient client(ctx.get_executor(), config_for(server.url()));
    std::string value;
    for (int i = 0; i < 256; ++i) value.push_back(static_cast<char>(i));  // NULs, CR LF, 0x80-0xff
    value += std::string("\xc3\x28\xed\xa0\x80\0end", 9);                  // invalid UTF-8
    std::string key("bin\0key\r\n", 9);
    auto set = co_await client.exec(cmd("SET", key, value));
    BOOST_TEST_REQUIRE(bool(set));
    BOOST_TEST(set->str == "OK");
    auto get = co_await client.exec(cmd("GET", key));
    BOOST_TEST_REQUIRE(bool(get));
    BOOST_TEST(get->str.size() == value.size());
    BOOST_TEST((get->str == value));
    auto len = co_await client.exec(cmd("STRLEN", key));
    BOOST_TEST_REQUIRE(bool(len));
    BOOST_TEST(len->integer == static_cast<long long>(value.size()));
    std::string big(3 * 1024 * 1024, 'x');  // larger than one read buffer and one batch
    big[12345] = '\0';
    auto r = co_await client.exec_pipeline(pipeline(cmd("SET", "big", big), cmd("GET", "big")));
    BOOST_TEST_REQUIRE(bool(r));
    BOOST_TEST(((*r)[1].str == big));
  });
}

BOOST_AUTO_TEST_CASE(select_db_is_honoured) {
  RedisServer server;
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    auto url3 = "redis://127.0.0.1:" + std::to_string(server.port()) + "/3";
    RedisClient db3(ctx.get_executor(), config_for(url3));
    RedisClient db0(ctx.get_executor(), config_for(server.url()));
    auto set = co_await db3.exec(cmd("SET", "where", "three"));
    BOOST_TEST_REQUIRE(bool(set));
    auto in0 = co_await db0.exec(cmd("GET", "where"));
    BOOST_TEST_REQUIRE(bool(in0));
    BOOST_TEST(in0->is_nil());
    auto in3 = co_await db3.exec(cmd("GET", "where"));
    BOOST_TEST_REQUIRE(bool(in3));
    BOOST_TEST(in3->str == "three");
    auto bad = config_for("redis://127.0.0.1:" + std::to_string(server.port()) + "/99");
    RedisClient db99(ctx.get_executor(), bad);
    auto c = co_await db99.connect();
    BOOST_TEST_REQUIRE(!c);
    BOOST_TEST(c.error->message.find("SELECT") != std::string::npos);
  });
}

BOOST_AUTO_TEST_CASE(wrong_password_is_a_clear_auth_error) {
  RedisServer server("right-pass-1");
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    const auto port = std::to_string(server.port());
    auto cfg = config_for("redis://:wrong-pass-9@127.0.0.1:" + port + "/0");
    RedisClient wrong(ctx.get_executor(), cfg);
    auto c = co_await wrong.connect();
    BOOST_TEST_REQUIRE(!c);
    BOOST_TEST(c.error->code == "redis_auth");
    BOOST_TEST(c.error->message.find("wrong-pass-9") == std::string::npos);
    BOOST_TEST(c.error->message.find("authentication") != std::string::npos);
    BOOST_TEST_MESSAGE("wrong password: " << c.error->message);
    auto e = co_await wrong.exec(cmd("PING"), 500ms);  // commands fail too, with the same code
    BOOST_TEST_REQUIRE(!e);
    BOOST_TEST(e.error->code == "redis_auth");
    BOOST_TEST(e.error->message.find("wrong-pass-9") == std::string::npos);

    RedisClient none(ctx.get_executor(), config_for("redis://127.0.0.1:" + port + "/0"));
    auto n = co_await none.connect();
    BOOST_TEST_REQUIRE(!n);
    BOOST_TEST(n.error->code == "redis_auth");

    RedisClient legacy(ctx.get_executor(), config_for(server.url()));
    auto l = co_await legacy.exec(cmd("PING"));
    BOOST_TEST_REQUIRE(bool(l), describe(l));
    BOOST_TEST(l->str == "PONG");
    RedisClient acl(ctx.get_executor(),
                    config_for("redis://default:right-pass-1@127.0.0.1:" + port + "/0"));
    auto a = co_await acl.exec(cmd("PING"));
    BOOST_TEST_REQUIRE(bool(a), describe(a));
  });
}

BOOST_AUTO_TEST_CASE(command_timeout_keeps_the_connection_usable) {
  RedisServer server;
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    RedisClient client(ctx.get_executor(), config_for(server.url()));
    BOOST_TEST_REQUIRE(bool(co_await client.connect()));
    auto t0 = std::chrono::steady_clock::now();
    auto blocked = co_await client.exec(cmd("BLPOP", "empty-list", "10"), 200ms);
    auto waited = std::chrono::steady_clock::now() - t0;
    BOOST_TEST_REQUIRE(!blocked);
    BOOST_TEST(blocked.error->code == "redis_timeout");
    BOOST_TEST(blocked.error->message.find("BLPOP") != std::string::npos);
    BOOST_TEST((waited >= 200ms && waited < 2s));
    // The BLPOP is still pending on the server; its late reply must go to nobody.
    server.command({"LPUSH", "empty-list", "late"});
    auto get = co_await client.exec(cmd("ECHO", "after-timeout"));
    BOOST_TEST_REQUIRE(bool(get), describe(get));
    BOOST_TEST(get->str == "after-timeout");
    BOOST_TEST(client.connected());
    BOOST_TEST(client.reconnects() == 0u);
  });
}

BOOST_AUTO_TEST_CASE(caller_cancellation_leaves_the_connection_usable) {
  RedisServer server;
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    RedisClient client(ctx.get_executor(), config_for(server.url()));
    auto raced = co_await (client.exec(cmd("BLPOP", "nothing", "10")) || sleep_for(100ms));
    BOOST_TEST(raced.index() == 1u);
    server.command({"LPUSH", "nothing", "late"});
    auto echo = co_await client.exec(cmd("ECHO", "still-here"));
    BOOST_TEST_REQUIRE(bool(echo), describe(echo));
    BOOST_TEST(echo->str == "still-here");
  });
}

BOOST_AUTO_TEST_CASE(server_restart_mid_stream_reconnects) {
  RedisServer server;
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    RedisClient client(ctx.get_executor(), config_for(server.url()));
    BOOST_TEST_REQUIRE(bool(co_await client.connect()));
    constexpr int kWorkers = 20;
    int ok_before = 0, ok_after = 0, disconnected = 0, other = 0, finished = 0;
    bool restarted = false;
    std::string other_error;
    asio::steady_timer all_done(ctx, std::chrono::steady_clock::time_point::max());
    for (int w = 0; w < kWorkers; ++w) {
      asio::co_spawn(ctx, [&, w]() -> asio::awaitable<void> {
        for (int i = 0; ok_after < 2000; ++i) {
          std::string payload = std::to_string(w) + ":" + std::to_string(i);
          auto r = co_await client.exec(cmd("ECHO", payload), 3000ms);
          if (r && r->str == payload) {
            ++(restarted ? ok_after : ok_before);
          } else if (!r && r.error->code == "redis_disconnected") {
            ++disconnected;
          } else {
            ++other;
            other_error = r ? "mismatched reply" : r.error->code + ": " + r.error->message;
          }
        }
        if (++finished == kWorkers) all_done.cancel();
      }, asio::detached);
    }
    // A command whose reply is still owed when the server dies fails as redis_disconnected.
    // (A blocking command holds its whole connection, so it gets a client of its own.)
    RedisClient blocking(ctx.get_executor(), config_for(server.url()));
    std::optional<calllog::redis::Result<Reply>> blocked;
    asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
      blocked = co_await blocking.exec(cmd("BLPOP", "never-filled", "20"), 30000ms);
    }, asio::detached);
    while (ok_before < 2000) co_await sleep_for(5ms);
    const auto killed_at = std::chrono::steady_clock::now();
    server.stop();    // SIGKILL while commands are in flight
    co_await sleep_for(300ms);  // commands issued now wait for the reconnect
    server.start();   // same port
    restarted = true;
    co_await all_done.async_wait(tok);
    BOOST_TEST_MESSAGE("before " << ok_before << ", after " << ok_after << ", disconnected "
                                 << disconnected << ", reconnects " << client.reconnects());
    BOOST_TEST_REQUIRE(blocked.has_value());
    BOOST_TEST_REQUIRE(!*blocked);
    BOOST_TEST(blocked->error->code == "redis_disconnected");
    BOOST_TEST_MESSAGE("in flight at the kill: " << blocked->error->message);
    BOOST_TEST((std::chrono::steady_clock::now() - killed_at < 20s));
    BOOST_TEST(other == 0, other_error);
    BOOST_TEST(ok_after >= 2000);
    BOOST_TEST(client.reconnects() >= 1u);
    BOOST_TEST(client.connected());
  }, 60s);
}

BOOST_AUTO_TEST_CASE(nothing_listening_fails_fast_with_clear_errors) {
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    auto cfg = config_for("redis://127.0.0.1:" + std::to_string(calllog::test::free_port()) + "/0");
    cfg.connect_timeout = 500ms;
    RedisClient client(ctx.get_executor(), cfg);
    auto c = co_await client.connect();
    BOOST_TEST_REQUIRE(!c);
    BOOST_TEST(c.error->code == "redis_connect");
    BOOST_TEST_MESSAGE("refused: " << c.error->message);
    auto t0 = std::chrono::steady_clock::now();
    auto e = co_await client.exec(cmd("PING"), 300ms);
    BOOST_TEST_REQUIRE(!e);
    BOOST_TEST(e.error->code == "redis_disconnected");
    BOOST_TEST(e.error->message.find("not connected") != std::string::npos);
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 2s));
    BOOST_TEST(!client.connected());
  });
}

BOOST_AUTO_TEST_CASE(close_fails_pending_calls_with_redis_closed) {
  RedisServer server;
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    RedisClient client(ctx.get_executor(), config_for(server.url()));
    BOOST_TEST_REQUIRE(bool(co_await client.connect()));
    asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
      co_await sleep_for(100ms);
      client.close();
    }, asio::detached);
    auto r = co_await client.exec(cmd("BLPOP", "never", "10"), 5000ms);
    BOOST_TEST_REQUIRE(!r);
    BOOST_TEST(r.error->code == "redis_closed");
    auto after = co_await client.exec(cmd("PING"));
    BOOST_TEST_REQUIRE(!after);
    BOOST_TEST(after.error->code == "redis_closed");
  });
}
