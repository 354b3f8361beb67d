#pragma once
// Step records for connectors that write more than one record per call log (issue 8 item 4).
// App Connect answers an error when a follow-up request fails after the main record exists, and a
// retry then creates a second main record. We record each completed step in Redis, so a retried
// event resumes at the step that failed and never re-creates the main record:
//
//   {prefix}:steps:{platform}:{sessionId}   hash   "main" → main record id, plus one field per
//                                                   completed follow-up; TTL kStepsTtl
//
// Without Redis (no client, or it does not answer) load_steps() returns an empty log and
// record_step() returns false: the adapter then behaves as App Connect (no resume), it does not
// fail the event because of Redis.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "adapters/adapter.hpp"

namespace calllog::steps {

inline constexpr std::chrono::seconds kStepsTtl{7 * 24 * 3600};
inline constexpr std::string_view kMain = "main";

// The steps of one (platform, session) completed by earlier attempts: field → value.
struct StepLog {
  std::map<std::string, std::string, std::less<>> done;
  bool has(std::string_view step) const { return done.find(step) != done.end(); }
  std::optional<std::string> get(std::string_view step) const {
    auto it = done.find(step);
    if (it == done.end()) return std::nullopt;
    return it->second;
  }
};

std::string steps_key(std::string_view prefix, std::string_view platform, std::string_view session);

// HGETALL of the key; empty when nothing was recorded or Redis is unavailable.
boost::asio::awaitable<StepLog> load_steps(AdapterContext& ctx, std::string_view platform,
                                           std::string_view session);

// Records one completed step (HSET + EXPIRE in one Lua script, see steps.cpp). true when
// Redis confirmed it.
boost::asio::awaitable<bool> record_step(AdapterContext& ctx, std::string_view platform,
                                         std::string_view session, std::string_view step,
                                         std::string_view value);

}  // namespace calllog::steps
