// The CRM HTTPS client: one exchange per request() on a pooled, verified TLS connection.
// Steps, each bounded: allow-list → lease (pool) → [resolve → connect → handshake] → write →
// read. A failed exchange on a reused connection is retried once on a fresh one for
// idempotent methods.
#include <algorithm>
#include <cctype>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

#include "common/https/connect.hpp"
#include "common/https/https_client.hpp"
#include "common/https/pool.hpp"

namespace calllog::https {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

constexpr auto tok = asio::as_tuple(asio::use_awaitable);

Outcome failed(std::string code, std::string detail, bool retryable) {
  return Outcome{std::nullopt, make_failure(std::move(code), std::move(detail), retryable)};
}

bool is_idempotent(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

http::request<http::string_body> build_request(const Request& r, const Url& url,
                                               const std::string& user_agent) {
  http::request<http::string_body> req;
  auto verb = http::string_to_verb(r.method);
  if (verb == http::verb::unknown)
    req.method_string(r.method);
  else
    req.method(verb);
  req.target(url.target);
  req.version(11);
  req.set(http::field::host, url.host_header());
  req.set(http::field::user_agent, user_agent);
  req.set(http::field::accept, "application/json");
  for (const auto& [name, value] : r.headers) {
    auto field = http::string_to_field(name);
    if (field == http::field::host || field == http::field::content_length) continue;
    if (field == http::field::user_agent || field == http::field::accept)
      req.set(field, value);
    else
      req.insert(name, value);
  }
  if (r.body) {
    req.body() = *r.body;
    req.prepare_payload();
  }
  return req;
}

struct Exchange {
  std::optional<Response> response;
  std::optional<Failure> failure;
  bool keep_alive = false;
  bool peer_dropped = false;  // the failure looks like a connection closed under us
};

Failure io_failure(const error_code& ec, const char* stage) {
  if (ec == beast::error::timeout)
    return make_failure("timeout", std::string("timed out while ") + stage, true);
  if (ec == http::error::body_limit)
    return make_failure("body_too_large", "response body exceeds the size limit", false);
  if (ec == http::error::header_limit)
    return make_failure("io", "response header exceeds the size limit", false);
  return make_failure("io", std::string(stage) + ": " + ec.message(), true);
}

}  // namespace

struct Client::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex_, ClientConfig cfg_)
      : ex(ex_), cfg(std::move(cfg_)), tls(make_client_tls_context(cfg.ca_file)), sweeper(ex_) {
    if (cfg.user_agent.empty()) cfg.user_agent = std::string("calllog-worker/") + CALLLOG_VERSION;
  }

  asio::any_io_executor ex;
  ClientConfig cfg;
  asio::ssl::context tls;
  std::unordered_map<std::string, std::unique_ptr<HostPool>> pools;  // "host:port"
  asio::steady_timer sweeper;
  bool sweeping = false;  // the sweeper runs only while some connection sits idle
  uint64_t handshakes = 0;
  bool stopped = false;

  HostPool& pool_for(const Url& url) {
    auto& p = pools[url.host + ":" + std::to_string(url.port)];
    if (!p) p = std::make_unique<HostPool>(cfg.pool_size_per_host, cfg.idle_timeout);
    return *p;
  }

  asio::awaitable<Exchange> exchange(Connection& c, http::request<http::string_body>& req,
                                     Clock::time_point deadline) {
    Exchange out;
    auto& tcp = beast::get_lowest_layer(c.stream);
    tcp.expires_at(deadline);
    auto [wec, wn] = co_await http::async_write(c.stream, req, tok);
    if (wec) {
      out.failure = io_failure(wec, "sending the request");
      out.peer_dropped = wec != beast::error::timeout;
      co_return out;
    }
    http::response_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(cfg.max_body_bytes);
    if (req.method() == http::verb::head) parser.skip(true);
    auto [rec, rn] = co_await http::async_read(c.stream, c.buffer, parser, tok);
    tcp.expires_never();  // idle in the pool: no stale deadline
    if (rec) {
      out.failure = io_failure(rec, "reading the response");
      out.peer_dropped = rn == 0 && rec != beast::error::timeout;
      co_return out;
    }
    auto& msg = parser.get();
    Response resp;
    resp.status = static_cast<int>(msg.result_int());
    resp.headers.reserve(16);
    for (const auto& f : msg) resp.headers.emplace_back(lower(f.name_string()), f.value());
    resp.body = std::move(msg.body());
    out.keep_alive = msg.keep_alive() && !msg.need_eof();
    out.response = std::move(resp);
    co_return out;
  }

  asio::awaitable<Outcome> request(Request r, const AllowList& allowed,
                                   std::chrono::milliseconds timeout) {
    auto self = shared_from_this();
    auto url = parse_url(r.url);
    if (!url) co_return failed("io", "not a valid https URL", false);
    if (!allowed.allows(url->host, url->port))  // before any resolve or connect
      co_return failed("host_not_allowed", "host " + url->host_header() + " is not allowed", false);

    const auto deadline = Clock::now() + timeout;
    auto req = build_request(r, *url, cfg.user_agent);
    const bool idempotent = is_idempotent(r.method);
    for (int attempt = 0;; ++attempt) {
      HostPool& pool = pool_for(*url);
      auto lease = co_await pool.acquire(deadline, attempt > 0);
      if (!lease) co_return failed("timeout", "no connection to " + url->host_header() +
                                                  " became free in time", true);
      const bool reused = lease->conn != nullptr;
      std::unique_ptr<Connection> conn = std::move(lease->conn);
      if (!conn) {
        auto opened = co_await open_connection(ex, tls, cfg, *url, deadline);
        if (!opened.conn) {
          pool.discard();
          co_return Outcome{std::nullopt, std::move(opened.failure)};
        }
        ++handshakes;
        conn = std::move(opened.conn);
      }
      auto ex_result = co_await exchange(*conn, req, deadline);
      if (ex_result.failure) {
        conn.reset();
        pool.discard();
        if (reused && idempotent && attempt == 0 && ex_result.peer_dropped &&
            Clock::now() < deadline)
          continue;  // the pooled connection had died: once more on a fresh one
        co_return Outcome{std::nullopt, std::move(ex_result.failure)};
      }
      if (ex_result.keep_alive && !stopped) {
        pool.release(std::move(conn));
        start_sweeper();
      } else {
        conn.reset();
        pool.discard();
      }
      co_return Outcome{std::move(ex_result.response), std::nullopt};
    }
  }

  void start_sweeper() {
    if (sweeping || stopped) return;
    sweeping = true;
    asio::co_spawn(ex, sweep_idle(), asio::detached);
  }

  // Closes idle connections past idle_timeout (or closed by the server) every so often, until
  // none is left idle.
  asio::awaitable<void> sweep_idle() {
    auto self = shared_from_this();
    auto period = std::clamp(cfg.idle_timeout / 2, std::chrono::milliseconds(100),
                             std::chrono::milliseconds(5000));
    while (!stopped) {
      sweeper.expires_after(period);
      auto [ec] = co_await sweeper.async_wait(tok);
      if (ec || stopped) break;
      auto now = Clock::now();
      std::size_t idle = 0;
      for (auto& [key, pool] : pools) {
        pool->sweep(now);
        idle += pool->idle_count();
      }
      if (idle == 0) break;
    }
    sweeping = false;
  }

  void stop() {
    stopped = true;
    sweeper.cancel();
    for (auto& [key, pool] : pools) pool->close_idle();
  }
};

Client::Client(asio::any_io_executor ex, ClientConfig cfg)
    : impl_(std::make_shared<Impl>(ex, std::move(cfg))) {}

Client::~Client() { impl_->stop(); }

void Client::close() { impl_->stop(); }

asio::awaitable<Outcome> Client::request(Request req, const AllowList& allowed) {
  auto impl = impl_;
  co_return co_await impl->request(std::move(req), allowed, impl->cfg.request_timeout);
}

asio::awaitable<Outcome> Client::request(Request req, const AllowList& allowed,
                                         std::chrono::milliseconds timeout) {
  auto impl = impl_;
  co_return co_await impl->request(std::move(req), allowed, timeout);
}

uint64_t Client::handshakes() const { return impl_->handshakes; }

}  // namespace calllog::https
