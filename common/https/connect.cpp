// resolve → connect → handshake, each step bounded by one connect deadline.
#include "common/https/connect.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace calllog::https {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto tok = asio::as_tuple(asio::use_awaitable);

Opened fail(std::string code, std::string detail, bool retryable) {
  return Opened{nullptr, make_failure(std::move(code), std::move(detail), retryable)};
}

struct Resolved {
  std::vector<tcp::endpoint> endpoints;
  std::optional<Failure> failure;
};

// getaddrinfo cannot be interrupted, so the lookup runs detached with its own state and we
// stop waiting for it at the deadline.
struct PendingLookup {
  explicit PendingLookup(asio::any_io_executor ex) : resolver(ex), done_signal(ex) {}
  tcp::resolver resolver;
  asio::steady_timer done_signal;
  bool done = false;
  error_code ec;
  tcp::resolver::results_type results;
};

asio::awaitable<Resolved> resolve(asio::any_io_executor ex, const ClientConfig& cfg,
                                  const Url& url, Clock::time_point deadline) {
  Resolved out;
  const std::string key = url.host + ":" + std::to_string(url.port);
  if (auto it = cfg.resolve.find(key); it != cfg.resolve.end()) {
    std::string addr = it->second;
    if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']')
      addr = addr.substr(1, addr.size() - 2);
    error_code ec;
    auto ip = asio::ip::make_address(addr, ec);
    if (ec) {
      out.failure = make_failure("dns", "--resolve address for " + key + " is not an IP", false);
    } else {
      out.endpoints.emplace_back(ip, url.port);
    }
    co_return out;
  }
  auto lookup = std::make_shared<PendingLookup>(ex);
  lookup->done_signal.expires_at(deadline);
  lookup->resolver.async_resolve(
      url.host, std::to_string(url.port),
      [lookup](error_code ec, tcp::resolver::results_type results) {
        lookup->done = true;
        lookup->ec = ec;
        lookup->results = std::move(results);
        lookup->done_signal.cancel();
      });
  co_await lookup->done_signal.async_wait(tok);
  if (!lookup->done) {
    lookup->resolver.cancel();
    out.failure = make_failure("timeout", "timed out resolving " + url.host, true);
  } else if (lookup->ec) {
    bool permanent = lookup->ec == asio::error::host_not_found;
    out.failure = make_failure("dns", "cannot resolve " + url.host + ": " + lookup->ec.message(),
                               !permanent);
  } else {
    for (const auto& e : lookup->results) out.endpoints.push_back(e.endpoint());
    if (out.endpoints.empty()) out.failure = make_failure("dns", "no address for " + url.host, true);
  }
  co_return out;
}

}  // namespace

asio::awaitable<Opened> open_connection(asio::any_io_executor ex, asio::ssl::context& tls,
                                        const ClientConfig& cfg, const Url& url,
                                        Clock::time_point request_deadline) {
  const auto deadline = std::min(request_deadline, Clock::now() + cfg.connect_timeout);
  const std::string where = url.host_header();

  auto resolved = co_await resolve(ex, cfg, url, deadline);
  if (resolved.failure) co_return Opened{nullptr, std::move(resolved.failure)};

  auto conn = std::make_unique<Connection>(ex, tls);
  auto& tcp_layer = beast::get_lowest_layer(conn->stream);
  tcp_layer.expires_at(deadline);
  auto [cec, ep] = co_await tcp_layer.async_connect(resolved.endpoints, tok);
  if (cec == beast::error::timeout) co_return fail("timeout", "timed out connecting to " + where, true);
  if (cec) co_return fail("connect", "cannot connect to " + where + ": " + cec.message(), true);
  tcp_layer.socket().set_option(tcp::no_delay(true));

  if (!prepare_tls_stream(conn->stream, url.host))
    co_return fail("tls", "cannot set TLS server name for " + where, false);
  tcp_layer.expires_at(deadline);
  auto [hec] = co_await conn->stream.async_handshake(asio::ssl::stream_base::client, tok);
  if (hec) {
    if (auto why = verify_failure(conn->stream))
      co_return fail("tls_verify_failed", "certificate of " + where + " rejected: " + *why, false);
    if (hec == beast::error::timeout)
      co_return fail("timeout", "timed out in the TLS handshake with " + where, true);
    co_return fail("tls", "TLS handshake with " + where + " failed: " + hec.message(), true);
  }
  tcp_layer.expires_never();
  co_return Opened{std::move(conn), std::nullopt};
}

}  // namespace calllog::https
