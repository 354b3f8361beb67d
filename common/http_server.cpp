#include "common/http_server.hpp"

#include <optional>
#include <set>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "common/logging.hpp"

namespace calllog {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto tok = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";
}  // namespace

struct HttpServer::State {
  State(asio::any_io_executor e, HttpServerConfig c, HttpRoutes r)
      : ex(e), cfg(std::move(c)), routes(std::move(r)), acceptor(e) {}

  // Runs on the executor's thread.
  void close_all() {
    stopped = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    for (auto* s : connections) s->close();
  }

  asio::any_io_executor ex;
  HttpServerConfig cfg;
  HttpRoutes routes;
  tcp::acceptor acceptor;
  std::set<beast::tcp_stream*> connections;   // open sessions, so stop() can close them
  bool stopped = false;
};

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Response make_response(http::status status, unsigned version, std::string_view content_type,
                       std::string body) {
  Response res{status, version};
  res.set(http::field::server, "calllog-worker");
  res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response route(HttpServer::State& st, const Request& req) {
  std::string_view target = req.target();
  target = target.substr(0, target.find('?'));
  const bool known = target == "/healthz" || target == "/readyz" ||
                     (target == "/metrics" && st.routes.metrics);
  if (!known) return make_response(http::status::not_found, req.version(), "text/plain", "not found\n");
  if (req.method() != http::verb::get) {
    auto res = make_response(http::status::method_not_allowed, req.version(), "text/plain",
                             "method not allowed\n");
    res.set(http::field::allow, "GET");
    return res;
  }
  if (target == "/healthz") return make_response(http::status::ok, req.version(), "text/plain", "ok\n");
  if (target == "/readyz") {
    bool ready = st.routes.ready && st.routes.ready();
    return ready ? make_response(http::status::ok, req.version(), "text/plain", "ready\n")
                 : make_response(http::status::service_unavailable, req.version(), "text/plain",
                                 "not ready\n");
  }
  return make_response(http::status::ok, req.version(), metrics_content_type, st.routes.metrics());
}

// The answer to a request the parser refused, or nothing when the connection should just close
// (timeout, reset, end of stream).
std::optional<http::status> refusal_for(const boost::system::error_code& ec) {
  if (ec == http::error::header_limit) return http::status::request_header_fields_too_large;
  if (ec == http::error::body_limit) return http::status::payload_too_large;
  if (ec.category() == make_error_code(http::error::end_of_stream).category() && ec != http::error::end_of_stream &&
      ec != http::error::partial_message)
    return http::status::bad_request;
  return std::nullopt;
}

// One connection: read a request, answer it, repeat while the client keeps the connection alive.
asio::awaitable<void> serve_connection(std::shared_ptr<HttpServer::State> st, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  if (st->stopped) co_return;   // stop() ran between the accept and this coroutine's start
  st->connections.insert(&stream);
  beast::flat_buffer buffer(st->cfg.header_limit + st->cfg.body_limit);
  for (;;) {
    // Read the next request: the whole of it (and any idle wait before it) within read_timeout.
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(st->cfg.header_limit));
    parser.body_limit(st->cfg.body_limit);
    stream.expires_after(st->cfg.read_timeout);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, tok);
    if (rec) {
      auto refusal = refusal_for(rec);
      if (refusal && !st->stopped) {
        auto res = make_response(*refusal, 11, "text/plain", std::string(obsolete_reason(*refusal)) + "\n");
        res.keep_alive(false);
        stream.expires_after(st->cfg.write_timeout);
        co_await http::async_write(stream, res, tok);
      }
      break;
    }
    const Request& req = parser.get();
    // Answer it.
    auto res = route(*st, req);
    res.keep_alive(req.keep_alive());
    stream.expires_after(st->cfg.write_timeout);
    auto [wec, wn] = co_await http::async_write(stream, res, tok);
    if (wec || !res.keep_alive() || st->stopped) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.socket().close(ignored);
  st->connections.erase(&stream);
}

asio::awaitable<void> accept_loop(std::shared_ptr<HttpServer::State> st) {
  while (!st->stopped) {
    auto [ec, socket] = co_await st->acceptor.async_accept(tok);
    if (st->stopped || ec == asio::error::operation_aborted) break;
    if (ec) {
      // e.g. too many open files: back off briefly rather than spin.
      log::warn("http accept failed", {{"error", ec.message()}});
      asio::steady_timer pause(st->ex, std::chrono::milliseconds(100));
      co_await pause.async_wait(tok);
      continue;
    }
    if (st->connections.size() >= st->cfg.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    asio::co_spawn(st->ex, serve_connection(st, std::move(socket)), [](std::exception_ptr e) {
      if (e) log::error("http connection ended by an exception");
    });
  }
}

}  // namespace

std::string parse_listen_address(const std::string& text, tcp::endpoint& out) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return "expected ADDR:PORT or off";
  std::string host = text.substr(0, colon);
  std::string port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size() || port > 65535) return "bad port '" + port_text + "'";
  } catch (const std::exception&) {
    return "bad port '" + port_text + "'";
  }
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return "bad address '" + host + "' (an IP address is expected)";
  out = tcp::endpoint(addr, static_cast<unsigned short>(port));
  return {};
}

HttpServer::HttpServer(asio::any_io_executor ex, HttpServerConfig cfg, HttpRoutes routes)
    : state_(std::make_shared<State>(ex, std::move(cfg), std::move(routes))) {}

HttpServer::~HttpServer() { stop(); }

HttpListenResult HttpServer::start() {
  HttpListenResult r;
  auto& st = *state_;
  if (st.cfg.listen == "off") return r;
  auto fail = [&](std::string why) {
    r.error = "--http-listen " + st.cfg.listen + ": " + why;
    return r;
  };
  tcp::endpoint ep;
  if (auto why = parse_listen_address(st.cfg.listen, ep); !why.empty()) return fail(why);
  boost::system::error_code ec;
  st.acceptor.open(ep.protocol(), ec);
  if (!ec) st.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("cannot open a socket: " + ec.message());
  st.acceptor.bind(ep, ec);
  if (ec) {
    st.acceptor.close();
    return fail("cannot bind: " + ec.message());
  }
  st.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    st.acceptor.close();
    return fail("cannot listen: " + ec.message());
  }
  r.listening = true;
  r.endpoint = st.acceptor.local_endpoint(ec);
  asio::co_spawn(st.ex, accept_loop(state_), [](std::exception_ptr e) {
    if (e) log::error("http accept loop ended by an exception");
  });
  return r;
}

void HttpServer::stop() {
  if (!state_) return;
  asio::dispatch(state_->ex, [st = state_] { st->close_all(); });
}

}  // namespace calllog
