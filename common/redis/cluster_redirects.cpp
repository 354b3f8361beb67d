// RedisClient and Redis Cluster: following the redirects a node answers for a slot it does not
// serve. Both kinds mean the command was not executed, so sending it again is safe.
//  * MOVED: the read loop (redis_client.cpp) keeps reading the old link until every reply already
//    due is in — commands pipelined behind the moved one come back MOVED too and queue up behind
//    it — then the supervisor re-points the connection at the named node, where the redirected
//    commands go first, in the order they came back.
//  * ASK: the slot is being migrated; this one command goes to the named node after ASKING, on a
//    one-off connection bounded by the command's own deadline. The main link is not re-pointed.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/redis/client_impl.hpp"
#include "common/redis/resp_codec.hpp"

namespace calllog::redis {

namespace asio = boost::asio;

RedisConfig RedisClient::Impl::node_config(const std::string& host, uint16_t port) const {
  RedisConfig c = cfg;
  c.host = host;
  c.port = port;
  c.redacted_url = std::string(cfg.tls ? "rediss://" : "redis://");
  if (!cfg.password.empty()) c.redacted_url += cfg.user + ":***@";
  c.redacted_url += host + ":" + std::to_string(port) + "/" + std::to_string(cfg.db);
  return c;
}

void RedisClient::Impl::adopt_moved_node() {
  if (!moved_to) return;
  node = node_config(moved_to->host, moved_to->port);
  moved_to.reset();
}

bool RedisClient::Impl::count_redirect(InFlight& cmd, const std::string& text) {
  ++redirect_count;
  if (++cmd.call->redirects[cmd.index] <= kMaxRedirects) return true;
  cmd.call->finish(RedisError{"redis_redirect", cmd.call->name + " redirected more than " +
                                                    std::to_string(kMaxRedirects) +
                                                    " times by the cluster (last: " + text + ")"});
  return false;
}

void RedisClient::Impl::resend(InFlight cmd) {
  if (closed || !cmd.call->live()) return;
  resend_queue.push_back(std::move(cmd));
  write_wakeup.cancel();
  ensure_running();
}

void RedisClient::Impl::on_redirect(InFlight cmd, const Redirect& where, const std::string& text) {
  // ":<port>" names the node we are talking to.
  const std::string host = where.host.empty() ? node.host : where.host;
  // Even a reply nobody waits for any more says where the slot lives.
  if (where.kind == Redirect::Kind::moved) moved_to = Redirect{where.kind, where.slot, host, where.port};
  if (!cmd.call->live() || !count_redirect(cmd, text)) return;
  if (where.kind == Redirect::Kind::moved) {
    resend_queue.push_back(std::move(cmd));  // written once the connection is re-pointed
    return;
  }
  asio::co_spawn(ex, ask_once(shared_from_this(), std::move(cmd), node_config(host, where.port)),
                 asio::detached);
}

asio::awaitable<void> RedisClient::Impl::ask_once(std::shared_ptr<Impl> self, InFlight cmd,
                                                  RedisConfig target) {
  auto l = std::make_shared<Link>(self->ex);
  self->ask_links.insert(l);
  // The command's own deadline bounds the whole exchange: when it passes, the link closes.
  asio::steady_timer deadline(self->ex);
  deadline.expires_at(cmd.call->timer.expiry());
  deadline.async_wait([weak = std::weak_ptr<Link>(l)](boost::system::error_code ec) {
    if (ec) return;
    if (auto dead = weak.lock()) dead->close();
  });

  auto opened = co_await l->open(target, self->tls_ctx ? &*self->tls_ctx : nullptr);
  Result<Reply> answer;
  if (opened) {
    std::string wire;
    const std::vector<std::string> asking{"ASKING"};
    append_command(asking, &wire);
    wire += cmd.call->command_bytes(cmd.index);
    if (auto ec = co_await l->write(wire)) {
      answer.error = RedisError{"redis_disconnected", "write failed: " + ec.message()};
    } else {
      answer = co_await l->read_reply();                 // ASKING's +OK
      if (answer) answer = co_await l->read_reply();     // the command's reply
    }
  }
  l->close();
  self->ask_links.erase(l);
  deadline.cancel();
  if (self->closed || !cmd.call->live()) co_return;

  if (!opened) {  // never sent: the main link will be told again where to go
    self->resend(std::move(cmd));
    co_return;
  }
  if (!answer) {
    cmd.call->finish(RedisError{"redis_disconnected", "connection to " + target.redacted_url +
                                                          " (ASK redirect) lost before the reply to " +
                                                          cmd.call->name + ": " + answer.error->message});
    co_return;
  }
  if (auto again = parse_redirect(*answer)) {  // the migration moved on: ask the main link again
    if (self->count_redirect(cmd, answer->str)) self->resend(std::move(cmd));
    co_return;
  }
  cmd.call->deliver(cmd.index, std::move(*answer));
}

}  // namespace calllog::redis
