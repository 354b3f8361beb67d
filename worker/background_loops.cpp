// The worker's two background duties besides taking events: moving due retries back to the input
// queue, and the heartbeat that lets live workers recover a dead worker's in-flight events.
#include <optional>

#include <boost/asio/use_awaitable.hpp>

#include "common/logging.hpp"
#include "worker/redis_scripts.hpp"
#include "worker/worker.hpp"

namespace calllog {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {
long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

asio::awaitable<void> Worker::retry_scheduler() {
  constexpr int kBatch = 200;
  while (!stopping_) {
    auto keys = cmd(cfg_.retry_key(), cfg_.queue);
    auto args = cmd(std::to_string(now_ms()), std::to_string(kBatch));
    auto r = co_await scripts::run(cmd_, scripts::move_due_retries(), std::move(keys), std::move(args));
    auto wait = 1000ms;  // at most: a retry is never more than ~1 s late
    if (r && r->type == redis::Reply::Type::array && r->elements.size() == 2) {
      const long long moved = r->elements[0].integer;
      const long long next = std::atoll(r->elements[1].str.c_str());
      if (moved > 0) log::debug("due retries requeued", {{"events", static_cast<int64_t>(moved)}});
      if (moved >= kBatch) continue;  // more are due right now
      if (next >= 0) wait = std::clamp(std::chrono::milliseconds(next - now_ms()), 10ms, 1000ms);
    }
    co_await sleep(wait);
  }
}

asio::awaitable<void> Worker::heartbeat_loop() {
  const auto interval = std::chrono::milliseconds(static_cast<long long>(cfg_.heartbeat_s * 1000));
  // The key lives two intervals; a live worker that checks every interval therefore notices a
  // dead one within three.
  const auto ttl = std::to_string(2 * interval.count());
  // After a Redis outage every heartbeat may have expired at once: wait one key lifetime of
  // continuous connection (every live worker beats again by then) before judging others dead.
  std::optional<std::chrono::steady_clock::time_point> connected_since;
  uint64_t reconnects_seen = cmd_.reconnects();
  while (!stopping_) {
    std::vector<std::vector<std::string>> beat;
    beat.push_back(cmd("SET", cfg_.heartbeat_key(cfg_.worker_id), incarnation() + ":" + std::to_string(now_ms()),
                       "PX", ttl));
    beat.push_back(cmd("SADD", cfg_.workers_key(), cfg_.worker_id));
    beat.push_back(cmd("SMEMBERS", cfg_.workers_key()));
    auto r = co_await cmd_.exec_pipeline(std::move(beat));
    if (!r || cmd_.reconnects() != reconnects_seen) connected_since.reset();
    reconnects_seen = cmd_.reconnects();
    if (r && !connected_since) connected_since = std::chrono::steady_clock::now();
    // (At least 6 s: longer than the Redis client's reconnect backoff cap, so a live worker that
    // is a little slower to reconnect than us is not taken for dead.)
    const auto settle = std::max<std::chrono::milliseconds>(2 * interval, std::chrono::seconds(6));
    const bool settled = connected_since && std::chrono::steady_clock::now() - *connected_since >= settle;
    if (r && settled && (*r)[2].type == redis::Reply::Type::array) {
      for (const auto& w : (*r)[2].elements) {
        if (w.str == cfg_.worker_id || stopping_) continue;
        auto alive = co_await cmd_.exec(cmd("EXISTS", cfg_.heartbeat_key(w.str)));
        if (!alive || alive->integer != 0) continue;
        auto keys = cmd(cfg_.heartbeat_key(w.str), cfg_.processing_key(w.str), cfg_.queue, cfg_.workers_key());
        auto moved = co_await scripts::run(cmd_, scripts::recover_dead_worker(), std::move(keys), cmd(w.str));
        if (moved && moved->type == redis::Reply::Type::integer && moved->integer >= 0)
          log::info("recovered a dead worker's events",
                    {{"deadWorker", std::string_view(w.str)}, {"events", static_cast<int64_t>(moved->integer)}});
      }
    }
    co_await sleep(interval);
  }
}

}  // namespace calllog
