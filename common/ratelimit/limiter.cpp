#include "common/ratelimit/limiter.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/logging.hpp"
#include "common/ratelimit/scripts.hpp"
#include "common/ratelimit/signals.hpp"
#include "common/redis/command.hpp"
#include "common/redis/redis_client.hpp"

namespace calllog::ratelimit {
namespace asio = boost::asio;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

std::string ticket_key(const Permit& p) { return p.state_key + "#tickets"; }

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// The script's reply as {verdict, ms, mode, ...}; nullopt when Redis failed (we fail open).
struct ScriptReply {
  long long a = 0, b = 0;
  std::string mode;
  bool probe = false;
  long long ticket = 0;
  long long sleep = 0;  // acquire, queued: ask again within this many ms
};
std::optional<ScriptReply> read_reply(const redis::Result<redis::Reply>& r) {
  if (!r || r.value->type != redis::Reply::Type::array || r.value->elements.size() < 2) {
    log::warn("rate limiter: redis script failed, request not limited",
              {{"error", r.error ? std::string_view(r.error->message)
                                 : std::string_view(r.value ? r.value->str : "")}});
    return std::nullopt;
  }
  const auto& e = r.value->elements;
  ScriptReply out{e[0].integer, e[1].integer, e.size() > 2 ? e[2].str : "",
                  e.size() > 3 && e[3].integer == 1, e.size() > 4 ? e[4].integer : 0,
                  e.size() > 5 ? e[5].integer : 0};
  return out;
}

std::string random_hex() {
  std::random_device rd;
  uint64_t v = (uint64_t(rd()) << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Limiter::Limiter(asio::any_io_executor ex, redis::RedisClient& redis, std::string prefix, Config cfg)
    : ex_(std::move(ex)), redis_(redis), prefix_(std::move(prefix)), cfg_(std::move(cfg)),
      lease_prefix_(random_hex() + "-") {}

Counters& Limiter::counters(std::string_view platform, std::string_view host) {
  std::string key(platform);
  key += '/';
  key += host;
  auto it = counters_.find(key);
  if (it == counters_.end()) it = counters_.emplace(std::move(key), Counters{}).first;
  return it->second;
}

int Limiter::cap_for(const Policy& policy) const {
  if (auto it = cfg_.caps.find(policy.platform); it != cfg_.caps.end()) return it->second;
  return policy.concurrency_cap;
}

asio::awaitable<bool> Limiter::sleep(const std::string& key, milliseconds d, bool wake_early) {
  asio::steady_timer t(ex_, d);
  if (wake_early) sleepers_[key].insert(&t);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  if (wake_early) {
    auto it = sleepers_.find(key);
    if (it != sleepers_.end()) {
      it->second.erase(&t);
      if (it->second.empty()) sleepers_.erase(it);
    }
  }
  auto cs = co_await asio::this_coro::cancellation_state;
  co_return cs.cancelled() == asio::cancellation_type::none;
}

void Limiter::wake(const std::string& key) {
  auto it = sleepers_.find(key);
  if (it == sleepers_.end()) return;
  for (auto* t : it->second) t->cancel();
}

void Limiter::note_wait(Permit& p, Counters& c, double ms, std::string_view reason) {
  if (c.throttled) return;
  c.throttled = true;
  log::info("crm host throttled", {{"platform", std::string_view(p.platform)},
                                   {"host", std::string_view(p.host)},
                                   {"reason", reason},
                                   {"wait_ms", static_cast<int64_t>(ms)}});
}

asio::awaitable<bool> Limiter::take_budget(Permit& p, Counters& c, Clock::time_point deadline) {
  long long ticket = 0;  // our place in the account's queue, once issued
  for (int round = 0; round < 100000; ++round) {
    auto r = co_await redis::run_script(
        redis_, lua::acquire(), redis::cmd(p.state_key),
        redis::cmd(cfg_.start_inflight, cfg_.probe_ttl.count(), cfg_.max_single_wait.count(),
                   cfg_.state_ttl.count(), ticket, cfg_.ticket_recheck.count(),
                   cfg_.ticket_grace.count()));
    auto reply = read_reply(r);
    if (!reply) co_return true;
    p.limited = true;
    if (reply->a == 0) {
      p.probe = reply->probe;
      co_return true;
    }
    if (reply->a == 2) ticket = reply->ticket;
    const milliseconds due{std::max<long long>(1, reply->b)};
    if (Clock::now() + due > deadline) {
      p.failure = make_failure("rate_limited", "the shared rate limit of " + p.host +
                                                   " kept requests waiting too long", true);
      p.failure->retry_after_s = static_cast<double>(due.count()) / 1000.0;
      co_return false;
    }
    const std::string reason = reply->a == 2 ? "budget" : reply->mode == "unknown" ? "start" : "pause";
    note_wait(p, c, static_cast<double>(due.count()), reason);
    // A queued ticket asks again when the script says (its place lapses soon after, so that a
    // dead worker's places do not hold the queue up). A start wait ends early when an answer
    // arrives in this process.
    milliseconds wait = std::min(due, cfg_.max_single_wait);
    if (reply->a == 2 && reply->sleep > 0) wait = std::min(wait, milliseconds{reply->sleep});
    // Start waiters wake on any answer here, ticket holders when the learned rate goes up.
    const bool start_wait = reply->a == 1 && reply->mode == "unknown";
    std::string wake_key = p.state_key;
    if (!start_wait) wake_key = ticket_key(p);
    if (!co_await sleep(wake_key, wait, start_wait || reply->a == 2)) co_return false;
  }
  co_return false;
}

asio::awaitable<bool> Limiter::take_lease(Permit& p, int cap, Clock::time_point deadline) {
  p.lease_key = p.state_key + ":leases";
  p.lease_id = lease_prefix_ + std::to_string(++next_lease_);
  auto& c = counters(p.platform, p.host);
  for (int round = 0; round < 100000; ++round) {
    auto r = co_await redis::run_script(redis_, lua::take_lease(), redis::cmd(p.lease_key),
                                   redis::cmd(cap, p.lease_id, cfg_.lease.count()));
    auto reply = read_reply(r);
    if (!reply) {
      p.lease_id.clear();
      co_return true;
    }
    if (reply->a == 1) co_return true;
    // Full: a local release wakes us; other workers' releases are not announced, so look again
    // after about half a typical request time (10–250 ms), or when the earliest lease lapses.
    const double hold = hold_ms_.count(p.lease_key) ? hold_ms_[p.lease_key] : 100.0;
    const long long poll = std::clamp<long long>(std::llround(hold / 2), 10, 250);
    const milliseconds wait{std::min(reply->b, poll)};
    if (Clock::now() + wait > deadline) {
      p.lease_id.clear();
      p.failure = make_failure("rate_limited", "the concurrency cap of " + p.host +
                                                   " kept requests waiting too long", true);
      co_return false;
    }
    note_wait(p, c, static_cast<double>(wait.count()), "concurrency");
    if (!co_await sleep(p.lease_key, wait, true)) {
      p.lease_id.clear();
      co_return false;
    }
  }
  p.lease_id.clear();
  co_return false;
}

asio::awaitable<Permit> Limiter::acquire(std::string_view platform, std::string_view host) {
  Permit p;
  p.platform = std::string(platform);
  p.host = std::string(host);
  p.policy = &policy_for(platform);
  p.state_key = prefix_ + ":rl:" + p.platform + ":" + account_key(*p.policy, host);
  auto& c = counters(platform, host);
  const auto started = Clock::now();
  const auto deadline = started + cfg_.max_total_wait;

  bool ok = co_await take_budget(p, c, deadline);
  const int cap = cap_for(*p.policy);
  if (ok && cap > 0) ok = co_await take_lease(p, cap, deadline);
  p.waited_ms = ms_since(started);
  if (!ok) {
    if (!p.failure) p.failure = make_failure("cancelled", "stopped while waiting for the rate limit", true);
    ++c.gave_up;
    co_await observe(p, nullptr);  // give back a start slot taken before the lease wait
    co_return p;
  }
  ++c.requests;
  if (p.waited_ms >= 1) {
    ++c.waits;
    c.wait_ms += static_cast<uint64_t>(p.waited_ms);
  } else if (c.throttled) {
    c.throttled = false;
    log::info("crm host recovered", {{"platform", platform}, {"host", host}});
  }
  p.granted = Clock::now();
  co_return p;
}

asio::awaitable<long long> Limiter::send_observe(std::weak_ptr<int> alive,
                                                 std::vector<std::string> keys,
                                                 std::vector<std::string> args,
                                                 std::string state_key, std::string lease_key,
                                                 double took_ms) {
  const auto& script = lua::observe();
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(script.sha1);
  argv.push_back(std::to_string(keys.size()));
  for (auto& k : keys) argv.push_back(std::move(k));
  for (auto& a : args) argv.push_back(std::move(a));
  auto r = co_await redis_.exec(argv);
  if (alive.expired()) co_return -1;
  if (r && r.value->is_error() && r.value->str.rfind("NOSCRIPT", 0) == 0) {
    argv[0] = "EVAL";
    argv[1] = std::string(script.source);
    r = co_await redis_.exec(std::move(argv));
    if (alive.expired()) co_return -1;
  }
  auto reply = read_reply(r);
  wake(state_key);
  if (reply && reply->probe) wake(state_key + "#tickets");  // (the flag slot carries "raised")
  if (!lease_key.empty()) {
    double& hold = hold_ms_[lease_key];
    hold = hold == 0 ? took_ms : 0.8 * hold + 0.2 * took_ms;
    wake(lease_key);
  }
  co_return reply ? reply->a : -1;
}

asio::awaitable<Verdict> Limiter::observe(Permit& p, const https::Response* response) {
  Verdict v;
  Signals s;
  if (response) s = read_signals(*p.policy, *response);
  auto& c = counters(p.platform, p.host);
  if (s.too_many) ++c.too_many;
  if (s.concurrency_refused) ++c.concurrency_refused;
  const bool refused = s.too_many || s.concurrency_refused;

  if (p.limited) {
    long long hint_ms = -1;
    if (refused && s.retry_after_s) hint_ms = std::llround(*s.retry_after_s * 1000);
    else if (s.too_many && s.reset_s) hint_ms = std::llround(*s.reset_s * 1000);
    long long daily_ms = -1;  // daily budget spent: stop for a minute, then probe again
    if (s.daily_left && *s.daily_left <= 0) daily_ms = 60000;
    const bool budget = p.policy->rate_budget && s.has_budget();
    const long long reset_ms = s.reset_s ? std::llround(*s.reset_s * 1000) : -1;
    // (Arguments built before the co_await: GCC 12 mishandles temporaries of ?: inside one.)
    const std::string limit = budget ? std::to_string(*s.limit) : "0";
    const std::string remaining = budget ? std::to_string(*s.remaining) : "0";
    std::vector<std::string> args =
        redis::cmd(budget ? "1" : "0", limit, remaining, reset_ms, hint_ms, refused ? "1" : "0",
                   cfg_.start_inflight, cfg_.state_ttl.count(), std::to_string(cfg_.safety),
                   p.probe ? "1" : "0", daily_ms, cfg_.max_pause.count(),
                   p.policy->fixed_window ? "fixed" : "rolling", p.policy->rolling_window_ms);
    std::vector<std::string> keys = redis::cmd(p.state_key);
    std::string lease_key;  // the lease goes back in the same script
    double took_ms = 0;
    if (!p.lease_id.empty()) {
      keys.push_back(p.lease_key);
      args.push_back(p.lease_id);
      lease_key = p.lease_key;
      took_ms = ms_since(p.granted);
      p.lease_id.clear();
    }
    p.limited = false;
    p.probe = false;
    std::weak_ptr<int> alive = alive_;
    if (refused) {
      const long long pause_ms = co_await send_observe(std::move(alive), std::move(keys), std::move(args),
                                                       p.state_key, std::move(lease_key), took_ms);
      if (pause_ms > 0) v.pause_s = static_cast<double>(pause_ms) / 1000.0;
    } else {
      // The caller needs nothing from the answer. co_spawn starts the call here (dispatch on this
      // thread), so it is pipelined ahead of any later command of this process.
      asio::co_spawn(ex_,
                     send_observe(std::move(alive), std::move(keys), std::move(args), p.state_key,
                                  std::move(lease_key), took_ms),
                     asio::detached);
    }
  }
  if (!p.lease_id.empty()) {  // (no limiter state: the budget script had failed open)
    co_await redis_.exec(redis::cmd("ZREM", p.lease_key, p.lease_id));
    p.lease_id.clear();
    double& hold = hold_ms_[p.lease_key];
    const double took = ms_since(p.granted);
    hold = hold == 0 ? took : 0.8 * hold + 0.2 * took;
    wake(p.lease_key);
  }
  if (refused && v.pause_s > 0) note_wait(p, c, v.pause_s * 1000, s.too_many ? "429" : "concurrency refused");
  v.retry_in_place = s.concurrency_refused;
  co_return v;
}

}  // namespace calllog::ratelimit
