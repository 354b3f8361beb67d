// The worker's HTTP endpoints (CONTRACT §7) on a real run: /healthz, /readyz (503 while Redis is
// gone), /metrics counting a mix of outcomes; a taken --http-listen port is a configuration error.
#define BOOST_TEST_MODULE worker_http
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "tests/support/http_probe.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/worker_process.hpp"

using namespace calllog::test;
using namespace std::chrono_literals;

namespace {

// The value of one sample line ("name{labels} value") in Prometheus text, or -1.
double sample(const std::string& text, const std::string& series) {
  auto p = text.find("\n" + series + " ");
  if (p == std::string::npos) return -1;
  return std::stod(text.substr(p + series.size() + 2));
}

std::string event(int i, const std::string& session) {
  return R"({"id":"evt-h-)" + std::to_string(i) + R"(","platform":"sandbox","user":{"id":"u"},"contactInfo":{"id":"c1","name":"C"},)"
         R"("authHeader":"Bearer x","callLog":{"sessionId":")" + session + R"(","duration":5,"direction":"Inbound"}})";
}

bool wait_status(uint16_t port, const std::string& path, int status, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (http_get(port, path).status == status) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(health_readiness_and_metrics) {
  RedisServer redis;
  TempDir dir;
  const uint16_t port = free_port();
  WorkerProcess w(redis, dir, {"--http-listen", "127.0.0.1:" + std::to_string(port), "--worker-id", "http-1"});
  BOOST_REQUIRE(wait_status(port, "/readyz", 200, 10s));
  BOOST_TEST(http_get(port, "/healthz").status == 200);
  BOOST_TEST(http_get(port, "/nope").status == 404);

  redis.lpush("calllog:events", event(1, "h-1"));
  redis.lpush("calllog:events", event(2, "h-2"));
  redis.lpush("calllog:events", event(3, "h-3"));
  redis.lpush("calllog:events", event(4, "h-1"));  // duplicate session
  redis.lpush("calllog:events", "not json");
  BOOST_REQUIRE_EQUAL(wait_for_length(redis, "calllog:replies", 5, 30s), 5);
  auto m = http_get(port, "/metrics");
  BOOST_REQUIRE(m.status == 200);
  BOOST_TEST(sample(m.body, "calllog_events_taken_total") == 5);
  BOOST_TEST(sample(m.body, "calllog_replies_total{status=\"logged\"}") == 3);
  BOOST_TEST(sample(m.body, "calllog_replies_total{status=\"duplicate\"}") == 1);
  BOOST_TEST(sample(m.body, "calllog_replies_total{status=\"failed\"}") == 1);
  BOOST_TEST(sample(m.body, "calllog_dead_letters_total{code=\"invalid_event\"}") == 1);
  BOOST_TEST(sample(m.body, "calllog_in_flight") == 0);
  BOOST_TEST(sample(m.body, "calllog_event_duration_seconds_count") == 5);
  BOOST_TEST(m.body.find("calllog_build_info{version=") != std::string::npos);

  // Redis gone: not ready (but alive); back: ready again.
  redis.stop();
  BOOST_TEST(wait_status(port, "/readyz", 503, 15s));
  BOOST_TEST(http_get(port, "/healthz").status == 200);
  redis.start();
  BOOST_TEST(wait_status(port, "/readyz", 200, 20s));
  auto m2 = http_get(port, "/metrics");
  BOOST_TEST(sample(m2.body, "calllog_redis_reconnects_total") >= 1);
  BOOST_TEST(w.stop() == 0);
}

BOOST_AUTO_TEST_CASE(a_taken_listen_port_is_a_configuration_error) {
  RedisServer redis;
  TempDir dir;
  const uint16_t port = free_port();
  WorkerProcess first(redis, dir, {"--http-listen", "127.0.0.1:" + std::to_string(port), "--worker-id", "a"});
  BOOST_REQUIRE(wait_status(port, "/healthz", 200, 10s));
  auto r = run({worker_bin(), "run", "--redis-url", redis.url(), "--http-listen", "127.0.0.1:" + std::to_string(port),
                "--worker-id", "b"},
               "", {}, 20s);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("Address already in use") != std::string::npos, r.err);
}
