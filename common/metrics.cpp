#include "common/metrics.hpp"

#include <sstream>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace calllog {
namespace prom = prometheus;

namespace {

prom::Family<prom::Counter>& counter_family(prom::Registry& r, const std::string& name,
                                            const std::string& help) {
  return prom::BuildCounter().Name(name).Help(help).Register(r);
}

std::string status_label(int http_status) {
  return http_status > 0 ? std::to_string(http_status) : std::string("error");
}

}  // namespace

// ---- PlatformMetrics ------------------------------------------------------------------------

PlatformMetrics::PlatformMetrics(prom::Family<prom::Counter>& requests, std::string platform,
                                 prom::Histogram& duration, prom::Counter& waits,
                                 prom::Counter& too_many)
    : requests_family_(requests),
      platform_(std::move(platform)),
      duration_(duration),
      waits_(waits),
      too_many_(too_many) {}

prom::Counter& PlatformMetrics::requests_for(int http_status) {
  std::lock_guard lock(mutex_);
  for (auto& [status, counter] : requests_by_status_)
    if (status == http_status) return *counter;
  auto& c = requests_family_.Add({{"platform", platform_}, {"status", status_label(http_status)}});
  requests_by_status_.emplace_back(http_status, &c);
  return c;
}

void PlatformMetrics::crm_request(int http_status, double seconds) {
  requests_for(http_status).Increment();
  duration_.Observe(seconds);
  if (http_status == 429) too_many_.Increment();
}

void PlatformMetrics::ratelimit_wait() { waits_.Increment(); }

// ---- Metrics --------------------------------------------------------------------------------

Metrics::Metrics(std::string version) : registry_(std::make_shared<prom::Registry>()) {
  auto& r = *registry_;
  events_taken_ = &counter_family(r, "calllog_events_taken_total",
                                  "Events taken from the input queue.").Add({});
  replies_ = &counter_family(r, "calllog_replies_total", "Final replies pushed, by status.");
  replies_logged_ = &replies_->Add({{"status", "logged"}});
  replies_duplicate_ = &replies_->Add({{"status", "duplicate"}});
  replies_failed_ = &replies_->Add({{"status", "failed"}});
  attempts_ = &counter_family(r, "calllog_attempts_total",
                              "Processing attempts (first tries and retries).").Add({});
  retries_scheduled_ = &counter_family(r, "calllog_retries_scheduled_total",
                                       "Events put on the retry schedule after a transient failure.")
                            .Add({});
  dead_letters_ = &counter_family(r, "calllog_dead_letters_total",
                                  "Events dead-lettered, by error code.");
  in_flight_ = &prom::BuildGauge()
                    .Name("calllog_in_flight")
                    .Help("Events being processed by this worker.")
                    .Register(r)
                    .Add({});
  crm_requests_ = &counter_family(r, "calllog_crm_requests_total",
                                  "CRM requests, by platform and HTTP status ('error': no answer).");
  crm_duration_ = &prom::BuildHistogram()
                       .Name("calllog_crm_request_duration_seconds")
                       .Help("CRM request latency, by platform.")
                       .Register(r);
  event_duration_ = &prom::BuildHistogram()
                         .Name("calllog_event_duration_seconds")
                         .Help("Time from taking an event to its final reply.")
                         .Register(r)
                         .Add({}, kEventDurationBuckets);
  ratelimit_waits_ = &counter_family(r, "calllog_ratelimit_waits_total",
                                     "CRM requests that waited for the rate limiter, by platform.");
  ratelimit_429_ = &counter_family(r, "calllog_ratelimit_429_total",
                                   "CRM answers 429 Too Many Requests, by platform.");
  redis_reconnects_ = &counter_family(r, "calllog_redis_reconnects_total",
                                      "Redis connections re-established after a loss.").Add({});
  prom::BuildGauge()
      .Name("calllog_build_info")
      .Help("Build information; the value is always 1.")
      .Register(r)
      .Add({{"version", std::move(version)}})
      .Set(1);
}

Metrics::~Metrics() = default;

void Metrics::event_taken() { events_taken_->Increment(); }

prom::Counter& Metrics::reply_counter(std::string_view status) {
  if (status == "logged") return *replies_logged_;
  if (status == "duplicate") return *replies_duplicate_;
  if (status == "failed") return *replies_failed_;
  return replies_->Add({{"status", std::string(status)}});   // Family::Add returns the existing one
}

void Metrics::reply(std::string_view status) { reply_counter(status).Increment(); }
void Metrics::attempt() { attempts_->Increment(); }
void Metrics::retry_scheduled() { retries_scheduled_->Increment(); }

void Metrics::dead_letter(std::string_view error_code) {
  prom::Counter* c;
  {
    std::lock_guard lock(mutex_);
    auto it = dead_letters_by_code_.find(error_code);
    if (it == dead_letters_by_code_.end())
      it = dead_letters_by_code_
               .emplace(std::string(error_code), &dead_letters_->Add({{"code", std::string(error_code)}}))
               .first;
    c = it->second;
  }
  c->Increment();
}

void Metrics::event_duration(double seconds) { event_duration_->Observe(seconds); }
void Metrics::in_flight_add(double delta) { in_flight_->Increment(delta); }
void Metrics::set_in_flight(double value) { in_flight_->Set(value); }

PlatformMetrics& Metrics::platform(std::string_view platform) {
  std::lock_guard lock(mutex_);
  auto it = platforms_.find(platform);
  if (it != platforms_.end()) return *it->second;
  prom::Labels labels{{"platform", std::string(platform)}};
  std::unique_ptr<PlatformMetrics> p(new PlatformMetrics(
      *crm_requests_, std::string(platform), crm_duration_->Add(labels, kCrmDurationBuckets),
      ratelimit_waits_->Add(labels), ratelimit_429_->Add(labels)));
  return *platforms_.emplace(std::string(platform), std::move(p)).first->second;
}

void Metrics::redis_reconnect() { redis_reconnects_->Increment(); }

void Metrics::set_in_flight_source(std::function<double()> source) {
  std::lock_guard lock(mutex_);
  in_flight_source_ = std::move(source);
}

void Metrics::set_redis_reconnects_source(std::function<std::uint64_t()> source) {
  std::lock_guard lock(mutex_);
  redis_reconnects_source_ = std::move(source);
  redis_reconnects_seen_ = 0;
}

std::string Metrics::render() {
  {
    std::lock_guard lock(mutex_);
    if (in_flight_source_) in_flight_->Set(in_flight_source_());
    if (redis_reconnects_source_) {
      std::uint64_t now = redis_reconnects_source_();
      if (now > redis_reconnects_seen_) {
        redis_reconnects_->Increment(static_cast<double>(now - redis_reconnects_seen_));
        redis_reconnects_seen_ = now;
      }
    }
  }
  std::ostringstream out;
  prom::TextSerializer().Serialize(out, registry_->Collect());
  return std::move(out).str();
}

}  // namespace calllog
