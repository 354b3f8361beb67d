// The mock CRM's TLS server: accept loop, one keep-alive session coroutine per connection.
#include "server.hpp"

#include <openssl/ssl.h>

#include <cstdio>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "common/json.hpp"
#include "request_parse.hpp"

namespace mock {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

asio::ssl::context make_server_tls(const ServerOptions& o) {
  asio::ssl::context ctx(asio::ssl::context::tls_server);
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.use_certificate_chain_file(o.cert);
  ctx.use_private_key_file(o.key, asio::ssl::context::pem);
  return ctx;
}
}  // namespace

std::string Stats::json() const {
  return "{\"handshakes\":" + std::to_string(handshakes) +
         ",\"connections\":" + std::to_string(connections) + ",\"open\":" + std::to_string(open) +
         ",\"requests\":" + std::to_string(requests) + "}";
}

Server::Server(asio::io_context& io, ServerOptions opts, const Router& router)
    : io_(io), opts_(std::move(opts)), router_(router), tls_(make_server_tls(opts_)),
      acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), opts_.port)),
      chaos_(opts_.chaos) {
  if (!opts_.record_file.empty()) {
    record_ = std::fopen(opts_.record_file.c_str(), "a");
    if (!record_) throw std::runtime_error("cannot open record file " + opts_.record_file);
  }
  stats_changed();
}

Server::~Server() {
  if (record_) std::fclose(record_);
}

uint16_t Server::port() const { return acceptor_.local_endpoint().port(); }

asio::awaitable<void> Server::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(tok);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // e.g. EMFILE: keep serving the others
    asio::co_spawn(io_, session(std::move(socket)), asio::detached);
  }
}

void Server::stats_changed() {
  if (opts_.stats_file.empty()) return;
  std::string tmp = opts_.stats_file + ".tmp";
  if (std::FILE* f = std::fopen(tmp.c_str(), "w")) {
    std::string s = stats_.json() + "\n";
    std::fwrite(s.data(), 1, s.size(), f);
    std::fclose(f);
    std::rename(tmp.c_str(), opts_.stats_file.c_str());
  }
}

void Server::record(const MockRequest& req, const std::string& headers_json, const std::string& chaos) {
  ++seq_;
  if (!record_) return;
  std::string line = "{\"seq\":" + std::to_string(seq_) +
                     ",\"method\":" + calllog::json::quoted(req.method) +
                     ",\"target\":" + calllog::json::quoted(req.target) +
                     ",\"host\":" + calllog::json::quoted(req.host_header) +
                     ",\"headers\":" + headers_json + ",\"body\":";
  if (req.json_ok)
    line += calllog::json::to_string(req.json);
  else if (req.body.empty())
    line += "null";
  else
    line += calllog::json::quoted(req.body);
  if (!chaos.empty()) line += ",\"chaos\":" + calllog::json::quoted(chaos);
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), record_);
  std::fflush(record_);
}

asio::awaitable<void> Server::session(tcp::socket socket) {
  socket.set_option(tcp::no_delay(true));
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), tls_);
  auto& tcp_layer = beast::get_lowest_layer(stream);
  ++stats_.connections;
  ++stats_.open;
  stats_changed();

  tcp_layer.expires_after(10s);
  auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, tok);
  if (!hec) {
    ++stats_.handshakes;
    stats_changed();
    beast::flat_buffer buffer;
    bool drop_armed = false;  // set by a /__arm_drop answer
    bool drop = false;        // leave without TLS close_notify
    bool reset = false;       // chaos: leave with a TCP reset, no answer
    for (;;) {
      tcp_layer.expires_after(300s);  // idle keep-alive limit
      http::request_parser<http::string_body> parser;
      parser.header_limit(64 * 1024);
      parser.body_limit(64 * 1024 * 1024);
      auto [rec, rn] = co_await http::async_read(stream, buffer, parser, tok);
      if (rec) break;
      auto msg = parser.release();
      const bool keep_alive = msg.keep_alive();
      const unsigned version = msg.version();

      MockRequest req;
      std::string headers_json;
      to_mock_request(msg, req, headers_json);
      MockResponse answer;
      ChaosChoice chaos;
      if (drop_armed) {
        record(req, headers_json);
        drop = true;
        break;
      }
      if (req.path == "/__stats") {
        answer = MockResponse::json(200, stats_.json());
      } else {
        chaos = chaos_.choose(req);
        record(req, headers_json, chaos.label());
        ++stats_.requests;
        if (chaos.status)  // no side effect: the CRM never saw it
          answer = Chaos::failure_answer(chaos.status);
        else if (auto injected = injected_status(req))
          answer = std::move(*injected);
        else if (auto routed = router_.route(req))
          answer = std::move(*routed);
        else
          answer = MockResponse::json(404, R"({"error":"no mock route"})");
      }
      if (chaos.extra_latency.count() > 0) {
        asio::steady_timer jitter(io_, chaos.extra_latency);
        co_await jitter.async_wait(tok);
      }
      if (chaos.reset) {  // handled (a write happened), but the client never hears of it
        reset = true;
        break;
      }

      drop_armed = answer.drop_next;
      if (answer.hang) {  // never answer: wait until the client goes away
        tcp_layer.expires_after(600s);
        char sink[512];
        for (;;) {
          auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), tok);
          if (ec) break;
        }
        break;
      }
      if (opts_.latency.count() > 0) {
        asio::steady_timer delay(io_, opts_.latency);
        co_await delay.async_wait(tok);
      }
      http::response<http::string_body> res{static_cast<http::status>(answer.status), version};
      for (auto& [name, value] : answer.headers) res.insert(name, value);
      res.keep_alive(keep_alive && !answer.close);
      res.body() = std::move(answer.body);
      res.prepare_payload();
      tcp_layer.expires_after(30s);
      auto [wec, wn] = co_await http::async_write(stream, res, tok);
      if (wec || !res.keep_alive()) break;
    }
    if (reset) {
      boost::system::error_code ignored;
      tcp_layer.socket().set_option(tcp::socket::linger(true, 0), ignored);  // close → RST
      tcp_layer.socket().close(ignored);
    } else if (drop) {
      tcp_layer.close();
    } else {
      tcp_layer.expires_after(2s);
      co_await stream.async_shutdown(tok);
    }
  }
  --stats_.open;
  stats_changed();
}

}  // namespace mock
