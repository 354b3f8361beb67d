#define BOOST_TEST_MODULE redis_failures
#include <boost/test/unit_test.hpp>

// The Redis client when things go wrong: timeouts, cancellation, restarts, refused and silent
// servers, close().
#include <chrono>
#include <optional>

#include <signal.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tests/integration/redis_test_helpers.hpp"
#include "tests/support/redis_server.hpp"

using namespace calllog::test;
using calllog::redis::cmd;
using calllog::redis::pipeline;
using calllog::redis::RedisClient;
using calllog::redis::Reply;

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

BOOST_AUTO_TEST_CASE(silent_server_times_out_and_close_interrupts_connecting) {
  asio::io_context ctx;
  // Accepts TCP connections (the kernel's backlog) but never answers.
  asio::ip::tcp::acceptor silent(ctx, {asio::ip::make_address("127.0.0.1"), 0});
  const auto url = "redis://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/0";
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    auto cfg = config_for(url);
    cfg.connect_timeout = 300ms;
    RedisClient quick(ctx.get_executor(), cfg);
    auto t0 = std::chrono::steady_clock::now();
    auto c = co_await quick.connect();
    BOOST_TEST_REQUIRE(!c);
    BOOST_TEST(c.error->code == "redis_connect");
    BOOST_TEST(c.error->message.find("no answer within 300 ms") != std::string::npos,
               c.error->message);
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 2s));

    cfg.connect_timeout = 20s;
    RedisClient slow(ctx.get_executor(), cfg);
    asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
      co_await sleep_for(100ms);
      slow.close();
    }, asio::detached);
    t0 = std::chrono::steady_clock::now();
    auto s = co_await slow.connect();
    BOOST_TEST_REQUIRE(!s);
    BOOST_TEST(s.error->code == "redis_closed");
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 2s));
  });  // run_coro then checks that the closed clients left no work behind
}

namespace {

int server_pid(const RedisServer& server) {
  auto info = server.command({"INFO", "server"});
  auto at = info.find("process_id:");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  return std::stoi(info.substr(at + 11));
}

struct ResumeOnExit {
  int pid;
  ~ResumeOnExit() { ::kill(pid, SIGCONT); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(hung_server_link_is_dropped_and_the_client_recovers) {
  RedisServer server;
  asio::io_context ctx;
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    auto cfg = config_for(server.url());
    cfg.connect_timeout = 500ms;
    cfg.command_timeout = 200ms;
    RedisClient client(ctx.get_executor(), cfg);
    BOOST_TEST_REQUIRE(bool(co_await client.connect()));
    const int pid = server_pid(server);
    ResumeOnExit resume{pid};
    ::kill(pid, SIGSTOP);  // the socket stays open, nothing answers
    int timeouts = 0, disconnected = 0, other = 0;
    for (auto end = std::chrono::steady_clock::now() + 2500ms;
         std::chrono::steady_clock::now() < end;) {
      auto r = co_await client.exec(cmd("PING"));
      if (r) ++other;
      else if (r.error->code == "redis_timeout") ++timeouts;
      else if (r.error->code == "redis_disconnected") ++disconnected;
      else ++other;
    }
    BOOST_TEST_MESSAGE("while hung: " << timeouts << " timeouts, " << disconnected
                                      << " not connected");
    BOOST_TEST(timeouts >= 2);
    BOOST_TEST(disconnected >= 1);  // the stuck link was dropped; reconnects are refused
    BOOST_TEST(other == 0);
    ::kill(pid, SIGCONT);
    auto r = co_await client.exec(cmd("ECHO", "back"), 5000ms);
    BOOST_TEST_REQUIRE(bool(r), describe(r));
    BOOST_TEST(r->str == "back");
    BOOST_TEST(client.reconnects() >= 1u);
  });
}
