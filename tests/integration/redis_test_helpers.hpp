#pragma once
// Shared by the Redis client integration tests: run one coroutine with a time bound, build a
// client config from a URL, sleep. Not a test itself (only test_*.cpp become executables).
#include <chrono>
#include <functional>
#include <string>

// g++ 12 false positive on Asio's coroutine frame allocator once a coroutine lambda is inlined
// through std::function (-Wmismatched-new-delete); the frame is allocated and freed by Asio's pair.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include "common/redis/command.hpp"
#include "common/redis/redis_client.hpp"

namespace calllog::test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto tok = asio::as_tuple(asio::use_awaitable);

// Runs one coroutine on ctx; a test that does not finish within `limit` fails instead of hanging.
// Afterwards the context must run out of work by itself: a closed client leaves nothing behind.
inline void run_coro(asio::io_context& ctx, std::function<asio::awaitable<void>()> fn,
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
  ctx.run_for(3s);
  BOOST_TEST(ctx.stopped(), "work was left on the io_context after the clients were destroyed");
}

inline redis::RedisConfig config_for(const std::string& url) {
  std::string error;
  auto cfg = redis::parse_redis_url(url, &error);
  BOOST_TEST_REQUIRE(cfg.has_value(), error);
  cfg->connect_timeout = 2000ms;
  cfg->command_timeout = 5000ms;
  return *cfg;
}

inline asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(tok);
}

inline std::string describe(const redis::Result<redis::Reply>& r) {
  if (r) return "reply";
  return r.error->code + ": " + r.error->message;
}

}  // namespace calllog::test
