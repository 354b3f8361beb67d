// RedisClient: one pipelined connection. A supervisor coroutine (run) owns the link's life:
// open, then a read loop and a write loop side by side until the link drops, then back off and
// open again. exec() only queues a Pending and waits on its timer; the write loop coalesces the
// queue into one write, the read loop hands replies to the in-flight FIFO in order.
// Redis Cluster redirects (MOVED/ASK) are followed in cluster_redirects.cpp.
#include <algorithm>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/redis/client_impl.hpp"
#include "common/redis/resp_codec.hpp"

namespace calllog::redis {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto tok = asio::as_tuple(asio::use_awaitable);
constexpr auto kFirstBackoff = 100ms;
constexpr auto kMaxBackoff = 5000ms;
constexpr size_t kMaxBatchBytes = 4 * 1024 * 1024;
const std::string kMovedCode = "redis_moved";  // internal: the link ends to re-point, not an error

template <class T>
Result<T> failure(RedisError e) {
  Result<T> r;
  r.error = std::move(e);
  return r;
}

std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

}  // namespace

RedisClient::Impl::Impl(asio::any_io_executor e, RedisConfig c)
    : ex(e), cfg(std::move(c)), write_wakeup(e), backoff_timer(e), rng(std::random_device{}()) {
  if (cfg.redacted_url.empty()) cfg.redacted_url = node_config(cfg.host, cfg.port).redacted_url;
  node = cfg;
}

// ---- supervisor ------------------------------------------------------------------------------
void RedisClient::Impl::ensure_running() {
  if (running || closed) return;
  running = true;
  asio::co_spawn(ex, run(shared_from_this()), [](std::exception_ptr) {});
}

