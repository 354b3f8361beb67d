#include "worker/worker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapters/registry.hpp"
#include "common/logging.hpp"
#include "worker/redis_scripts.hpp"

namespace calllog {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr int kBatchTake = 32;  // events taken per round trip at most, beyond the BLMOVE's one

redis::RedisConfig redis_config(const Config& cfg) {
  std::string err;
  auto rc = redis::parse_redis_url(cfg.redis_url, &err);
  return rc ? *rc : redis::RedisConfig{};  // validated in main before the Worker is built
}

https::ClientConfig http_config(const Config& cfg) {
  https::ClientConfig hc;
  hc.ca_file = cfg.ca_file;
  for (const auto& r : cfg.resolve) {
    auto c2 = r.find(':', r.find(':') + 1);
    std::string addr = r.substr(c2 + 1);
    if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
    hc.resolve[r.substr(0, c2)] = addr;
  }
  hc.pool_size_per_host = static_cast<std::size_t>(std::max(4, cfg.concurrency));
  return hc;
}

}  // namespace

Worker::Worker(asio::io_context& io, Config cfg, Metrics& metrics)
    : io_(io),
      cfg_(std::move(cfg)),
      metrics_(metrics),
      processing_key_(cfg_.processing_key(cfg_.worker_id)),
      cmd_(io.get_executor(), redis_config(cfg_)),
      blocking_(io.get_executor(), redis_config(cfg_)),
      http_(io.get_executor(), http_config(cfg_)),
      limiter_(io.get_executor(), cmd_, cfg_.prefix),
      slot_timer_(io) {
  for (auto name : known_platforms()) {
    adapters_.emplace(std::string(name), make_adapter(name, cfg_.adapters));
    metrics_.platform(name);  // every platform's series exist from the first scrape
  }
  ctx_.metrics = &metrics_;
  ctx_.limiter = &limiter_;
  ctx_.http = &http_;
  ctx_.redis = &cmd_;
  ctx_.options = &cfg_.adapters;
  ctx_.prefix = cfg_.prefix;
  ctx_.extra_allowed = https::AllowList(cfg_.allow_hosts);
}

Worker::~Worker() = default;

void Worker::stop() {
  if (stopping_) return;
  stopping_ = true;
  log::info("draining", {{"worker", cfg_.worker_id}, {"inFlight", static_cast<int64_t>(in_flight_)},
                         {"graceSeconds", cfg_.shutdown_grace_s}});
  blocking_.close();   // wakes the BLMOVE at once
  slot_timer_.cancel();
}

void Worker::slot_freed() { slot_timer_.cancel(); }

asio::awaitable<void> Worker::sleep(std::chrono::milliseconds d) {
  asio::steady_timer t(io_, d);
  boost::system::error_code ec;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<int> Worker::run() {
  // Connect, with backoff, until Redis answers or we are asked to stop.
  for (auto backoff = 200ms; !stopping_; backoff = std::min(backoff * 2, std::chrono::milliseconds(5000))) {
    auto c = co_await cmd_.connect();
    if (c) break;
    log::warn("redis unavailable", {{"error", c.error->message}, {"retryInMs", static_cast<int64_t>(backoff.count())}});
    co_await sleep(backoff);
  }
  if (stopping_) co_return 0;

  // A restarted worker with the same id first returns its own unfinished events to the queue.
  auto rec = co_await scripts::run(cmd_, scripts::requeue_processing(), cmd(processing_key_, cfg_.queue), std::vector<std::string>());
  if (rec && rec->type == redis::Reply::Type::integer && rec->integer > 0)
    log::info("recovered own processing list", {{"worker", cfg_.worker_id}, {"events", static_cast<int64_t>(rec->integer)}});

  log::info("worker started", {{"worker", cfg_.worker_id}, {"queue", cfg_.queue},
                               {"concurrency", static_cast<int64_t>(cfg_.concurrency)},
                               {"version", std::string_view(CALLLOG_VERSION)}});
  ready_ = true;
  asio::co_spawn(io_, retry_scheduler(), asio::detached);
  asio::co_spawn(io_, heartbeat_loop(), asio::detached);
  co_await fetch_loop();

  // Drain: wait for in-flight events up to the grace period.
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(cfg_.shutdown_grace_s * 1000));
  while (in_flight_ > 0 && std::chrono::steady_clock::now() < deadline) co_await sleep(20ms);
  // Whatever is still on the processing list (unfinished after the grace, or taken by a BLMOVE
  // that raced the stop) goes back to the queue.
  auto moved = co_await scripts::run(cmd_, scripts::requeue_processing(), cmd(processing_key_, cfg_.queue), std::vector<std::string>());
  if (!moved || moved->integer > 0 || in_flight_ > 0)
    log::warn("unfinished events returned to the queue",
              {{"inFlight", static_cast<int64_t>(in_flight_)},
               {"requeued", static_cast<int64_t>(moved && moved->type == redis::Reply::Type::integer ? moved->integer : -1)}});
  // A clean exit leaves no heartbeat behind and deregisters this worker.
  std::vector<std::vector<std::string>> bye;
  bye.push_back(cmd("DEL", cfg_.heartbeat_key(cfg_.worker_id)));
  bye.push_back(cmd("SREM", cfg_.workers_key(), cfg_.worker_id));
  co_await cmd_.exec_pipeline(std::move(bye));
  log::info("worker stopped", {{"worker", cfg_.worker_id}});
  cmd_.close();
  co_return 0;
}

