#pragma once
// One live connection to Redis: a TCP socket (or a TLS stream over it for rediss://), the RESP
// reader fed from it, and the set-up exchange (AUTH, SELECT, PING) done before any user command.
// RedisClient owns at most one Link at a time and makes a new one after a drop.
#include <array>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/redis/redis_client.hpp"
#include "common/redis/resp_codec.hpp"

namespace calllog::redis {

class Link : public std::enable_shared_from_this<Link> {
 public:
  explicit Link(boost::asio::any_io_executor ex);

  // Resolves, connects, does the TLS handshake and the AUTH/SELECT/PING exchange, all within
  // cfg.connect_timeout. tls_ctx must be non-null when cfg.tls is set. Call once; close() from
  // elsewhere makes it fail at once. The Link must be owned by a shared_ptr.
  boost::asio::awaitable<Result<bool>> open(const RedisConfig& cfg,
                                            boost::asio::ssl::context* tls_ctx);

  // Writes all of `bytes`.
  boost::asio::awaitable<boost::system::error_code> write(std::string_view bytes);
  // Reads what is available and feeds it to reader(). Returns the error (eof on a closed link).
  boost::asio::awaitable<boost::system::error_code> read_more();
  ReplyReader& reader() { return reader_; }
  // Reads until one whole reply is in (no deadline of its own: close() ends it).
  boost::asio::awaitable<Result<Reply>> read_reply();

  // Closes the socket: every pending read/write on this link completes with an error.
  void close();

 private:
  boost::asio::awaitable<Result<bool>> establish(const RedisConfig& cfg,
                                                 boost::asio::ssl::context* tls_ctx);
  boost::asio::awaitable<Result<bool>> handshake(const RedisConfig& cfg);
  boost::asio::ip::tcp::socket& socket();

  boost::asio::any_io_executor ex_;
  boost::asio::ip::tcp::resolver resolver_;
  std::optional<boost::asio::ip::tcp::socket> plain_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
  boost::asio::steady_timer watchdog_;
  bool watchdog_fired_ = false;
  ReplyReader reader_;
  std::array<char, 16 * 1024> buf_{};
};

}  // namespace calllog::redis
