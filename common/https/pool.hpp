#pragma once
// Keep-alive connections to one host:port, at most `limit` open at once. A request leases an
// idle connection or a slot to open a new one, waiting (bounded by its deadline) when the pool
// is full. Idle connections are dropped when stale (idle_timeout) or found closed by the peer.
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "common/https/tls.hpp"

namespace calllog::https {

using Clock = std::chrono::steady_clock;

struct Connection {
  Connection(boost::asio::any_io_executor ex, boost::asio::ssl::context& ctx) : stream(ex, ctx) {}
  TlsStream stream;
  boost::beast::flat_buffer buffer;
  Clock::time_point idle_since{};
};

struct Lease {
  std::unique_ptr<Connection> conn;  // a pooled connection, or null: open a new one in this slot
};

class HostPool {
 public:
  HostPool(std::size_t limit, std::chrono::milliseconds idle_timeout)
      : limit_(limit == 0 ? 1 : limit), idle_timeout_(idle_timeout) {}

  // A pooled connection or a free slot; nullopt when the deadline passes first. With
  // fresh_only an idle connection is never handed out (it is closed to free a slot instead).
  boost::asio::awaitable<std::optional<Lease>> acquire(Clock::time_point deadline, bool fresh_only);
  // A healthy keep-alive connection goes back (to a waiter first, else idle).
  void release(std::unique_ptr<Connection> conn);
  // The connection of a lease is gone (closed, failed to open, or never opened).
  void discard();
  // Closes idle connections that are stale or closed by the peer.
  void sweep(Clock::time_point now);
  void close_idle();
  std::size_t open_count() const { return open_; }
  std::size_t idle_count() const { return idle_.size(); }

 private:
  struct Waiter {
    explicit Waiter(boost::asio::any_io_executor ex) : wake(ex) {}
    boost::asio::steady_timer wake;
    std::unique_ptr<Connection> conn;
    bool slot = false;
    bool gone = false;  // stopped waiting (deadline or cancellation)
  };
  std::shared_ptr<Waiter> next_waiter();
  bool usable(Connection& c, Clock::time_point now) const;

  std::size_t limit_;
  std::chrono::milliseconds idle_timeout_;
  std::size_t open_ = 0;                           // leased + idle
  std::deque<std::unique_ptr<Connection>> idle_;   // most recently used at the back
  std::deque<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace calllog::https