std::optional<RedisError> RedisClient::Impl::make_tls_context() {
  if (!cfg.tls || tls_ctx) return std::nullopt;
  tls_ctx.emplace(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  if (cfg.ca_file.empty())
    tls_ctx->set_default_verify_paths(ec);
  else
    tls_ctx->load_verify_file(cfg.ca_file, ec);
  if (!ec) return std::nullopt;
  tls_ctx.reset();
  return RedisError{"redis_connect", "cannot load TLS CA certificates" +
                                         (cfg.ca_file.empty() ? "" : " from " + cfg.ca_file) +
                                         ": " + ec.message()};
}

std::chrono::milliseconds RedisClient::Impl::jittered(std::chrono::milliseconds d) {
  std::uniform_int_distribution<long long> half(d.count() / 2, d.count());
  return std::chrono::milliseconds(half(rng));
}

asio::awaitable<void> RedisClient::Impl::sleep(std::chrono::milliseconds d) {
  if (closed) co_return;
  backoff_timer.expires_after(d);
  co_await backoff_timer.async_wait(tok);
}

asio::awaitable<void> RedisClient::Impl::run(std::shared_ptr<Impl> self) {
  co_await self->supervise();
  self->running = false;
}

asio::awaitable<void> RedisClient::Impl::supervise() {
  using namespace asio::experimental::awaitable_operators;
  auto backoff = std::chrono::milliseconds(kFirstBackoff);
  bool repointed = false;  // this link replaces one a MOVED sent away: not a reconnect
  while (!closed) {
    Result<bool> opened;
    opening = std::make_shared<Link>(ex);
    if (auto tls_error = make_tls_context())
      opened.error = std::move(tls_error);
    else
      opened = co_await opening->open(node, tls_ctx ? &*tls_ctx : nullptr);
    auto fresh = std::move(opening);
    if (closed) {
      fresh->close();
      break;
    }
    if (!opened) {
      last_error = opened.error;
      // A node a redirect named may be gone (failover): the seed knows where the slot went.
      if (node.host != cfg.host || node.port != cfg.port) node = cfg;
      wake_connect_waiters();
      co_await sleep(jittered(backoff));
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
      continue;
    }
    link = std::move(fresh);
    if (ever_connected && !repointed) ++reconnect_count;
    ever_connected = true;
    repointed = false;
    last_error.reset();
    wake_connect_waiters();
    write_wakeup.cancel();
    const auto up_since = Clock::now();

    auto ended = co_await (read_loop(link) || write_loop(link));
    link->close();
    link.reset();
    RedisError why = std::visit([](auto& e) { return e; }, ended);
    if (why.code == kMovedCode) {  // every reply of the old link is in: go where MOVED said
      adopt_moved_node();
      repointed = true;
      continue;
    }
    last_error = why;
    fail_in_flight(why);
    adopt_moved_node();
    if (Clock::now() - up_since < 1s) {  // a link that drops at once: do not spin
      co_await sleep(jittered(backoff));
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
    } else {
      backoff = kFirstBackoff;
    }
  }
}

void RedisClient::Impl::wake_connect_waiters() {
  for (auto& w : connect_waiters) w->finish();
  connect_waiters.clear();
}

void RedisClient::Impl::fail_in_flight(const RedisError& why) {
  auto failed = std::move(in_flight);
  in_flight.clear();
  for (auto& f : failed)
    if (f.call->live())
      f.call->finish(RedisError{"redis_disconnected", "connection to " + node.redacted_url +
                                                          " lost before the reply to " +
                                                          f.call->name + ": " + why.message});
}

// ---- the two loops of a live link ------------------------------------------------------------
asio::awaitable<RedisError> RedisClient::Impl::read_loop(std::shared_ptr<Link> l) {
  for (;;) {
    Reply reply;
    for (;;) {
      auto status = l->reader().next(&reply);
      if (status == ReplyReader::Status::need_more) break;
      if (status == ReplyReader::Status::protocol_error) {
        l->close();
        co_return RedisError{"redis_protocol", l->reader().error()};
      }
      if (!deliver(std::move(reply))) {
        l->close();
        co_return RedisError{"redis_protocol", "a reply arrived with no command waiting for it"};
      }
    }
    if (moved_to && in_flight.empty())
      co_return RedisError{kMovedCode, "slot moved to " + moved_to->host + ":" +
                                           std::to_string(moved_to->port)};
    if (auto ec = co_await l->read_more()) {
      l->close();
      std::string what = ec == boost::system::errc::protocol_error ? l->reader().error()
                                                                   : ec.message();
      co_return RedisError{"redis_disconnected", "connection lost: " + what};
    }
  }
}

bool RedisClient::Impl::deliver(Reply&& reply) {
  if (in_flight.empty()) return false;
  InFlight front = std::move(in_flight.front());
  in_flight.pop_front();
  if (auto where = parse_redirect(reply)) {
    on_redirect(std::move(front), *where, reply.str);
    return true;
  }
  front.call->deliver(front.index, std::move(reply));
  return true;
}

asio::awaitable<RedisError> RedisClient::Impl::write_loop(std::shared_ptr<Link> l) {
  std::string batch;
  for (;;) {
    if (closed) co_return RedisError{"redis_closed", "client closed"};
    // After a MOVED nothing more goes to this link: what is queued waits for the new node.
    if (moved_to || (write_queue.empty() && resend_queue.empty())) {
      write_wakeup.expires_at(Clock::time_point::max());
      co_await write_wakeup.async_wait(tok);
      auto cs = co_await asio::this_coro::cancellation_state;
      if (cs.cancelled() != asio::cancellation_type::none)
        co_return RedisError{"redis_disconnected", "write loop stopped"};
      continue;
    }
    batch.clear();
    const auto now = Clock::now();
    while (!resend_queue.empty()) {  // redirected commands first, in the order they came back
      auto r = std::move(resend_queue.front());
      resend_queue.pop_front();
      if (!r.call->live()) continue;
      batch += r.call->command_bytes(r.index);
      r.call->written_at = now;
      in_flight.push_back(std::move(r));
    }
    while (!write_queue.empty() && batch.size() < kMaxBatchBytes) {
      auto p = std::move(write_queue.front());
      write_queue.pop_front();
      if (!p->live()) continue;
      batch += p->wire;
      p->written = true;
      p->written_at = now;
      for (size_t i = 0; i < p->expected(); ++i) in_flight.push_back(InFlight{p, i});
    }
    if (batch.empty()) continue;
    if (auto ec = co_await l->write(batch)) {
      l->close();
      co_return RedisError{"redis_disconnected", "write failed: " + ec.message()};
    }
  }
}

// ---- callers ---------------------------------------------------------------------------------
asio::awaitable<Result<std::vector<Reply>>> RedisClient::Impl::submit(
    std::vector<std::vector<std::string>> cmds, std::chrono::milliseconds timeout) {
  if (closed) co_return failure<std::vector<Reply>>({"redis_closed", "the Redis client is closed"});
  if (cmds.empty()) co_return Result<std::vector<Reply>>{std::vector<Reply>{}, std::nullopt};
  auto p = std::make_shared<Pending>(ex);
  for (const auto& c : cmds) {
    if (!append_command(c, &p->wire))
      co_return failure<std::vector<Reply>>({"redis_protocol", "cannot encode an empty command"});
    p->ends.push_back(p->wire.size());
  }
  p->replies.resize(cmds.size());
  p->redirects.assign(cmds.size(), 0);
  p->name = cmds[0][0].substr(0, 32);
  p->timeout = timeout.count() > 0 ? timeout : cfg.command_timeout;
  p->timer.expires_after(p->timeout);
  write_queue.push_back(p);
  write_wakeup.cancel();
  ensure_running();

  co_await p->timer.async_wait(tok);
  if (p->done) {
    if (p->error) co_return failure<std::vector<Reply>>(*p->error);
    co_return Result<std::vector<Reply>>{std::move(p->replies), std::nullopt};
  }
  co_return failure<std::vector<Reply>>(give_up(p));
}

// The caller stops waiting (deadline or cancellation): leave a placeholder, say why.
RedisError RedisClient::Impl::give_up(const std::shared_ptr<Pending>& p) {
  p->abandoned = true;
  const bool cancelled = p->timer.expiry() > Clock::now();
  if (!p->written) std::erase(write_queue, p);
  if (cancelled) return {"redis_cancelled", p->name + " cancelled by the caller"};
  if (!p->written && !link) {
    std::string last = last_error ? " (last error: " + last_error->message + ")" : "";
    std::string code = last_error && last_error->code == "redis_auth" ? "redis_auth"
                                                                       : "redis_disconnected";
    return {code, "not connected to " + node.redacted_url + " within " + ms_text(p->timeout) +
                      ", " + p->name + " not sent" + last};
  }
  drop_link_if_stuck();
  return {"redis_timeout", "no reply to " + p->name + " from " + node.redacted_url + " within " +
                               ms_text(p->timeout)};
}

// A link whose oldest command gave up long ago and still has no reply is stuck (a hung server
// or a half-open socket): drop it, so that the supervisor reconnects.
void RedisClient::Impl::drop_link_if_stuck() {
  if (!link || in_flight.empty()) return;
  const auto& front = in_flight.front().call;
  if (front->abandoned && Clock::now() - front->written_at > 2 * front->timeout + 1s) link->close();
}

asio::awaitable<Result<bool>> RedisClient::Impl::connect() {
  if (closed) co_return failure<bool>({"redis_closed", "the Redis client is closed"});
  ensure_running();
  if (!link) {
    auto w = std::make_shared<Pending>(ex);
    w->timer.expires_after(cfg.connect_timeout + 1s);
    connect_waiters.push_back(w);
    co_await w->timer.async_wait(tok);
    std::erase(connect_waiters, w);
  }
  if (link) co_return Result<bool>{true, std::nullopt};
  if (closed) co_return failure<bool>({"redis_closed", "the Redis client is closed"});
  if (last_error) co_return failure<bool>(*last_error);
  co_return failure<bool>({"redis_connect", "cannot connect to " + node.redacted_url + " within " +
                                                ms_text(cfg.connect_timeout)});
}

void RedisClient::Impl::close() {
  if (closed) return;
  closed = true;
  if (link) link->close();
  if (opening) opening->close();
  for (auto& l : ask_links) l->close();
  write_wakeup.cancel();
  backoff_timer.cancel();
  RedisError why{"redis_closed", "the Redis client was closed"};
  for (auto& p : write_queue) p->finish(why);
  for (auto& f : resend_queue) f.call->finish(why);
  for (auto& f : in_flight) f.call->finish(why);
  write_queue.clear();
  resend_queue.clear();
  wake_connect_waiters();
}

// ---- the public face -------------------------------------------------------------------------
RedisClient::RedisClient(asio::any_io_executor ex, RedisConfig cfg)
    : impl_(std::make_shared<Impl>(ex, std::move(cfg))) {}

RedisClient::~RedisClient() { impl_->close(); }

asio::awaitable<Result<bool>> RedisClient::connect() {
  auto impl = impl_;
  co_return co_await impl->connect();
}

asio::awaitable<Result<Reply>> RedisClient::exec(std::vector<std::string> argv,
                                                 std::chrono::milliseconds timeout) {
  auto impl = impl_;
  std::vector<std::vector<std::string>> one;
  one.push_back(std::move(argv));
  auto r = co_await impl->submit(std::move(one), timeout);
  if (!r) co_return failure<Reply>(std::move(*r.error));
  co_return Result<Reply>{std::move(r->front()), std::nullopt};
}

asio::awaitable<Result<std::vector<Reply>>> RedisClient::exec_pipeline(
    std::vector<std::vector<std::string>> commands, std::chrono::milliseconds timeout) {
  auto impl = impl_;
  co_return co_await impl->submit(std::move(commands), timeout);
}

bool RedisClient::connected() const { return impl_->link != nullptr; }
uint64_t RedisClient::reconnects() const { return impl_->reconnect_count; }
uint64_t RedisClient::redirects() const { return impl_->redirect_count; }
std::string RedisClient::node() const {
  return impl_->node.host + ":" + std::to_string(impl_->node.port);
}
void RedisClient::close() { impl_->close(); }

}  // namespace calllog::redis
