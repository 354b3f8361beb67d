// Per-host keep-alive pool: leases, hand-over to waiters, idle expiry.
#include "common/https/pool.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/stream_traits.hpp>

namespace calllog::https {
namespace asio = boost::asio;

namespace {
// An idle TLS connection should have nothing to read. EOF or any bytes (typically the peer's
// close_notify alert) mean the server has closed or is closing it.
bool peer_still_open(Connection& c) {
  auto& sock = boost::beast::get_lowest_layer(c.stream).socket();
  if (!sock.is_open()) return false;
  char byte;
  ssize_t n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}
}  // namespace

bool HostPool::usable(Connection& c, Clock::time_point now) const {
  return now - c.idle_since < idle_timeout_ && peer_still_open(c);
}

asio::awaitable<std::optional<Lease>> HostPool::acquire(Clock::time_point deadline,
                                                        bool fresh_only) {
  auto now = Clock::now();
  while (!fresh_only && !idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    if (usable(*c, now)) co_return Lease{std::move(c)};
    --open_;  // stale or closed by the peer: drop it
  }
  if (open_ < limit_) {
    ++open_;
    co_return Lease{};
  }
  if (fresh_only && !idle_.empty()) {
    idle_.pop_front();  // trade the oldest idle connection for a fresh slot
    co_return Lease{};
  }

  auto w = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  w->wake.expires_at(deadline);
  waiters_.push_back(w);
  co_await w->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  w->gone = true;
  if (w->conn) {
    if (!fresh_only) co_return Lease{std::move(w->conn)};
    w->conn.reset();  // close it; its slot is ours
    co_return Lease{};
  }
  if (w->slot) co_return Lease{};
  co_return std::nullopt;
}

std::shared_ptr<HostPool::Waiter> HostPool::next_waiter() {
  while (!waiters_.empty()) {
    auto w = std::move(waiters_.front());
    waiters_.pop_front();
    if (!w->gone) return w;
  }
  return nullptr;
}

void HostPool::release(std::unique_ptr<Connection> conn) {
  conn->idle_since = Clock::now();
  if (auto w = next_waiter()) {
    w->conn = std::move(conn);
    w->wake.cancel();
    return;
  }
  idle_.push_back(std::move(conn));
}

void HostPool::discard() {
  if (auto w = next_waiter()) {
    w->slot = true;  // the slot passes to the waiter; open_ stays
    w->wake.cancel();
    return;
  }
  if (open_ > 0) --open_;
}

void HostPool::sweep(Clock::time_point now) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    if (usable(**it, now)) {
      ++it;
    } else {
      it = idle_.erase(it);
      --open_;
    }
  }
}

void HostPool::close_idle() {
  open_ -= idle_.size();
  idle_.clear();
}

}  // namespace calllog::https
