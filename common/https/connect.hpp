#pragma once
// Opening a verified TLS connection to a CRM host: resolve (or a --resolve override), TCP
// connect and TLS handshake, all within connect_timeout (and the request's deadline).
#include <memory>
#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "common/failure.hpp"
#include "common/https/https_client.hpp"
#include "common/https/pool.hpp"

namespace calllog::https {

struct Opened {
  std::unique_ptr<Connection> conn;  // set on success (handshake done)
  std::optional<Failure> failure;    // dns, connect, tls_verify_failed, tls or timeout
};

boost::asio::awaitable<Opened> open_connection(boost::asio::any_io_executor ex,
                                               boost::asio::ssl::context& tls,
                                               const ClientConfig& cfg, const Url& url,
                                               Clock::time_point request_deadline);

}  // namespace calllog::https
