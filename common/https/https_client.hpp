#pragma once
// Coroutine HTTPS client for CRM APIs (Boost.Beast + asio::ssl): per-host keep-alive pools,
// verified TLS with SNI and host-name checks, timeouts on every step, a body-size limit, no
// redirects, --resolve overrides, and errors as values with a category the worker maps.
//
// INTERFACE CONTRACT (implemented in common/https/*.cpp):
//  * request() never throws; failures come back as calllog::Failure with code one of
//    dns, connect, tls_verify_failed, tls, timeout, body_too_large, host_not_allowed, io,
//    and retryable set for transient ones (dns?, connect, timeout, io, tls handshake resets).
//    An HTTP response of any status is a *response*, not a failure: adapters map statuses.
//  * The allow-list is checked before any resolve or connect (SSRF defence).
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "common/failure.hpp"
#include "common/https/allowlist.hpp"

namespace calllog::https {

struct Url {
  std::string host;     // lowercase, no brackets for IPv6
  uint16_t port = 443;
  bool explicit_port = false;
  std::string target;   // path + query, starts with '/'; spaces encoded as %20
  // "host" or "host:port" as sent in the Host header (port only when explicit)
  std::string host_header() const;
};
// Parses "https://host[:port]/path?query". Only https is accepted.
std::optional<Url> parse_url(std::string_view url);

struct Request {
  std::string method = "GET";            // GET, POST, PUT, PATCH, DELETE
  std::string url;                       // absolute https URL
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, sent as given
  std::optional<std::string> body;       // sent as is (caller sets Content-Type)
};

struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  // First header with that (case-insensitive) name.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct ClientConfig {
  std::string ca_file;                                  // extra trusted CAs (PEM); system store too
  std::map<std::string, std::string> resolve;           // "host:port" -> address (curl --resolve)
  std::chrono::milliseconds connect_timeout{5000};      // resolve + connect + handshake
  std::chrono::milliseconds request_timeout{30000};     // whole request incl. reading
  std::chrono::milliseconds idle_timeout{30000};        // pooled idle connections closed after
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::size_t pool_size_per_host = 32;                  // connections per host:port at most
  std::string user_agent;                               // default "calllog-worker/<version>"
};

struct Outcome {
  std::optional<Response> response;
  std::optional<Failure> failure;
  explicit operator bool() const { return response.has_value(); }
};

class Client {
 public:
  Client(boost::asio::any_io_executor ex, ClientConfig cfg);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // `allowed` is the adapter's allow-list (built-in patterns + --allow-host).
  boost::asio::awaitable<Outcome> request(Request req, const AllowList& allowed);
  // The same with its own whole-request timeout instead of ClientConfig::request_timeout.
  boost::asio::awaitable<Outcome> request(Request req, const AllowList& allowed,
                                          std::chrono::milliseconds timeout);

  // TLS handshakes completed so far (for tests and metrics).
  uint64_t handshakes() const;

  // Closes the idle pooled connections and stops pooling (requests still work, each on its own
  // connection). While connections sit idle a sweeper timer is pending, so io_context::run()
  // returns only after they expire (idle_timeout), close(), or the Client's destruction.
  void close();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace calllog::https
