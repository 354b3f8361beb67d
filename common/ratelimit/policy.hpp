#pragma once
// How one CRM signals its limits and which mechanism it needs: a shared rate budget, a pool-wide
// concurrency cap per account, or both. One Policy per platform, all in policies.cpp.
#include <functional>
#include <string>
#include <string_view>

namespace calllog::ratelimit {

enum class ResetKind { seconds, epoch, automatic };  // automatic: > 10^9 means epoch

struct Policy {
  std::string_view platform;
  std::string_view header_prefix = "x-ratelimit-";  // "<prefix>limit", "remaining", "reset"
  std::string_view alt_header_prefix = {};             // also read when the first is absent
  ResetKind reset_kind = ResetKind::automatic;
  std::string_view daily_left_header = {};             // "" = none
  // The window: rolling (a token bucket; the deficit refills by the reset) or fixed (the whole
  // limit returns at the reset).
  bool fixed_window = false;
  // A rolling window of documented length: the limit refills over this many ms, so the rate is
  // limit / window (Pipedrive: 2 s). 0 = unknown: the rate is learned from deficit / reset.
  int rolling_window_ms = 0;
  bool rate_budget = true;                           // learn and share the header budget
  int concurrency_cap = 0;                           // > 0: pool-wide cap per account
  int refused_status = 0;                            // a non-429 status meaning "too many
  std::string_view refused_body_marker = {};           //  concurrent": status + body marker
  // The budget's account part: the host, or for NetSuite the account id (first label), since
  // restlets.api and suitetalk.api of one account share its concurrency limit.
  bool account_is_first_label = false;
};

// The policy for a platform; an unknown platform gets a generic one (both header families).
const Policy& policy_for(std::string_view platform);

// The account key a host belongs to under `policy`.
std::string account_key(const Policy& policy, std::string_view host);

}  // namespace calllog::ratelimit
