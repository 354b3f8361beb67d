#pragma once
// RedisClient's state, shared by redis_client.cpp (the connection's life, the read and write
// loops, the callers) and cluster_redirects.cpp (following Redis Cluster MOVED/ASK redirects).
// Private to common/redis.
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/redis/cluster_redirect.hpp"
#include "common/redis/pending.hpp"
#include "common/redis/redis_client.hpp"
#include "common/redis/redis_link.hpp"

namespace calllog::redis {

// Redirects one command may follow before it fails with redis_redirect.
inline constexpr int kMaxRedirects = 5;

struct RedisClient::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::any_io_executor e, RedisConfig c);

  boost::asio::any_io_executor ex;
  RedisConfig cfg;    // the seed node, as configured
  RedisConfig node;   // the node the connection goes to: the seed, or where MOVED sent us
  std::optional<boost::asio::ssl::context> tls_ctx;
  std::shared_ptr<Link> link;     // set while connected
  std::shared_ptr<Link> opening;  // set while a connection is being set up
  std::set<std::shared_ptr<Link>> ask_links;  // one-off connections for ASK redirects
  std::deque<std::shared_ptr<Pending>> write_queue;  // new calls, not yet written
  std::deque<InFlight> resend_queue;  // redirected commands, written before write_queue
  std::deque<InFlight> in_flight;     // written on `link`, replies expected in this order
  std::vector<std::shared_ptr<Pending>> connect_waiters;
  std::optional<Redirect> moved_to;   // a MOVED arrived: finish `link`'s replies, then re-point
  boost::asio::steady_timer write_wakeup;
  boost::asio::steady_timer backoff_timer;
  std::minstd_rand rng;
  bool running = false;
  bool closed = false;
  bool ever_connected = false;
  uint64_t reconnect_count = 0;
  uint64_t redirect_count = 0;
  std::optional<RedisError> last_error;

  // redis_client.cpp
  void ensure_running();
  std::optional<RedisError> make_tls_context();
  std::chrono::milliseconds jittered(std::chrono::milliseconds d);
  boost::asio::awaitable<void> sleep(std::chrono::milliseconds d);
  static boost::asio::awaitable<void> run(std::shared_ptr<Impl> self);
  boost::asio::awaitable<void> supervise();
  void wake_connect_waiters();
  void fail_in_flight(const RedisError& why);
  boost::asio::awaitable<RedisError> read_loop(std::shared_ptr<Link> l);
  bool deliver(Reply&& reply);
  boost::asio::awaitable<RedisError> write_loop(std::shared_ptr<Link> l);
  boost::asio::awaitable<Result<std::vector<Reply>>> submit(
      std::vector<std::vector<std::string>> cmds, std::chrono::milliseconds timeout);
  RedisError give_up(const std::shared_ptr<Pending>& p);
  void drop_link_if_stuck();
  boost::asio::awaitable<Result<bool>> connect();
  void close();

  // cluster_redirects.cpp
  RedisConfig node_config(const std::string& host, uint16_t port) const;
  void on_redirect(InFlight cmd, const Redirect& where, const std::string& text);
  bool count_redirect(InFlight& cmd, const std::string& text);
  void resend(InFlight cmd);
  void adopt_moved_node();
  static boost::asio::awaitable<void> ask_once(std::shared_ptr<Impl> self, InFlight cmd,
                                               RedisConfig target);
};

}  // namespace calllog::redis
