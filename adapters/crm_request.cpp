#include "adapters/crm_request.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "adapters/appconnect/crm_failure.hpp"
#include "common/metrics.hpp"
#include "common/ratelimit/limiter.hpp"

namespace calllog {
namespace {

// A refusal for concurrency (NetSuite's 400 SSS_REQUEST_LIMIT_EXCEEDED) did nothing at the CRM;
// it is sent again after the shared pause, this many times at most.
constexpr int kConcurrencyRetries = 2;

// On a 429, Retry-After becomes the later of the CRM's hint and the pool's shared pause, so the
// Failure the adapter builds (retry_after_s) sends the event back no sooner than the pause ends.
void merge_retry_after(https::Response& r, double shared_pause_s) {
  const double own = appconnect::retry_after_seconds(r).value_or(0);
  const double later = std::max(own, shared_pause_s);
  if (later <= 0) return;
  std::erase_if(r.headers, [](const auto& h) { return h.first == "retry-after"; });
  r.headers.emplace_back("retry-after", std::to_string(static_cast<long long>(std::ceil(later))));
}

// Sends one request and counts it (status 0: no HTTP answer) with its duration.
boost::asio::awaitable<https::Outcome> send_counted(AdapterContext& ctx, std::string_view platform,
                                                    https::Request req, const https::AllowList& allowed) {
  const auto start = std::chrono::steady_clock::now();
  auto outcome = co_await ctx.http->request(std::move(req), allowed);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (ctx.metrics) ctx.metrics->crm_request(platform, outcome.response ? outcome.response->status : 0, seconds);
  if (ctx.timing) {
    ++ctx.timing->requests;
    ctx.timing->crm_ms += seconds * 1000.0;
  }
  co_return outcome;
}

}  // namespace

https::AllowList allow_list_for(const Adapter& adapter, const AdapterContext& ctx) {
  https::AllowList allowed = ctx.extra_allowed;
  for (auto& p : adapter.allowed_hosts()) allowed.add(p);
  return allowed;
}

boost::asio::awaitable<https::Outcome> crm_request(AdapterContext& ctx, std::string_view platform,
                                                   https::Request req, const https::AllowList& allowed) {
  const auto url = https::parse_url(req.url);
  // Without a limiter, or for a URL the client will refuse anyway, no shared state is touched.
  if (!ctx.limiter || !url || !allowed.allows(url->host, url->port)) {
    co_return co_await send_counted(ctx, platform, std::move(req), allowed);
  }
  // Only a platform that refuses for concurrency may send the same request again: keep a copy.
  const bool may_resend = ratelimit::policy_for(platform).refused_status != 0;
  for (int attempt = 0;; ++attempt) {
    auto permit = co_await ctx.limiter->acquire(platform, url->host);
    if (ctx.metrics && permit.waited_ms >= 1) ctx.metrics->ratelimit_wait(platform);
    if (ctx.timing) ctx.timing->wait_ms += permit.waited_ms;
    if (permit.failure) co_return https::Outcome{std::nullopt, std::move(permit.failure)};
    https::Request to_send;
    if (may_resend && attempt < kConcurrencyRetries) to_send = req;
    else to_send = std::move(req);
    auto outcome = co_await send_counted(ctx, platform, std::move(to_send), allowed);
    const https::Response* response = outcome.response ? &*outcome.response : nullptr;
    auto verdict = co_await ctx.limiter->observe(permit, response);
    if (verdict.retry_in_place && attempt < kConcurrencyRetries) continue;
    if (outcome.response && outcome.response->status == 429)
      merge_retry_after(*outcome.response, verdict.pause_s);
    co_return outcome;
  }
}

}  // namespace calllog