asio::awaitable<void> Worker::fetch_loop() {
  auto backoff = 100ms;
  bool lost_answer = false;
  while (!stopping_) {
    if (in_flight_ >= cfg_.concurrency) {
      slot_timer_.expires_after(1s);
      boost::system::error_code ec;
      co_await slot_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    // Blocks server-side up to 1 s; our deadline is longer so a reply is never lost to a timeout.
    auto r = co_await blocking_.exec(cmd("BLMOVE", cfg_.queue, processing_key_, "RIGHT", "LEFT", "1"), 5s);
    if (stopping_) break;
    if (!r) {
      ready_ = false;
      lost_answer = true;  // the BLMOVE may have moved an element whose answer we never read
      log::warn("taking events failed", {{"error", r.error->message}, {"retryInMs", static_cast<int64_t>(backoff.count())}});
      co_await sleep(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    backoff = 100ms;
    ready_ = true;
    if (!r->is_nil() && !r->is_error()) in_flight_elements_.insert(r->str);  // before any orphan check
    if (lost_answer) {
      lost_answer = false;
      co_await requeue_orphans();
    }
    if (r->is_error()) {
      log::error("BLMOVE refused", {{"error", r->str}});
      co_await sleep(1s);
      continue;
    }
    if (r->is_nil()) continue;
    start_event(std::move(r->str));
    // The queue had work: fill more free slots in one round trip (non-blocking LMOVEs), so a busy
    // worker is not limited to one event per Redis round trip.
    const int free_slots = std::min(cfg_.concurrency - in_flight_, kBatchTake);
    if (free_slots <= 0 || stopping_) continue;
    std::vector<std::vector<std::string>> takes;
    for (int i = 0; i < free_slots; ++i) takes.push_back(cmd("LMOVE", cfg_.queue, processing_key_, "RIGHT", "LEFT"));
    auto more = co_await blocking_.exec_pipeline(std::move(takes), 5s);
    if (!more) {
      lost_answer = true;  // some LMOVEs may have run: the orphan check returns them
      continue;
    }
    for (auto& e : *more) {
      if (e.type != redis::Reply::Type::string) continue;
      in_flight_elements_.insert(e.str);
      start_event(std::move(e.str));
    }
  }
}

void Worker::start_event(std::string raw) {
  metrics_.event_taken();
  ++in_flight_;
  asio::co_spawn(io_, process(std::move(raw)), asio::detached);
}

asio::awaitable<void> Worker::requeue_orphans() {
  // Elements on our processing list that no coroutine of ours is working on go back to the queue.
  auto list = co_await cmd_.exec(cmd("LRANGE", processing_key_, "0", "-1"));
  if (!list || list->type != redis::Reply::Type::array) co_return;
  std::unordered_multiset<std::string> busy = in_flight_elements_;
  long long moved = 0;
  for (auto& e : list->elements) {
    if (auto it = busy.find(e.str); it != busy.end()) {
      busy.erase(it);
      continue;
    }
    auto r = co_await scripts::run(cmd_, scripts::requeue_orphan(), cmd(processing_key_, cfg_.queue), cmd(e.str));
    if (r && r->type == redis::Reply::Type::integer) moved += r->integer;
  }
  if (moved > 0) log::info("requeued orphaned events after a lost connection", {{"events", static_cast<int64_t>(moved)}});
}

}  // namespace calllog
