#define BOOST_TEST_MODULE redis_client
#include <boost/test/unit_test.hpp>

// The Redis client against a real redis-server: commands, pipelining, binary data, SELECT, AUTH.
#include <chrono>
#include <optional>

#include "tests/integration/redis_test_helpers.hpp"
#include "tests/support/redis_server.hpp"

using namespace calllog::test;
using calllog::redis::cmd;
using calllog::redis::pipeline;
using calllog::redis::RedisClient;
using calllog::redis::Reply;

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
