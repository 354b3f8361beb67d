#pragma once
// The worker's small HTTP/1.1 server (CONTRACT §7) on Beast, running on the worker's own
// io_context: GET /metrics, /healthz, /readyz. One coroutine per connection, keep-alive, a deadline
// on every read and write (a slow or silent client is dropped when its deadline passes), limits on
// request size and on the number of open connections.
//
//   HttpServer http(io.get_executor(), {.listen = cfg.http_listen},
//                   {.metrics = [&] { return metrics.render(); }, .ready = [&] { return w.ready(); }});
//   if (auto r = http.start(); !r) { std::cerr << r.error << "\n"; return 2; }
//   ...
//   http.stop();   // closes the acceptor and every connection
//
// Routes: GET /metrics → 200 text/plain; version=0.0.4 (404 when no metrics function is given);
// GET /healthz → 200 while the process runs; GET /readyz → 200 when ready() says so, else 503
// (503 when no ready function is given). Unknown path → 404; a known path with another method
// → 405 with Allow: GET. A query string is ignored.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace calllog {

struct HttpServerConfig {
  std::string listen = "127.0.0.1:9102";   // ADDR:PORT ([v6]:PORT for IPv6), or "off"
  // Whole request (headers and body) must arrive within this, counted from the first read; the
  // same deadline bounds a keep-alive connection's idle wait for its next request.
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::size_t header_limit = 8 * 1024;     // request line + headers
  std::size_t body_limit = 4 * 1024;       // our routes take no body
  std::size_t max_connections = 64;        // further connections are closed at once
};

struct HttpRoutes {
  std::function<std::string()> metrics;   // body of GET /metrics
  std::function<bool()> ready;            // GET /readyz: 200 when true, else 503
};

// Outcome of start(): success, or one line saying why not, e.g.
// "--http-listen 127.0.0.1:9102: cannot bind: Address already in use".
struct HttpListenResult {
  std::string error;                       // empty on success
  bool listening = false;                  // false for "off"
  boost::asio::ip::tcp::endpoint endpoint;   // the bound address (port resolved when 0 was given)
  explicit operator bool() const { return error.empty(); }
};

class HttpServer {
 public:
  HttpServer(boost::asio::any_io_executor ex, HttpServerConfig cfg, HttpRoutes routes);
  ~HttpServer();   // stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting (the accept loop runs on the executor). Call once.
  HttpListenResult start();
  // Closes the acceptor and every open connection; in-progress requests are dropped. Safe to call
  // from any thread and more than once.
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;   // shared with the running coroutines, which may outlive *this
};

// Parses "ADDR:PORT" ("[::1]:9102", ":9102" = all IPv4 interfaces, "localhost:9102");
// returns an empty string on success or a one-line reason.
std::string parse_listen_address(const std::string& text, boost::asio::ip::tcp::endpoint& out);

}  // namespace calllog
