// Redtail: App Connect's redtail connector createCallLog (APPCONNECT.md §3.4). The API server is
// --redtail-api-url (REDTAIL_API_SERVER); every request sends
// Authorization: base64("{--redtail-api-key}:{platformAdditionalInfo.userResponse.user_key}")
// with no scheme word (the event's authHeader is not used).
//   1. POST {server}/activities               → activity.id (main record)
//   2. POST {server}/activities/{id}/notes    only when the event has a note (the raw note)
//   3. PUT  {server}/activities/{id}          {completed: true} → activity.id = logId
//   4. GET  {server}/lists/categories         (App Connect stores them; an HTTP error fails)
// Better than App Connect: the activity id and each later step are recorded as steps
// (adapters/steps.hpp); a retry resumes at the step that failed.
#include <rapidjson/document.h>

#include "adapters/appconnect/call_fields.hpp"
#include "adapters/appconnect/call_times.hpp"
#include "adapters/appconnect/crm_call.hpp"
#include "adapters/appconnect/js_value.hpp"
#include "adapters/appconnect/json_object.hpp"
#include "adapters/appconnect/moment_time.hpp"
#include "adapters/appconnect/return_message.hpp"
#include "adapters/crm_request.hpp"
#include "adapters/registry.hpp"
#include "adapters/steps.hpp"
#include "common/base64.hpp"
#include "common/composer/composer.hpp"
#include "common/json.hpp"

namespace calllog {
namespace {

using appconnect::JsonObject;

constexpr std::string_view kPlatform = "redtail";
constexpr std::string_view kCrm = "Redtail";
constexpr std::string_view kNoteStep = "note";
constexpr std::string_view kCompletedStep = "completed";
constexpr std::string_view kCategoriesStep = "categories";

// additionalSubmission?.category ?? 2
std::string category_json(const Event& e) {
  const auto* v = json::find_path(e.doc, {"additionalSubmission", "category"});
  return appconnect::js_nullish(v) ? "2" : appconnect::js_json(*v);
}

std::string activity_body(const Event& e, std::string_view details, int64_t now) {
  const auto& doc = e.doc;
  JsonObject body;
  if (const auto* custom = appconnect::custom_subject(doc))
    body.value("subject", *custom);
  else
    body.string("subject", appconnect::default_subject(doc));
  const auto start = appconnect::call_start_ms(doc, now);
  const auto* contact_id = json::find_path(doc, {"contactInfo", "id"});
  JsonObject linked;
  if (contact_id) linked.value("contact_id", *contact_id);
  body.string("description", details)
      .raw("start_date", appconnect::iso_json(start))
      .raw("end_date", appconnect::iso_json(appconnect::call_end_ms(doc, start)))
      .integer("activity_code_id", 3)
      .raw("category_id", category_json(e))
      .string("repeats", "never")
      .raw("linked_contacts", "[" + linked.str() + "]");
  if (const auto* assignee = appconnect::assignee_id(doc)) {
    JsonObject attendee;
    attendee.string("type", "Crm::Activity::Attendee::User")
        .number("user_id", appconnect::js_to_number(assignee));
    body.raw("attendees", "[" + attendee.str() + "]");
  }
  return body.str();
}

std::string note_body(const Event& e) {
  return JsonObject()
      .raw("category_id", category_json(e))
      .integer("note_type", 1)
      .value("body", *json::find(e.doc, "note"))
      .str();
}

std::string authorization(const Event& e, const AdapterOptions& options) {
  const auto* user_key =
      json::find_path(e.doc, {"user", "platformAdditionalInfo", "userResponse", "user_key"});
  return base64_encode(options.redtail_api_key + ":" + json::js_string(user_key));
}

CallLogResult not_configured(std::string_view what) {
  return appconnect::api_error_result(
      kPlatform,
      make_failure("adapter_not_configured",
                   "redtail needs " + std::string(what) + " on the worker (not in the event)"),
      std::nullopt);
}

class RedtailAdapter final : public Adapter {
 public:
  explicit RedtailAdapter(const AdapterOptions& options) : options_(options) {}

