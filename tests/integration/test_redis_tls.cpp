#define BOOST_TEST_MODULE redis_tls
#include <boost/test/unit_test.hpp>

// rediss://: our client against a real redis-server with TLS on, using a CA generated at test
// time. Verification is on: a certificate from another CA or for another host name is refused.
#include <chrono>
#include <functional>

// g++ 12 false positive on Asio's coroutine frame allocator once a coroutine lambda is inlined
// through std::function (-Wmismatched-new-delete); the frame is allocated and freed by Asio's pair.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/redis/command.hpp"
#include "common/redis/redis_client.hpp"
#include "tests/integration/redis_test_helpers.hpp"
#include "tests/support/process.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using calllog::redis::cmd;
using calllog::redis::parse_redis_url;
using calllog::redis::RedisClient;
using calllog::redis::RedisConfig;
using calllog::test::Process;
using calllog::test::TempDir;
using calllog::test::run_coro;
using calllog::test::tok;

namespace {

void openssl(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), "/usr/bin/openssl");
  for (auto& a : args)
    if (a.starts_with("@")) a = dir.file(a.substr(1));
  auto r = calllog::test::run(args, {}, {}, 30s);
  BOOST_TEST_REQUIRE(r.exit_code == 0, "openssl failed: " << r.err);
}

// A CA, and a server certificate it signs for `san` (e.g. "DNS:localhost,IP:127.0.0.1").
void make_ca(const TempDir& dir, const std::string& name) {
  openssl(dir, {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", "@" + name + ".key", "-out", "@" + name + ".crt", "-days", "1",
                "-subj", "/CN=calllog test " + name});
}

void make_server_cert(const TempDir& dir, const std::string& ca, const std::string& name,
                      const std::string& san) {
  calllog::test::write_file(dir.file(name + ".ext"), "subjectAltName=" + san + "\n");
  openssl(dir, {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "@" + name + ".key", "-out", "@" + name + ".csr", "-subj",
                "/CN=" + name});
  openssl(dir, {"x509", "-req", "-in", "@" + name + ".csr", "-CA", "@" + ca + ".crt", "-CAkey",
                "@" + ca + ".key", "-CAcreateserial", "-out", "@" + name + ".crt", "-days", "1",
                "-extfile", "@" + name + ".ext"});
}

struct TlsRedis {
  TlsRedis(const TempDir& dir, const std::string& cert) : port(calllog::test::free_port()) {
    proc = Process({"/usr/bin/redis-server", "--port", "0", "--tls-port", std::to_string(port),
                    "--bind", "127.0.0.1", "--tls-cert-file", dir.file(cert + ".crt"),
                    "--tls-key-file", dir.file(cert + ".key"), "--tls-ca-cert-file",
                    dir.file("ca.crt"), "--tls-auth-clients", "no", "--save", "",
                    "--appendonly", "no", "--dir", dir.path()},
                   {}, dir.file(cert + ".out"), dir.file(cert + ".err"));
    BOOST_TEST_REQUIRE(calllog::test::wait_for_port(port), "TLS redis-server did not start");
  }
  uint16_t port;
  Process proc;
};

struct Fixture {
  Fixture() {
    make_ca(dir, "ca");
    make_ca(dir, "other-ca");
    make_server_cert(dir, "ca", "good", "DNS:localhost,IP:127.0.0.1");
    make_server_cert(dir, "ca", "misnamed", "DNS:wrong.example");
  }
  RedisConfig config(const std::string& url, const std::string& ca) {
    std::string error;
    auto cfg = parse_redis_url(url, &error);
    BOOST_TEST_REQUIRE(cfg.has_value(), error);
    if (!ca.empty()) cfg->ca_file = dir.file(ca + ".crt");
    cfg->connect_timeout = 3000ms;
    return *cfg;
  }
  TempDir dir;
  asio::io_context ctx;
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(rediss_with_our_ca_works_and_pipelines, Fixture) {
  TlsRedis server(dir, "good");
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    for (std::string host : {"127.0.0.1", "localhost"}) {
      auto url = "rediss://" + host + ":" + std::to_string(server.port) + "/2";
      RedisClient client(ctx.get_executor(), config(url, "ca"));
      auto c = co_await client.connect();
      BOOST_TEST_REQUIRE(bool(c), host << ": " << c.error->message);
      std::string value("tls\0value\xff", 10);
      auto set = co_await client.exec(cmd("SET", "k", value));
      BOOST_TEST_REQUIRE(bool(set));
      // 1,000 calls from 50 coroutines: reads and writes overlap on the TLS stream.
      int matched = 0, finished = 0;
      asio::steady_timer all_done(ctx, std::chrono::steady_clock::time_point::max());
      for (int w = 0; w < 50; ++w) {
        asio::co_spawn(ctx, [&, w]() -> asio::awaitable<void> {
          for (int i = 0; i < 20; ++i) {
            auto payload = std::to_string(w) + "/" + std::to_string(i);
            auto r = co_await client.exec(cmd("ECHO", payload));
            if (r && r->str == payload) ++matched;
          }
          if (++finished == 50) all_done.cancel();
        }, asio::detached);
      }
      co_await all_done.async_wait(tok);
      BOOST_TEST(matched == 1000);
      auto get = co_await client.exec(cmd("GET", "k"));
      BOOST_TEST_REQUIRE(bool(get));
      BOOST_TEST((get->str == value));
    }
  });
}

BOOST_FIXTURE_TEST_CASE(rediss_refuses_an_unknown_ca, Fixture) {
  TlsRedis server(dir, "good");
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    auto url = "rediss://127.0.0.1:" + std::to_string(server.port) + "/0";
    for (std::string ca : {"other-ca", ""}) {  // a foreign CA, then the system store
      RedisClient client(ctx.get_executor(), config(url, ca));
      auto c = co_await client.connect();
      BOOST_TEST_REQUIRE(!c);
      BOOST_TEST(c.error->code == "redis_connect");
      BOOST_TEST(c.error->message.find("TLS handshake failed") != std::string::npos,
                 c.error->message);
      BOOST_TEST_MESSAGE("unknown CA: " << c.error->message);
    }
  });
}

BOOST_FIXTURE_TEST_CASE(rediss_refuses_a_certificate_for_another_host, Fixture) {
  TlsRedis server(dir, "misnamed");
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    auto url = "rediss://localhost:" + std::to_string(server.port) + "/0";
    RedisClient client(ctx.get_executor(), config(url, "ca"));
    auto c = co_await client.connect();
    BOOST_TEST_REQUIRE(!c);
    BOOST_TEST(c.error->code == "redis_connect");
    BOOST_TEST(c.error->message.find("TLS handshake failed") != std::string::npos);
  });
}

BOOST_FIXTURE_TEST_CASE(missing_ca_file_is_a_clear_error, Fixture) {
  run_coro(ctx, [&]() -> asio::awaitable<void> {
    auto cfg = config("rediss://127.0.0.1:1/0", "");
    cfg.ca_file = dir.file("no-such-ca.crt");
    RedisClient client(ctx.get_executor(), cfg);
    auto c = co_await client.connect();
    BOOST_TEST_REQUIRE(!c);
    BOOST_TEST(c.error->code == "redis_connect");
    BOOST_TEST(c.error->message.find("no-such-ca.crt") != std::string::npos, c.error->message);
  });
}
