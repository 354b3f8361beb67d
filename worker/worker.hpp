#pragma once
// The consume loop (`run`, CONTRACT §1): BLMOVE from the input queue onto this worker's processing
// list, up to --concurrency events in flight as coroutines on one io_context, each one
// parse → validate → dedupe → adapter → reply (atomically with its removal from the list).
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "adapters/adapter.hpp"
#include "common/https/https_client.hpp"
#include "common/metrics.hpp"
#include "common/ratelimit/limiter.hpp"
#include "common/redis/redis_client.hpp"
#include "worker/config.hpp"
#include "worker/reply.hpp"
#include "worker/retry_policy.hpp"

namespace calllog {

// This process's incarnation (random, fixed for its life): in claim tokens and heartbeats, so a
// claim left by a previous life under the same --worker-id is told from a live one.
const std::string& incarnation();

class Worker {
 public:
  Worker(boost::asio::io_context& io, Config cfg, Metrics& metrics);
  ~Worker();

  // Runs until stop() (or a fatal error); returns the process exit code.
  boost::asio::awaitable<int> run();
  // Begins the graceful drain: stop taking events, finish in-flight ones within the grace.
  void stop();

  bool ready() const { return ready_ && !stopping_; }
  int in_flight() const { return in_flight_; }
  uint64_t redis_reconnects() const { return cmd_.reconnects() + blocking_.reconnects(); }

 private:
  boost::asio::awaitable<void> fetch_loop();
  boost::asio::awaitable<void> process(std::string raw);
  boost::asio::awaitable<void> finish(const std::string& raw, const ReplyFields& reply,
                                      const std::string& event_json, const std::string& claim_key,
                                      const std::string& claim_token, const std::string& logged_key,
                                      const std::string& event_id);
  boost::asio::awaitable<void> schedule_retry(const std::string& raw, const std::string& event_id,
                                              const std::string& claim_key, const std::string& claim_token,
                                              const RetryDecision& decision);
  boost::asio::awaitable<void> retry_scheduler();   // moves due retries back to the queue
  boost::asio::awaitable<void> heartbeat_loop();    // registers, beats, recovers dead workers
  static double random01();
  // Claims the session for dedupe (or finds it logged: earlier_log_id); reads the event's attempt
  // counters in the same round trip.
  boost::asio::awaitable<bool> wait_for_claim(const std::string& claim_key, const std::string& token,
                                              const std::string& logged_key, const std::string& event_id,
                                              std::optional<std::string>& earlier_log_id,
                                              std::pair<int, int>& attempt_counters);
  boost::asio::awaitable<bool> take_over_dead_claim(const std::string& claim_key, const std::string& token);
  boost::asio::awaitable<void> sleep(std::chrono::milliseconds d);
  void slot_freed();
  void done_with(const std::string& raw);
  void start_event(std::string raw);   // counts it in flight and spawns process()
  boost::asio::awaitable<void> requeue_orphans();   // after a lost BLMOVE answer

  boost::asio::io_context& io_;
  Config cfg_;
  Metrics& metrics_;
  std::string processing_key_;
  redis::RedisClient cmd_;        // pipelined: replies, dedupe, scripts
  redis::RedisClient blocking_;   // BLMOVE only
  https::Client http_;
  ratelimit::Limiter limiter_;    // pool-wide CRM budgets, shared through Redis
  std::map<std::string, std::unique_ptr<Adapter>, std::less<>> adapters_;
  AdapterContext ctx_;
  boost::asio::steady_timer slot_timer_;   // woken when an in-flight event finishes
  int in_flight_ = 0;
  std::unordered_multiset<std::string> in_flight_elements_;   // raw elements being processed
  bool stopping_ = false;
  bool ready_ = false;
};

}  // namespace calllog
