// Clio: App Connect's clio connector createCallLog (APPCONNECT.md §3.2).
//   1. POST https://{hostname}/api/v4/communications.json   → data.id = logId (main record)
//   2. POST https://{hostname}/api/v4/activities.json       time entry, when clioTimeEntriesEnabled
// Better than App Connect: with a time entry to follow, the communication id is recorded as a
// step (adapters/steps.hpp); a retry after a failed time entry posts only the time entry.
// extraDataTracking: the last response's x-ratelimit-* headers.
#include <cctype>

#include <rapidjson/document.h>

#include "adapters/appconnect/call_fields.hpp"
#include "adapters/appconnect/call_times.hpp"
#include "adapters/appconnect/crm_call.hpp"
#include "adapters/appconnect/crm_failure.hpp"
#include "adapters/appconnect/js_value.hpp"
#include "adapters/appconnect/json_object.hpp"
#include "adapters/appconnect/moment_time.hpp"
#include "adapters/appconnect/return_message.hpp"
#include "adapters/crm_request.hpp"
#include "adapters/registry.hpp"
#include "adapters/steps.hpp"
#include "common/composer/composer.hpp"
#include "common/json.hpp"

namespace calllog {
namespace {

using appconnect::JsonObject;

constexpr std::string_view kPlatform = "clio";
constexpr std::string_view kCrm = "Clio";
constexpr std::string_view kTimeEntryStep = "timeEntry";

const rapidjson::Value* submission(const Event& e, std::string_view key) {
  const auto* sub = json::find(e.doc, "additionalSubmission");
  return sub ? json::find(*sub, key) : nullptr;
}

const rapidjson::Value* setting(const Event& e, std::string_view name) {
  return json::find_path(e.doc, {"user", "userSettings", name, "value"});
}

// user.id.split('-')[0], a string.
std::string clio_user_id(const Event& e) {
  std::string id = json::js_string(json::find_path(e.doc, {"user", "id"}));
  return id.substr(0, id.find('-'));
}

// null/undefined → true; a string → case-insensitive "true"; else Boolean(v).
bool time_entries_enabled(const Event& e) {
  const auto* v = setting(e, "clioTimeEntriesEnabled");
  if (appconnect::js_nullish(v)) return true;
  if (v->IsString()) {
    std::string s(v->GetString(), v->GetStringLength());
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s == "true";
  }
  return appconnect::js_truthy(v);
}

// nonBillable ?? (billableStatus !== 'billable') ?? !(tick === 'billable' || tick === false).
std::string non_billable_json(const Event& e) {
  if (const auto* nb = submission(e, "nonBillable")) return appconnect::js_json(*nb);
  if (const auto* status = submission(e, "billableStatus"))
    return !(status->IsString() && std::string_view(status->GetString()) == "billable") ? "true" : "false";
  const auto* tick = setting(e, "clioDefaultNonBillableTick");
  const bool billable = tick && ((tick->IsString() && std::string_view(tick->GetString()) == "billable") ||
                                 (tick->IsBool() && !tick->GetBool()));
  return billable ? "false" : "true";
}

std::string party(std::string_view id_json, std::string_view type) {
  return "[" + JsonObject().raw("id", id_json).string("type", type).str() + "]";
}

std::string communication_body(const Event& e, std::string_view details, int64_t now) {
  const auto& doc = e.doc;
  const std::string uid = json::quoted(clio_user_id(e));
  const bool outbound = json::js_string(json::find_path(doc, {"callLog", "direction"})) == "Outbound";
  std::string user_id = uid;
  if (const auto* assignee = appconnect::assignee_id(doc)) user_id = appconnect::js_json(*assignee);
  const auto* contact_id = json::find_path(doc, {"contactInfo", "id"});
  const std::string contact = contact_id ? appconnect::js_json(*contact_id) : "null";
  const std::string user_side = party(user_id, "User");
  const std::string contact_side = party(contact, "Contact");

  JsonObject data;
  if (const auto* custom = appconnect::custom_subject(doc))
    data.value("subject", *custom);
  else
    data.string("subject", "[Call] " + appconnect::default_subject(doc) + " [undefined]");
  data.string("body", details)
      .string("type", "PhoneCommunication")
      .raw("received_at", appconnect::iso_json(appconnect::call_start_ms(doc, now)))
      .raw("senders", outbound ? user_side : contact_side)
      .raw("receivers", outbound ? contact_side : user_side)
      .raw("notification_event_subscribers", "[" + JsonObject().raw("user_id", uid).str() + "]");
  if (const auto* matters = submission(e, "matters"); appconnect::js_truthy(matters))
    data.raw("matter", JsonObject().value("id", *matters).str());
  return JsonObject().raw("data", data.str()).str();
}

std::string time_entry_body(const Event& e, std::string_view details, std::string_view comm_id_json,
                            int64_t now) {
  const auto& doc = e.doc;
  JsonObject data;
  data.raw("communication", JsonObject().raw("id", comm_id_json).str());
  if (const auto* duration = json::find_path(doc, {"callLog", "duration"}))
    data.value("quantity", *duration);
  data.raw("date", appconnect::iso_json(appconnect::call_start_ms(doc, now)))
      .string("type", "TimeEntry")
      .raw("non_billable", non_billable_json(e))
      .string("note", details);
  if (const auto* matters = submission(e, "matters"); appconnect::js_truthy(matters))
    data.raw("matter", JsonObject().value("id", *matters).str());
  return JsonObject().raw("data", data.str()).str();
}

CallLogResult logged(std::string log_id, std::string tracking) {
  CallLogResult r;
  r.log_id = std::move(log_id);
  r.return_message_json = appconnect::call_logged_message();
  r.extra_data_tracking_json = std::move(tracking);
  return r;
}

class ClioAdapter final : public Adapter {
 public:
  std::string_view platform() const override { return kPlatform; }
  std::vector<std::string> allowed_hosts() const override {
    return {"app.clio.com", "eu.app.clio.com", "au.app.clio.com", "ca.app.clio.com"};
  }

