#include "common/redis/redis_link.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace calllog::redis {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto tok = asio::as_tuple(asio::use_awaitable);

template <class T>
Result<T> failure(std::string code, std::string message) {
  Result<T> r;
  r.error = RedisError{std::move(code), std::move(message)};
  return r;
}

}  // namespace

Link::Link(asio::any_io_executor ex) : ex_(ex), resolver_(ex), watchdog_(ex) {}

tcp::socket& Link::socket() { return tls_ ? tls_->next_layer() : *plain_; }

void Link::close() {
  resolver_.cancel();
  error_code ignored;
  if (tls_ || plain_) {
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }
}

asio::awaitable<Result<bool>> Link::open(const RedisConfig& cfg, asio::ssl::context* tls_ctx) {
  // The watchdog bounds the whole set-up: when it fires it closes the socket, so the step in
  // progress fails at once.
  watchdog_.expires_after(cfg.connect_timeout);
  watchdog_.async_wait([weak = weak_from_this()](error_code ec) {
    if (ec) return;
    if (auto l = weak.lock()) {
      l->watchdog_fired_ = true;
      l->close();
    }
  });
  auto r = co_await establish(cfg, tls_ctx);
  watchdog_.cancel();
  if (!r && watchdog_fired_ && r.error->code != "redis_auth")
    co_return failure<bool>("redis_connect", "cannot connect to " + cfg.redacted_url +
                                                 ": no answer within " +
                                                 std::to_string(cfg.connect_timeout.count()) + " ms");
  co_return r;
}

asio::awaitable<Result<bool>> Link::establish(const RedisConfig& cfg, asio::ssl::context* tls_ctx) {
  const std::string where = "cannot connect to " + cfg.redacted_url + ": ";
  auto [rec, endpoints] = co_await resolver_.async_resolve(cfg.host, std::to_string(cfg.port), tok);
  if (rec) co_return failure<bool>("redis_connect", where + "resolve failed: " + rec.message());

  if (cfg.tls) {
    tls_.emplace(ex_, *tls_ctx);
  } else {
    plain_.emplace(ex_);
  }
  auto [cec, ep] = co_await asio::async_connect(socket(), endpoints, tok);
  if (cec) co_return failure<bool>("redis_connect", where + cec.message());
  error_code ignored;
  socket().set_option(tcp::no_delay(true), ignored);

  if (tls_) {
    if (!SSL_set_tlsext_host_name(tls_->native_handle(), cfg.host.c_str()))
      co_return failure<bool>("redis_connect", where + "cannot set TLS SNI host name");
    tls_->set_verify_mode(asio::ssl::verify_peer);
    tls_->set_verify_callback(asio::ssl::host_name_verification(cfg.host));
    auto [hec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, tok);
    if (hec) co_return failure<bool>("redis_connect", where + "TLS handshake failed: " + hec.message());
  }
  co_return co_await handshake(cfg);
}

asio::awaitable<Result<bool>> Link::handshake(const RedisConfig& cfg) {
  std::vector<std::vector<std::string>> cmds;
  if (!cfg.password.empty()) {
    if (cfg.user.empty())
      cmds.push_back({"AUTH", cfg.password});
    else
      cmds.push_back({"AUTH", cfg.user, cfg.password});
  }
  if (cfg.db != 0) cmds.push_back({"SELECT", std::to_string(cfg.db)});
  cmds.push_back({"PING"});  // a server that wants a password we lack says NOAUTH here
  std::string wire;
  for (const auto& c : cmds) append_command(c, &wire);
  if (auto ec = co_await write(wire))
    co_return failure<bool>("redis_connect",
                            "cannot connect to " + cfg.redacted_url + ": " + ec.message());

  std::optional<RedisError> first_error;
  for (const auto& c : cmds) {
    auto reply = co_await read_reply();
    if (!reply) co_return failure<bool>(reply.error->code, reply.error->message);
    if (!reply->is_error() || first_error) continue;
    if (c[0] == "AUTH")
      first_error = RedisError{"redis_auth", "authentication to " + cfg.redacted_url +
                                                 " failed: " + reply->str};
    else if (reply->str.starts_with("NOAUTH"))
      first_error = RedisError{"redis_auth", "authentication to " + cfg.redacted_url +
                                                 " required but no password given: " + reply->str};
    else
      first_error = RedisError{"redis_connect", c[0] + " on " + cfg.redacted_url + " failed: " +
                                                    reply->str};
  }
  if (first_error) co_return failure<bool>(first_error->code, first_error->message);
  Result<bool> ok;
  ok.value = true;
  co_return ok;
}

asio::awaitable<Result<Reply>> Link::read_reply() {
  for (;;) {
    Reply reply;
    switch (reader_.next(&reply)) {
      case ReplyReader::Status::reply: {
        Result<Reply> ok;
        ok.value = std::move(reply);
        co_return ok;
      }
      case ReplyReader::Status::protocol_error:
        co_return failure<Reply>("redis_protocol", reader_.error());
      case ReplyReader::Status::need_more:
        break;
    }
    if (auto ec = co_await read_more())
      co_return failure<Reply>("redis_connect", "connection lost during set-up: " + ec.message());
  }
}

asio::awaitable<error_code> Link::write(std::string_view bytes) {
  auto buffer = asio::buffer(bytes.data(), bytes.size());
  if (tls_) {
    auto [ec, n] = co_await asio::async_write(*tls_, buffer, tok);
    co_return ec;
  }
  auto [ec, n] = co_await asio::async_write(*plain_, buffer, tok);
  co_return ec;
}

asio::awaitable<error_code> Link::read_more() {
  auto buffer = asio::buffer(buf_);
  error_code ec;
  size_t n = 0;
  if (tls_)
    std::tie(ec, n) = co_await tls_->async_read_some(buffer, tok);
  else
    std::tie(ec, n) = co_await plain_->async_read_some(buffer, tok);
  if (ec) co_return ec;
  if (!reader_.feed(buf_.data(), n)) co_return make_error_code(boost::system::errc::protocol_error);
  co_return error_code{};
}

}  // namespace calllog::redis
