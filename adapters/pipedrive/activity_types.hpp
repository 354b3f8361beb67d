#pragma once
// Pipedrive's activity type for a call log (APPCONNECT.md §3.1, resolveActivityType): the admin's
// pipedriveCallActivityType if the account has it, else the first active type whose name
// contains "call", with App Connect's force-refresh rules. The account's types (GET
// /v1/activityTypes) are cached in Redis for 24 h under {prefix}:pd:activityTypes:{hostname} so
// the whole pool shares one fetch, and in this process until the same expiry. Without Redis the
// adapter fetches directly.
#include <chrono>
#include <cstdint>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "adapters/adapter.hpp"
#include "common/failure.hpp"
#include "common/https/https_client.hpp"

namespace calllog::pipedrive {

struct ActivityType {
  std::string key;    // key_string (the activity's `type`)
  std::string title;  // name
};
using ActivityTypes = std::vector<ActivityType>;

// `data.data.filter(t => t.active_flag).map(t => ({const: t.key_string, title: t.name}))`;
// nullopt when the body has no data array (App Connect would throw).
std::optional<ActivityTypes> parse_activity_types(std::string_view body);
std::string serialize_cache_value(const ActivityTypes& types, int64_t fetched_at_ms);
struct CachedTypes {
  ActivityTypes types;
  int64_t fetched_at_ms = 0;
};
std::optional<CachedTypes> parse_cache_value(std::string_view text);

// The pure resolution step over a list: the configured key if present, else the first title
// containing "call" (ASCII case-insensitive); nullopt when neither.
std::optional<std::string> configured_if_listed(const ActivityTypes& types,
                                                const std::optional<std::string>& configured);
std::optional<std::string> first_call_type(const ActivityTypes& types);

// What resolving produced: the type, or "none fits" (App Connect's activity-type message), or
// a failed fetch (the response or transport failure, for handleApiError).
struct TypeResolution {
  std::optional<std::string> type;
  bool none_fits = false;
  std::optional<Failure> failure;
  std::optional<int> http_status;  // of the failed fetch, when it got an answer
};

class ActivityTypeResolver {
 public:
  static constexpr std::chrono::seconds kTtl{24 * 3600};

  boost::asio::awaitable<TypeResolution> resolve(const Event& event, AdapterContext& ctx,
                                                 const https::AllowList& allowed);

  // How many GET /v1/activityTypes this resolver sent (tests, metrics).
  uint64_t fetches() const { return fetches_; }

 private:
  struct Loaded {
    std::optional<ActivityTypes> types;
    std::optional<Failure> failure;
    std::optional<int> http_status;
  };
  static Loaded types_only(ActivityTypes t) {
    Loaded l;
    l.types = std::move(t);
    return l;
  }
  static Loaded failed_load(Failure f, std::optional<int> status) {
    Loaded l;
    l.failure = std::move(f);
    l.http_status = status;
    return l;
  }
  static TypeResolution failed(const Loaded& l) {
    TypeResolution r;
    r.failure = l.failure;
    r.http_status = l.http_status;
    return r;
  }
  boost::asio::awaitable<Loaded> load(const Event& event, AdapterContext& ctx,
                                      const https::AllowList& allowed, bool force,
                                      const std::optional<ActivityTypes>& stale);
  boost::asio::awaitable<Loaded> fetch(const Event& event, AdapterContext& ctx,
                                       const https::AllowList& allowed);

  std::optional<CachedTypes> memo_get(const std::string& host);
  void memo_put(const std::string& host, const CachedTypes& value);

  std::mutex mu_;
  std::map<std::string, CachedTypes> memo_;  // hostname → types (this process)
  std::atomic<uint64_t> fetches_{0};
};

}  // namespace calllog::pipedrive