  boost::asio::awaitable<CallLogResult> create_call_log(const Event& event,
                                                        AdapterContext& ctx) override {
    auto composed = compose_for_platform(event.doc);
    if (!composed.ok) co_return appconnect::api_error_result(kPlatform, *composed.error, std::nullopt);
    const std::string& details = composed.ok->body;
    const auto allowed = allow_list_for(*this, ctx);
    const std::string base = "https://" + json::js_string(json::find_path(event.doc, {"user", "hostname"}));
    const std::string auth(event.auth_header());
    const int64_t now = appconnect::now_ms();
    const bool with_time_entry = time_entries_enabled(event);

    steps::StepLog done;
    if (with_time_entry) done = co_await steps::load_steps(ctx, kPlatform, event.session_id);
    std::string tracking = "{}";

    // 1. The communication (the main record), unless an earlier attempt created it.
    std::optional<std::string> comm_id = done.get(steps::kMain);
    std::string comm_id_json = comm_id ? appconnect::stored_id_json(*comm_id) : "";
    if (!comm_id) {
      auto req = appconnect::json_request("POST", base + "/api/v4/communications.json", auth,
                                          communication_body(event, details, now));
      auto comm = co_await appconnect::call_crm(ctx, kPlatform, kCrm, std::move(req), allowed);
      if (comm.error) co_return std::move(*comm.error);
      const auto* id = json::find_path(comm.json, {"data", "id"});
      comm_id = appconnect::id_at(comm.json, {"data", "id"});
      if (!comm_id) co_return appconnect::bad_response_result(kPlatform, kCrm, comm, "without data.id");
      comm_id_json = appconnect::js_json(*id);
      tracking = appconnect::rate_limit_tracking(*comm.response, "x-ratelimit-");
      if (!with_time_entry) co_return logged(*comm_id, tracking);
      co_await steps::record_step(ctx, kPlatform, event.session_id, steps::kMain, *comm_id);
    }

    // 2. The time entry.
    if (with_time_entry && !done.has(kTimeEntryStep)) {
      auto req = appconnect::json_request("POST", base + "/api/v4/activities.json", auth,
                                          time_entry_body(event, details, comm_id_json, now));
      auto entry = co_await appconnect::call_crm(ctx, kPlatform, kCrm, std::move(req), allowed);
      if (entry.error) co_return std::move(*entry.error);
      tracking = appconnect::rate_limit_tracking(*entry.response, "x-ratelimit-");
      const std::string entry_id = appconnect::id_at(entry.json, {"data", "id"}).value_or("");
      co_await steps::record_step(ctx, kPlatform, event.session_id, kTimeEntryStep, entry_id);
    }
    co_return logged(*comm_id, tracking);
  }
};

}  // namespace

std::unique_ptr<Adapter> make_clio_adapter(const AdapterOptions&) {
  return std::make_unique<ClioAdapter>();
}

}  // namespace calllog
