#pragma once
// The worker's Prometheus metrics (CONTRACT §7), kept in a prometheus-cpp Registry and rendered in
// the text exposition format (version 0.0.4) for GET /metrics.
//
// The worker calls one small method per thing that happened (event_taken(), reply("logged"),
// crm_request("pipedrive", 201, 0.12), ...). Label children are created once and cached, so the
// hot path does no string-keyed map lookups for the fixed label sets (reply status), and one small
// lookup per platform otherwise (or none, when the caller holds a PlatformMetrics&).
//
// Values the worker already counts elsewhere (events in flight, Redis reconnects) can instead be
// read at scrape time through a source callback.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace calllog {

// Bucket upper bounds (seconds).
// CRM requests: 5 ms to 30 s (the HTTPS client's request timeout).
inline const std::vector<double> kCrmDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                        0.5,   1.0,  2.5,   5.0,  10.0, 30.0};
// One event from being taken to its final reply (a retried event spans its backoff waits).
inline const std::vector<double> kEventDurationBuckets = {0.01, 0.025, 0.05, 0.1,  0.25, 0.5,  1.0,
                                                          2.5,  5.0,   10.0, 30.0, 60.0, 300.0, 1800.0};

// The per-platform series, created on first use of a platform. References stay valid for the
// life of the Metrics object.
class PlatformMetrics {
 public:
  // One CRM request answered with `http_status` (0 = no HTTP answer: connect error, reset,
  // timeout; labelled "error"), taking `seconds`. A 429 also counts in calllog_ratelimit_429_total
  // (so there is no separate call for it).
  void crm_request(int http_status, double seconds);
  void ratelimit_wait();   // a request waited for the rate limiter

 private:
  friend class Metrics;
  PlatformMetrics(prometheus::Family<prometheus::Counter>& requests, std::string platform,
                  prometheus::Histogram& duration, prometheus::Counter& waits,
                  prometheus::Counter& too_many);
  prometheus::Counter& requests_for(int http_status);

  prometheus::Family<prometheus::Counter>& requests_family_;
  std::string platform_;
  prometheus::Histogram& duration_;
  prometheus::Counter& waits_;
  prometheus::Counter& too_many_;
  std::mutex mutex_;                                            // guards requests_by_status_
  std::vector<std::pair<int, prometheus::Counter*>> requests_by_status_;   // few entries
};

class Metrics {
 public:
  explicit Metrics(std::string version = CALLLOG_VERSION);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // --- per event ---
  void event_taken();
  // Final reply with status "logged", "duplicate" or "failed" (any other value gets its own series).
  void reply(std::string_view status);
  void attempt();                  // one processing attempt of an event (first try or retry)
  void retry_scheduled();          // a transient failure put the event on the retry schedule
  void dead_letter(std::string_view error_code);
  void event_duration(double seconds);   // taken → final reply
  void in_flight_add(double delta);      // +1 when taken, -1 when finished
  void set_in_flight(double value);

  // --- per CRM request ---
  PlatformMetrics& platform(std::string_view platform);
  void crm_request(std::string_view platform, int http_status, double seconds) {
    this->platform(platform).crm_request(http_status, seconds);
  }
  void ratelimit_wait(std::string_view platform) { this->platform(platform).ratelimit_wait(); }

  // --- Redis ---
  void redis_reconnect();

  // --- values read at scrape time (called from render()) ---
  // The gauge calllog_in_flight is set from `source` before each render.
  void set_in_flight_source(std::function<double()> source);
  // calllog_redis_reconnects_total follows `source`, a monotonically growing total (e.g. the sum of
  // the Redis clients' reconnects()); increments made through redis_reconnect() add to it.
  void set_redis_reconnects_source(std::function<std::uint64_t()> source);

  // The registry in Prometheus text format 0.0.4.
  std::string render();
  static constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

  prometheus::Registry& registry() { return *registry_; }

 private:
  prometheus::Counter& reply_counter(std::string_view status);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Counter* events_taken_;
  prometheus::Family<prometheus::Counter>* replies_;
  prometheus::Counter* replies_logged_;
  prometheus::Counter* replies_duplicate_;
  prometheus::Counter* replies_failed_;
  prometheus::Counter* attempts_;
  prometheus::Counter* retries_scheduled_;
  prometheus::Family<prometheus::Counter>* dead_letters_;
  prometheus::Gauge* in_flight_;
  prometheus::Family<prometheus::Counter>* crm_requests_;
  prometheus::Family<prometheus::Histogram>* crm_duration_;
  prometheus::Histogram* event_duration_;
  prometheus::Family<prometheus::Counter>* ratelimit_waits_;
  prometheus::Family<prometheus::Counter>* ratelimit_429_;
  prometheus::Counter* redis_reconnects_;

  std::mutex mutex_;   // guards the caches and sources below
  std::map<std::string, prometheus::Counter*, std::less<>> dead_letters_by_code_;
  std::map<std::string, std::unique_ptr<PlatformMetrics>, std::less<>> platforms_;
  std::function<double()> in_flight_source_;
  std::function<std::uint64_t()> redis_reconnects_source_;
  std::uint64_t redis_reconnects_seen_ = 0;   // last value taken from the source
};

}  // namespace calllog
