#pragma once
// The pool-wide CRM rate limiter. Before each CRM request crm_request() takes a Permit (a token
// of the shared budget, and a lease of the account's concurrency cap when the platform has one);
// after it, observe() feeds the response's signals back into the shared state and gives the lease
// back. observe() waits for Redis only when the caller needs the answer (a refusal's shared
// pause); otherwise its one script call is pipelined and the wake-ups follow its answer. Waits are
// timers on this worker's executor: one host waiting never blocks another.
//
// Build one per worker process (one io thread), after its RedisClient:
//   ratelimit::Limiter limiter(ex, redis, prefix);        // Config{} defaults
//   ctx.limiter = &limiter;                                // AdapterContext
// State lives in Redis under {prefix}:rl:{platform}:{account}; a Redis error lets the request go
// (fail open) rather than stopping CRM traffic.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/failure.hpp"
#include "common/https/https_client.hpp"
#include "common/ratelimit/counters.hpp"
#include "common/ratelimit/policy.hpp"

namespace calllog::redis { class RedisClient; }

namespace calllog::ratelimit {

struct Config {
  int start_inflight = 4;                                   // requests in flight before any answer
  std::chrono::milliseconds probe_ttl{4000};                // start slots of a dead worker lapse
  std::chrono::milliseconds ticket_recheck{2000};           // a queued waiter asks again within
  std::chrono::milliseconds ticket_grace{1500};             // then its place lapses after this
  std::chrono::milliseconds max_single_wait{30000};         // one sleep at most, then ask again
  std::chrono::milliseconds max_total_wait{120000};         // then give up: retryable failure
  std::chrono::milliseconds max_pause{300000};              // cap on a pause from headers/backoff
  std::chrono::milliseconds lease{35000};                   // > the HTTPS request timeout
  std::chrono::milliseconds state_ttl{3600000};             // idle accounts are forgotten
  double safety = 0.95;                                     // use this share of the learned rate
  std::map<std::string, int, std::less<>> caps;             // platform -> concurrency cap override
};

struct Permit {
  std::string platform, host, state_key, lease_key, lease_id;
  const Policy* policy = nullptr;
  bool probe = false;               // holds a start slot (unknown budget)
  bool limited = false;             // false: no limiter state involved (fail open / no host)
  double waited_ms = 0;
  std::chrono::steady_clock::time_point granted{};  // when it was given (request start)
  std::optional<Failure> failure;   // set: do not send (waited too long, or cancelled)
};

struct Verdict {
  double pause_s = 0;          // the shared pause still ahead for this account
  bool retry_in_place = false; // refused for concurrency: nothing was done, send again
};

class Limiter {
 public:
  Limiter(boost::asio::any_io_executor ex, redis::RedisClient& redis, std::string prefix,
          Config cfg = {});
  Limiter(const Limiter&) = delete;
  Limiter& operator=(const Limiter&) = delete;

  boost::asio::awaitable<Permit> acquire(std::string_view platform, std::string_view host);
  // Feeds the answer (or nullptr after a transport failure) back; releases the permit.
  boost::asio::awaitable<Verdict> observe(Permit& permit, const https::Response* response);

  // Counts for (platform, host); created on first use.
  Counters& counters(std::string_view platform, std::string_view host);
  const std::map<std::string, Counters, std::less<>>& all_counters() const { return counters_; }
  const Config& config() const { return cfg_; }

 private:
  boost::asio::awaitable<bool> sleep(const std::string& key, std::chrono::milliseconds d,
                                     bool wake_early);
  void wake(const std::string& key);
  boost::asio::awaitable<bool> take_budget(Permit& p, Counters& c,
                                           std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<bool> take_lease(Permit& p, int cap,
                                          std::chrono::steady_clock::time_point deadline);
  // Runs the observe script (and gives the lease back in it), then wakes local waiters; returns
  // the pause left in ms (-1: Redis failed). Touches nothing of this Limiter once `alive` lapsed.
  boost::asio::awaitable<long long> send_observe(std::weak_ptr<int> alive,
                                                 std::vector<std::string> keys,
                                                 std::vector<std::string> args,
                                                 std::string state_key, std::string lease_key,
                                                 double took_ms);
  void note_wait(Permit& p, Counters& c, double ms, std::string_view reason);
  int cap_for(const Policy& policy) const;

  boost::asio::any_io_executor ex_;
  redis::RedisClient& redis_;
  std::string prefix_;
  Config cfg_;
  std::map<std::string, Counters, std::less<>> counters_;
  std::map<std::string, std::set<boost::asio::steady_timer*>, std::less<>> sleepers_;
  std::map<std::string, double, std::less<>> hold_ms_;  // recent request time per lease key
  uint64_t next_lease_ = 0;
  std::string lease_prefix_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // observes still in flight check it
};

}  // namespace calllog::ratelimit
