#pragma once
// The mock CRM's TLS server: accepts on 127.0.0.1, one coroutine per connection, keep-alive,
// routes each request through the Router, records it, and counts handshakes and connections.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "chaos.hpp"
#include "mock.hpp"

namespace mock {

struct ServerOptions {
  uint16_t port = 0;                 // 0: pick a free one
  std::string cert, key;             // PEM files (cert may hold the chain)
  std::string record_file;           // one JSON line per request (append)
  std::string stats_file;            // {"handshakes","connections","open"} rewritten on change
  std::chrono::milliseconds latency{0};
  ChaosOptions chaos;                // chaos.hpp: random 5xx, resets, latency jitter
};

struct Stats {
  uint64_t handshakes = 0;    // completed TLS handshakes
  uint64_t connections = 0;   // accepted TCP connections
  uint64_t open = 0;          // connections open now
  uint64_t requests = 0;      // requests answered (excluding /__stats); in the stats file
                              // only as of the last connection change
  std::string json() const;
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions opts, const Router& router);
  ~Server();
  uint16_t port() const;  // the bound port
  boost::asio::awaitable<void> accept_loop();

 private:
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);
  // chaos: the record's "chaos" value (chaos.hpp), empty for a normal request.
  void record(const MockRequest& req, const std::string& names_as_received,
              const std::string& chaos = {});
  void stats_changed();

  boost::asio::io_context& io_;
  ServerOptions opts_;
  const Router& router_;
  boost::asio::ssl::context tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::FILE* record_ = nullptr;
  uint64_t seq_ = 0;
  Stats stats_;
  Chaos chaos_;
};

}  // namespace mock
