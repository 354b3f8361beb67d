#pragma once
// Redis client on Asio coroutines. hiredis is only the RESP codec (redisReader to parse,
// redisFormatCommandArgv to encode); the socket is ours (TCP, or TLS for rediss://), so Redis I/O
// runs on the worker's io_context. Errors come back as values; nothing throws to the caller.
//
// INTERFACE CONTRACT (implemented in common/redis/*.cpp):
//  * RedisConfig parse_redis_url(url) — redis://[user:password@]host:port/db, rediss:// = TLS.
//  * RedisClient::exec(argv) may be called from many coroutines at once; commands are pipelined
//    on one connection and replies matched in order.
//  * A lost connection reconnects with backoff (AUTH + SELECT again); commands in flight when the
//    link dropped fail with code "redis_disconnected"; new commands wait for the reconnect up to
//    their timeout.
//  * Blocking commands (BLMOVE) go on a client of their own; pass a timeout > the command's own.
//  * Redis Cluster: one connection to one node. A command answered -MOVED <slot> <host>:<port> was
//    not executed: once every reply already due on the old link is in, the client re-points its
//    connection at that node (AUTH again; SELECT only for db != 0, which a cluster refuses) and
//    sends the redirected commands again, in the order they came back, before any newer one.
//    -ASK sends ASKING + that one command to the named node on a one-off connection. A command
//    redirected more than 5 times fails with code "redis_redirect". Meant for key sets that live
//    in one hash slot (a shared {hash tag}); keys of several slots work but bounce the connection.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace calllog::redis {

struct RedisConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string user;        // empty: AUTH password (legacy form)
  std::string password;    // empty: no AUTH
  int db = 0;
  bool tls = false;
  std::string ca_file;     // rediss:// only; empty = system store
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds command_timeout{5000};
  // The URL with the password replaced by "***" (for logs).
  std::string redacted_url;
};

// Parses redis://[user:password@]host:port/db (and rediss://). On error returns nullopt and sets
// *error to a one-line reason.
std::optional<RedisConfig> parse_redis_url(std::string_view url, std::string* error);

// An owned reply. `type` mirrors RESP2.
struct Reply {
  enum class Type { nil, string, integer, status, error, array };
  Type type = Type::nil;
  std::string str;            // string, status, error
  long long integer = 0;
  std::vector<Reply> elements;

  bool is_nil() const { return type == Type::nil; }
  bool is_error() const { return type == Type::error; }
};

// An error as a value: code is one of redis_connect, redis_auth, redis_timeout,
// redis_disconnected, redis_protocol, redis_closed, redis_cancelled, redis_redirect; message is
// one clear line (no password).
struct RedisError {
  std::string code;
  std::string message;
};

template <class T>
struct Result {
  std::optional<T> value;
  std::optional<RedisError> error;
  explicit operator bool() const { return value.has_value(); }
  T& operator*() { return *value; }
  T* operator->() { return &*value; }
};

class RedisClient {
 public:
  RedisClient(boost::asio::any_io_executor ex, RedisConfig cfg);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Connects (TCP/TLS, AUTH, SELECT). Later exec() calls reconnect by themselves.
  boost::asio::awaitable<Result<bool>> connect();

  // One command. A Redis error reply (-ERR ...) is returned as a Reply of Type::error, not as a
  // RedisError. timeout: 0 = the config's command_timeout.
  boost::asio::awaitable<Result<Reply>> exec(std::vector<std::string> argv,
                                             std::chrono::milliseconds timeout = {});

  // Several commands written at once; one reply per command, in order.
  boost::asio::awaitable<Result<std::vector<Reply>>> exec_pipeline(
      std::vector<std::vector<std::string>> commands, std::chrono::milliseconds timeout = {});

  bool connected() const;
  uint64_t reconnects() const;   // how many times the link was re-established
  uint64_t redirects() const;    // cluster redirects followed (MOVED and ASK)
  std::string node() const;      // "host:port" the connection goes to (the seed, or where MOVED said)
  void close();                  // cancels everything; pending calls fail with redis_closed

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace calllog::redis
