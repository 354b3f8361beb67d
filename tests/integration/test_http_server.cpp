// HttpServer over loopback: every route, readiness flipping to 503, keep-alive, request limits,
// a bind conflict reported as an error value, a slow-loris client dropped at its deadline, and
// stop() closing idle keep-alive connections.
#define BOOST_TEST_MODULE http_server
#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "common/http_server.hpp"
#include "common/metrics.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using calllog::HttpServer;
using calllog::HttpServerConfig;

namespace {

// A server on its own io_context thread, listening on 127.0.0.1:<ephemeral>.
struct Fixture {
  explicit Fixture(HttpServerConfig cfg = {}) {
    cfg.listen = "127.0.0.1:0";
    metrics.event_taken();
    server.emplace(io.get_executor(), cfg,
                   calllog::HttpRoutes{.metrics = [this] { return metrics.render(); },
                                       .ready = [this] { return ready.load(); }});
    auto r = server->start();
    BOOST_TEST_REQUIRE(bool(r), r.error);
    BOOST_TEST_REQUIRE(r.listening);
    endpoint = r.endpoint;
    thread = std::thread([this] { io.run(); });
  }
  ~Fixture() {
    server->stop();
    work.reset();
    thread.join();
  }

  calllog::Metrics metrics;
  std::atomic<bool> ready{true};
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::optional<HttpServer> server;
  tcp::endpoint endpoint;
  std::thread thread;
};

// A blocking client socket whose reads give up after 5 s (so a broken server fails, not hangs).
struct Client {
  explicit Client(const tcp::endpoint& ep) : socket(io) {
    socket.connect(ep);
    timeval tv{5, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void send(const std::string& bytes) { asio::write(socket, asio::buffer(bytes)); }
  std::optional<http::response<http::string_body>> read_response() {
    http::response<http::string_body> res;
    boost::system::error_code ec;
    http::read(socket, buffer, res, ec);
    if (ec) return std::nullopt;
    return res;
  }
  // True when the server has closed the connection (EOF or reset), waiting at most `wait`.
  bool closed_by_peer(std::chrono::milliseconds wait) {
    pollfd p{socket.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
    char c;
    return ::recv(socket.native_handle(), &c, 1, MSG_DONTWAIT) <= 0;
  }
  asio::io_context io;
  tcp::socket socket;
  beast::flat_buffer buffer;
};

http::response<http::string_body> get(const tcp::endpoint& ep, const std::string& method,
                                      const std::string& target) {
  Client c(ep);
  c.send(method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto res = c.read_response();
  BOOST_TEST_REQUIRE(res.has_value(), "no response to " << method << " " << target);
  return *res;
}

}  // namespace

BOOST_AUTO_TEST_CASE(routes) {
  Fixture f;
  auto health = get(f.endpoint, "GET", "/healthz");
  BOOST_TEST(health.result_int() == 200);
  BOOST_TEST(health.body() == "ok\n");
  BOOST_TEST(get(f.endpoint, "GET", "/healthz?verbose=1").result_int() == 200);

  auto metrics = get(f.endpoint, "GET", "/metrics");
  BOOST_TEST(metrics.result_int() == 200);
  BOOST_TEST(std::string(metrics[http::field::content_type]).find("text/plain; version=0.0.4") == 0u);
  BOOST_TEST(metrics.body().find("\ncalllog_events_taken_total 1\n") != std::string::npos);
  BOOST_TEST(metrics.body().find("# TYPE calllog_event_duration_seconds histogram") != std::string::npos);

  BOOST_TEST(get(f.endpoint, "GET", "/readyz").result_int() == 200);
  f.ready = false;
  auto not_ready = get(f.endpoint, "GET", "/readyz");
  BOOST_TEST(not_ready.result_int() == 503);
  f.ready = true;
  BOOST_TEST(get(f.endpoint, "GET", "/readyz").result_int() == 200);

  BOOST_TEST(get(f.endpoint, "GET", "/").result_int() == 404);
  BOOST_TEST(get(f.endpoint, "GET", "/metricsx").result_int() == 404);
  auto post = get(f.endpoint, "POST", "/metrics");
  BOOST_TEST(post.result_int() == 405);
  BOOST_TEST(std::string(post[http::field::allow]) == "GET");
  BOOST_TEST(get(f.endpoint, "DELETE", "/healthz").result_int() == 405);
}

BOOST_AUTO_TEST_CASE(keep_alive_and_pipelining) {
  Fixture f;
  Client c(f.endpoint);
  // Two requests written at once, then a third after the answers: one connection serves all.
  c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto a = c.read_response();
  auto b = c.read_response();
  BOOST_TEST_REQUIRE((a && b));
  BOOST_TEST(a->body() == "ok\n");
  BOOST_TEST(b->body() == "ready\n");
  c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  auto m = c.read_response();
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->result_int() == 200);
  BOOST_TEST(m->keep_alive());
}

BOOST_AUTO_TEST_CASE(request_limits) {
  HttpServerConfig cfg;
  cfg.header_limit = 1024;
  cfg.body_limit = 16;
  Fixture f(cfg);
  {
    Client c(f.endpoint);
    c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
    auto res = c.read_response();
    BOOST_TEST_REQUIRE(res.has_value());
    BOOST_TEST(res->result_int() == 431);
    BOOST_TEST(c.closed_by_peer(2s));
  }
  {
    Client c(f.endpoint);
    c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b'));
    auto res = c.read_response();
    BOOST_TEST_REQUIRE(res.has_value());
    BOOST_TEST(res->result_int() == 413);
  }
  {
    Client c(f.endpoint);
    c.send("NOT HTTP AT ALL\r\n\r\n");
    auto res = c.read_response();
    BOOST_TEST_REQUIRE(res.has_value());
    BOOST_TEST(res->result_int() == 400);
  }
}

BOOST_AUTO_TEST_CASE(bind_conflict_is_an_error_value) {
  Fixture f;
  asio::io_context io;
  HttpServerConfig cfg;
  cfg.listen = "127.0.0.1:" + std::to_string(f.endpoint.port());
  HttpServer second(io.get_executor(), cfg, {});
  auto r = second.start();
  BOOST_TEST(!r);
  BOOST_TEST(r.error.find("--http-listen " + cfg.listen + ": cannot bind: ") == 0u, r.error);
  BOOST_TEST(r.error.find("in use") != std::string::npos, r.error);
  // The first server is unaffected.
  BOOST_TEST(get(f.endpoint, "GET", "/healthz").result_int() == 200);
}

BOOST_AUTO_TEST_CASE(listen_address_forms) {
  asio::io_context io;
  auto start = [&](const std::string& listen) {
    HttpServerConfig cfg;
    cfg.listen = listen;
    HttpServer s(io.get_executor(), cfg, {});
    return s.start();
  };
  auto off = start("off");
  BOOST_TEST(bool(off));
  BOOST_TEST(!off.listening);
  BOOST_TEST(start("127.0.0.1").error == "--http-listen 127.0.0.1: expected ADDR:PORT or off");
  BOOST_TEST(start("127.0.0.1:http").error == "--http-listen 127.0.0.1:http: bad port 'http'");
  BOOST_TEST(start("127.0.0.1:70000").error == "--http-listen 127.0.0.1:70000: bad port '70000'");
  BOOST_TEST(start("example.test:9102").error.find("bad address 'example.test'") != std::string::npos);
  tcp::endpoint ep;
  BOOST_TEST(calllog::parse_listen_address("[::1]:9102", ep).empty());
  BOOST_TEST(ep.address().is_v6());
  BOOST_TEST(calllog::parse_listen_address(":9102", ep).empty());
  BOOST_TEST(ep.address().to_string() == "0.0.0.0");
  BOOST_TEST(calllog::parse_listen_address("localhost:1", ep).empty());
  BOOST_TEST(ep.address().to_string() == "127.0.0.1");
  io.run();   // the servers were destroyed: nothing may be left running
}

BOOST_AUTO_TEST_CASE(slow_loris_is_dropped_at_the_read_deadline) {
  HttpServerConfig cfg;
  cfg.read_timeout = 500ms;
  Fixture f(cfg);
  Client c(f.endpoint);
  const auto begin = std::chrono::steady_clock::now();
  c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  // Trickle one header byte every 50 ms, for up to 5 s; the server must hang up on its own.
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {
    ::send(c.socket.native_handle(), "a", 1, MSG_NOSIGNAL);
    closed = c.closed_by_peer(50ms);
  }
  const auto elapsed = std::chrono::steady_clock::now() - begin;
  BOOST_TEST(closed, "the server kept a trickling client past its read deadline");
  BOOST_TEST(elapsed >= 400ms);
  BOOST_TEST(elapsed < 2s, "dropped after " << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms");
}

BOOST_AUTO_TEST_CASE(idle_keep_alive_connection_times_out) {
  HttpServerConfig cfg;
  cfg.read_timeout = 300ms;
  Fixture f(cfg);
  Client c(f.endpoint);
  c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST_REQUIRE(c.read_response().has_value());
  BOOST_TEST(c.closed_by_peer(3s));
}

BOOST_AUTO_TEST_CASE(stop_closes_acceptor_and_connections) {
  Fixture f;
  Client c(f.endpoint);
  c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST_REQUIRE(c.read_response().has_value());
  f.server->stop();
  BOOST_TEST(c.closed_by_peer(2s), "an idle keep-alive connection survived stop()");
  boost::system::error_code ec;
  asio::io_context io;
  tcp::socket s(io);
  s.connect(f.endpoint, ec);
  BOOST_TEST(bool(ec), "the acceptor still accepts after stop()");
}

BOOST_AUTO_TEST_CASE(connection_limit) {
  HttpServerConfig cfg;
  cfg.max_connections = 2;
  Fixture f(cfg);
  Client a(f.endpoint), b(f.endpoint);
  a.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  b.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST_REQUIRE((a.read_response() && b.read_response()));
  Client over(f.endpoint);   // the kernel accepts; the server closes it at once
  BOOST_TEST(over.closed_by_peer(2s));
  BOOST_TEST(a.closed_by_peer(0ms) == false);
}