  std::string_view platform() const override { return kPlatform; }
  std::vector<std::string> allowed_hosts() const override { return {"*.redtailtechnology.com"}; }

  boost::asio::awaitable<CallLogResult> create_call_log(const Event& event,
                                                        AdapterContext& ctx) override {
    if (options_.redtail_api_url.empty()) co_return not_configured("--redtail-api-url (REDTAIL_API_SERVER)");
    if (options_.redtail_api_key.empty()) co_return not_configured("--redtail-api-key (REDTAIL_API_KEY)");
    auto composed = compose_for_platform(event.doc);
    if (!composed.ok) co_return appconnect::api_error_result(kPlatform, *composed.error, std::nullopt);
    const std::string& server = options_.redtail_api_url;
    const auto allowed = allow_list_for(*this, ctx);
    const std::string auth = authorization(event, options_);
    const std::string session = event.session_id;
    auto done = co_await steps::load_steps(ctx, kPlatform, session);

    // 1. The activity (the main record), unless an earlier attempt created it.
    std::optional<std::string> activity_id = done.get(steps::kMain);
    if (!activity_id) {
      auto req = appconnect::json_request("POST", server + "/activities", auth,
                                          activity_body(event, composed.ok->body, appconnect::now_ms()));
      auto created = co_await appconnect::call_crm(ctx, kPlatform, kCrm, std::move(req), allowed);
      if (created.error) co_return std::move(*created.error);
      activity_id = appconnect::id_at(created.json, {"activity", "id"});
      if (!activity_id) co_return appconnect::bad_response_result(kPlatform, kCrm, created, "without activity.id");
      co_await steps::record_step(ctx, kPlatform, session, steps::kMain, *activity_id);
    }
    const std::string activity_url = server + "/activities/" + *activity_id;

    // 2. The agent's note, as typed (not the composed text).
    if (appconnect::js_truthy(json::find(event.doc, "note")) && !done.has(kNoteStep)) {
      auto req = appconnect::json_request("POST", activity_url + "/notes", auth, note_body(event));
      auto note = co_await appconnect::call_crm(ctx, kPlatform, kCrm, std::move(req), allowed);
      if (note.error) co_return std::move(*note.error);
      const std::string note_id = appconnect::id_at(note.json, {"note", "id"}).value_or("");
      co_await steps::record_step(ctx, kPlatform, session, kNoteStep, note_id);
    }

    // 3. Completion; its activity.id is the logId.
    std::optional<std::string> log_id = done.get(kCompletedStep);
    if (!log_id) {
      auto req = appconnect::json_request("PUT", activity_url, auth, std::string(R"({"completed":true})"));
      auto completed = co_await appconnect::call_crm(ctx, kPlatform, kCrm, std::move(req), allowed);
      if (completed.error) co_return std::move(*completed.error);
      log_id = appconnect::id_at(completed.json, {"activity", "id"});
      if (!log_id) co_return appconnect::bad_response_result(kPlatform, kCrm, completed, "without activity.id");
      co_await steps::record_step(ctx, kPlatform, session, kCompletedStep, *log_id);
    }

    // 4. The categories (App Connect saves them as the user's category options).
    if (!done.has(kCategoriesStep)) {
      auto req = appconnect::json_request("GET", server + "/lists/categories", auth, std::nullopt);
      auto categories = co_await appconnect::call_crm(ctx, kPlatform, kCrm, std::move(req), allowed);
      if (categories.error) co_return std::move(*categories.error);
      co_await steps::record_step(ctx, kPlatform, session, kCategoriesStep, "1");
    }

    CallLogResult r;
    r.log_id = *log_id;
    r.return_message_json = appconnect::call_logged_message();
    r.extra_data_tracking_json = "{}";
    co_return r;
  }

 private:
  AdapterOptions options_;
};

}  // namespace

std::unique_ptr<Adapter> make_redtail_adapter(const AdapterOptions& options) {
  return std::make_unique<RedtailAdapter>(options);
}

}  // namespace calllog
