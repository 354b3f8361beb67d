// Insightly: App Connect's insightly connector createCallLog (APPCONNECT.md §3.3).
//   1. POST {apiUrl}/{version}/events                  → EVENT_ID = logId (main record)
//   2. POST {apiUrl}/{version}/events/{EVENT_ID}/links one per link, by contactInfo.type:
//      contactPhone/contactMobile/Contact → contact, then Organisation, Opportunity, Project
//      (additionalSubmission.organization/opportunity/project when != null);
//      leadPhone/leadMobile/Lead → lead; any other type → none.
// Better than App Connect: with links to follow, EVENT_ID and each posted link are recorded as
// steps (adapters/steps.hpp); a retry posts only the links still missing.
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
#include "common/composer/composer.hpp"
#include "common/json.hpp"

namespace calllog {
namespace {

using appconnect::JsonObject;

constexpr std::string_view kPlatform = "insightly";
constexpr std::string_view kCrm = "Insightly";

std::string event_body(const Event& e, std::string_view details, int64_t now) {
  const auto& doc = e.doc;
  JsonObject body;
  if (const auto* custom = appconnect::custom_subject(doc))
    body.value("TITLE", *custom);
  else
    body.string("TITLE", appconnect::default_subject(doc));
  const auto start = appconnect::call_start_ms(doc, now);
  body.string("DETAILS", details)
      .raw("START_DATE_UTC", appconnect::iso_json(start))
      .raw("END_DATE_UTC", appconnect::iso_json(appconnect::call_end_ms(doc, start)));
  if (const auto* assignee = appconnect::assignee_id(doc)) body.value("OWNER_USER_ID", *assignee);
  return body.str();
}

std::string link_body(std::string_view object_name, const rapidjson::Value* object_id) {
  JsonObject link;
  link.string("LINK_OBJECT_NAME", object_name);
  if (object_id) link.value("LINK_OBJECT_ID", *object_id);  // undefined is left out
  return link.str();
}

// The link bodies, in the connector's order.
std::vector<std::string> link_bodies(const Event& e) {
  const auto* type = json::find_path(e.doc, {"contactInfo", "type"});
  const std::string t = type && type->IsString() ? type->GetString() : "";
  const auto* contact_id = json::find_path(e.doc, {"contactInfo", "id"});
  std::vector<std::string> links;
  if (t == "contactPhone" || t == "contactMobile" || t == "Contact") {
    links.push_back(link_body("contact", contact_id));
    const auto* sub = json::find(e.doc, "additionalSubmission");
    if (!appconnect::js_nullish(sub)) {
      for (auto [key, name] : {std::pair{"organization", "Organisation"},
                               std::pair{"opportunity", "Opportunity"},
                               std::pair{"project", "Project"}}) {
        const auto* v = json::find(*sub, key);
        if (!appconnect::js_nullish(v)) links.push_back(link_body(name, v));
      }
    }
  } else if (t == "leadPhone" || t == "leadMobile" || t == "Lead") {
    links.push_back(link_body("lead", contact_id));
  }
  return links;
}

std::string link_step(std::size_t i) { return "link" + std::to_string(i); }

class InsightlyAdapter final : public Adapter {
 public:
  explicit InsightlyAdapter(std::string api_version) : version_(std::move(api_version)) {}

  std::string_view platform() const override { return kPlatform; }
  std::vector<std::string> allowed_hosts() const override { return {"*.insightly.com"}; }

  boost::asio::awaitable<CallLogResult> create_call_log(const Event& event,
                                                        AdapterContext& ctx) override {
    auto composed = compose_for_platform(event.doc);
    if (!composed.ok) co_return appconnect::api_error_result(kPlatform, *composed.error, std::nullopt);
    const auto* api_url = json::find_path(event.doc, {"user", "platformAdditionalInfo", "apiUrl"});
    if (!api_url || !api_url->IsString()) {
      co_return appconnect::api_error_result(
          kPlatform,
          make_failure("invalid_event", "insightly needs user.platformAdditionalInfo.apiUrl"),
          std::nullopt);
    }
    const std::string base = std::string(api_url->GetString()) + "/" + version_;
    const auto allowed = allow_list_for(*this, ctx);
    const std::string auth(event.auth_header());
    const auto links = link_bodies(event);

    steps::StepLog done;
    if (!links.empty()) done = co_await steps::load_steps(ctx, kPlatform, event.session_id);

    // 1. The event (the main record), unless an earlier attempt created it.
    std::optional<std::string> event_id = done.get(steps::kMain);
    if (!event_id) {
      auto req = appconnect::json_request("POST", base + "/events", auth,
                                          event_body(event, composed.ok->body, appconnect::now_ms()));
      auto created = co_await appconnect::call_crm(ctx, kPlatform, kCrm, std::move(req), allowed);
      if (created.error) co_return std::move(*created.error);
      event_id = appconnect::id_at(created.json, {"EVENT_ID"});
      if (!event_id) co_return appconnect::bad_response_result(kPlatform, kCrm, created, "without EVENT_ID");
      if (!links.empty())
        co_await steps::record_step(ctx, kPlatform, event.session_id, steps::kMain, *event_id);
    }

    // 2. The links still missing.
    const std::string links_url = base + "/events/" + *event_id + "/links";
    for (std::size_t i = 0; i < links.size(); ++i) {
      const std::string step = link_step(i);
      if (done.has(step)) continue;
      auto req = appconnect::json_request("POST", links_url, auth, links[i]);
      auto link = co_await appconnect::call_crm(ctx, kPlatform, kCrm, std::move(req), allowed);
      if (link.error) co_return std::move(*link.error);
      const std::string link_id = appconnect::id_at(link.json, {"LINK_ID"}).value_or("");
      co_await steps::record_step(ctx, kPlatform, event.session_id, step, link_id);
    }

    CallLogResult r;
    r.log_id = *event_id;
    r.return_message_json = appconnect::call_logged_message();
    r.extra_data_tracking_json = "{}";
    co_return r;
  }

 private:
  std::string version_;
};

}  // namespace

std::unique_ptr<Adapter> make_insightly_adapter(const AdapterOptions& options) {
  return std::make_unique<InsightlyAdapter>(options.insightly_api_version);
}

}  // namespace calllog
