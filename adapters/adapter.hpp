#pragma once
// The one small interface every CRM adapter implements: App Connect's createCallLog for one
// platform, as an awaitable that returns a result value.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/event.hpp"
#include "common/failure.hpp"
#include "common/https/allowlist.hpp"

namespace calllog {

class Metrics;
namespace https { class Client; }
namespace redis { class RedisClient; }
namespace ratelimit { class Limiter; }
struct AdapterOptions;

// What createCallLog produced. Either log_id is set (logged), or failure is set.
struct CallLogResult {
  std::optional<std::string> log_id;       // CRM record id, always as a string
  std::string return_message_json;         // App Connect's returnMessage, serialized JSON object
  std::string extra_data_tracking_json;    // App Connect's extraDataTracking (without the
                                           // withSmartNoteLog/withTranscript flags, added later)
  std::optional<Failure> failure;
};

// CRM time spent for one event, summed over its requests (for the event's log line).
struct CrmTiming {
  int requests = 0;
  double crm_ms = 0;    // request sent → answer (or failure)
  double wait_ms = 0;   // waiting for the rate limiter before sending
};

// What an adapter may use while it runs. Owned by the worker; outlives every call.
struct AdapterContext {
  https::Client* http = nullptr;
  redis::RedisClient* redis = nullptr;     // shared pipelined connection
  const AdapterOptions* options = nullptr;
  std::string prefix;                      // --prefix for internal keys
  https::AllowList extra_allowed;          // --allow-host patterns
  Metrics* metrics = nullptr;              // CRM request counters and latency (may be null)
  CrmTiming* timing = nullptr;             // this event's CRM time (a per-event copy sets it)
  ratelimit::Limiter* limiter = nullptr;   // pool-wide CRM rate limiter (none: pass-through)
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual std::string_view platform() const = 0;
  // Host patterns this adapter may contact on its own (any port); see https::AllowList.
  virtual std::vector<std::string> allowed_hosts() const = 0;
  virtual boost::asio::awaitable<CallLogResult> create_call_log(const Event& event,
                                                                AdapterContext& ctx) = 0;
};

// Options of adapters whose API host / app credentials are not in the event (CONTRACT §6).
struct AdapterOptions {
  std::string sandbox_db = "sandbox.db";
  std::string redtail_api_url;
  std::string redtail_api_key;
  std::string insightly_api_version = "v3.1";
};

}  // namespace calllog
