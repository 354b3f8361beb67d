// Each CRM's rate-limit semantics (APPCONNECT.md §4, golden README, the CRMs' documentation).
#include <array>

#include "common/ratelimit/policy.hpp"

namespace calllog::ratelimit {
namespace {

// Pipedrive: x-ratelimit-reset in seconds; the limit is per 2-second rolling window (its API
//   documentation), so the rate is limit / 2 s even when the reset it reports is rounded or
//   constant; a daily budget besides the rolling one.
// Clio: X-RateLimit-Reset is a Unix time (the end of a fixed window); its 429 carries Retry-After.
// Bullhorn: ratelimit-* without x-; also limits concurrent calls per account. The cap of 10 is
//   our conservative choice, not a figure from Bullhorn (override in Limiter::Config::caps).
// Insightly, Redtail: no headers seen; governed by 429s and backoff.
// NetSuite: no headers; concurrency per account (default account limit 5); restlets answer an
//   exhausted limit with 400 SSS_REQUEST_LIMIT_EXCEEDED, SuiteTalk with 429.
const std::array kPolicies = {
    Policy{.platform = "pipedrive", .reset_kind = ResetKind::seconds,
           .daily_left_header = "x-daily-requests-left", .rolling_window_ms = 2000},
    Policy{.platform = "clio", .reset_kind = ResetKind::epoch, .fixed_window = true},
    Policy{.platform = "bullhorn", .header_prefix = "ratelimit-", .concurrency_cap = 10},
    Policy{.platform = "insightly"},
    Policy{.platform = "redtail"},
    Policy{.platform = "netsuite", .concurrency_cap = 5, .refused_status = 400,
           .refused_body_marker = "SSS_REQUEST_LIMIT_EXCEEDED", .account_is_first_label = true},
};

const Policy kGeneric{.platform = "", .alt_header_prefix = "ratelimit-"};

}  // namespace

const Policy& policy_for(std::string_view platform) {
  for (const auto& p : kPolicies)
    if (p.platform == platform) return p;
  return kGeneric;
}

std::string account_key(const Policy& policy, std::string_view host) {
  if (policy.account_is_first_label) {
    auto dot = host.find('.');
    if (dot != std::string_view::npos && dot > 0) return std::string(host.substr(0, dot));
  }
  return std::string(host);
}

}  // namespace calllog::ratelimit
