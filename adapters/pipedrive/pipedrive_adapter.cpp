// Pipedrive: App Connect's pipedrive connector createCallLog (APPCONNECT.md §3.1).
//   1. GET  https://{hostname}/api/v2/persons/{contactInfo.id}   → data.org_id ?? ''
//   2. the activity type (admin setting / account types, cached)  → activity_types.cpp
//   3. POST https://{hostname}/api/v2/activities                   → data.id = logId
// Failures follow handleApiError (APPCONNECT.md §2.5); see adapters/appconnect/.
#include <rapidjson/document.h>

#include "adapters/appconnect/crm_call.hpp"
#include "adapters/appconnect/crm_failure.hpp"
#include "adapters/appconnect/moment_time.hpp"
#include "adapters/appconnect/return_message.hpp"
#include "adapters/crm_request.hpp"
#include "adapters/pipedrive/activity_types.hpp"
#include "adapters/pipedrive/pipedrive_requests.hpp"
#include "adapters/registry.hpp"
#include "common/composer/composer.hpp"
#include "common/https/https_client.hpp"
#include "common/json.hpp"

namespace calllog {
namespace {

using namespace pipedrive;

constexpr std::string_view kCrm = "Pipedrive";
constexpr std::string_view kNoActivityType =
    "Call logging requires an active activity type containing the word \"call\" (case "
    "insensitive), or one explicitly assigned by an admin under Admin > Account settings.";

CallLogResult api_error(Failure f, std::optional<int> http_status) {
  return appconnect::api_error_result(kPlatform, std::move(f), http_status);
}

CallLogResult from_response_status(const https::Response& resp, std::string_view what) {
  return api_error(appconnect::failure_from_response(resp, kCrm, what), resp.status);
}

CallLogResult bad_response(const https::Response& resp, std::string_view what,
                           std::string_view problem) {
  return api_error(appconnect::bad_response_failure(resp, kCrm, what, problem), std::nullopt);
}

bool ok_status(int s) { return s >= 200 && s <= 299; }

// data.<key> of a JSON body, copied into `doc`; nullptr when the body has no data object.
const rapidjson::Value* data_object(rapidjson::Document& doc, std::string_view body) {
  if (!json::parse(doc, body).empty()) return nullptr;
  const auto* data = json::find(doc, "data");
  return data && data->IsObject() ? data : nullptr;
}

class PipedriveAdapter final : public Adapter {
 public:
  std::string_view platform() const override { return kPlatform; }
  std::vector<std::string> allowed_hosts() const override { return {"*.pipedrive.com"}; }

  boost::asio::awaitable<CallLogResult> create_call_log(const Event& event,
                                                        AdapterContext& ctx) override {
    // Core composes the body before the connector runs; a composer error sends nothing.
    auto composed = compose_for_platform(event.doc);
    if (!composed.ok) co_return api_error(*composed.error, std::nullopt);

    https::AllowList allowed = ctx.extra_allowed;
    for (auto& p : allowed_hosts()) allowed.add(p);
    const std::string base = base_url(event.doc);
    const std::string auth(event.auth_header());

    // 1. The person, for its organisation.
    const std::string person_what = "GET " + person_path(event.doc);
    https::Request get;
    get.method = "GET";
    get.url = base + person_path(event.doc);
    get.headers.emplace_back("Authorization", auth);
    auto person = co_await crm_request(ctx, platform(), std::move(get), allowed);
    if (!person.response) {
      co_return api_error(appconnect::failure_from_transport(*person.failure, person_what),
                          std::nullopt);
    }
    if (!ok_status(person.response->status)) {
      co_return from_response_status(*person.response, person_what);
    }
    rapidjson::Document person_doc;
    const auto* person_data = data_object(person_doc, person.response->body);
    if (!person_data) co_return bad_response(*person.response, person_what, "without a data object");
    const auto* org_id = json::find(*person_data, "org_id");

    // 2. The activity type.
    auto type = co_await types_.resolve(event, ctx, allowed);
    if (type.failure) co_return api_error(*type.failure, type.http_status);
    if (!type.type) {
      CallLogResult r;
      r.return_message_json = appconnect::simple_message(kNoActivityType, "error", 2000);
      r.extra_data_tracking_json = "{}";
      r.failure = make_failure("no_activity_type",
                               "the Pipedrive account has no active activity type containing "
                               "\"call\" and no admin-assigned one");
      co_return r;
    }

    // 3. The activity.
    const std::string post_what = "POST " + std::string(kActivitiesPath);
    https::Request post;
    post.method = "POST";
    post.url = base + std::string(kActivitiesPath);
    post.headers.emplace_back("Authorization", auth);
    post.headers.emplace_back("Content-Type", "application/json");
    post.body = activity_body(event.doc, composed.ok->body, org_id, *type.type,
                              appconnect::now_ms());
    auto created = co_await crm_request(ctx, platform(), std::move(post), allowed);
    if (!created.response) {
      co_return api_error(appconnect::failure_from_transport(*created.failure, post_what),
                          std::nullopt);
    }
    const auto& resp = *created.response;
    if (!ok_status(resp.status)) co_return from_response_status(resp, post_what);
    rapidjson::Document created_doc;
    const auto* created_data = data_object(created_doc, resp.body);
    const auto* id = created_data ? json::find(*created_data, "id") : nullptr;
    if (!id || id->IsNull() || id->IsObject() || id->IsArray()) {
      co_return bad_response(resp, post_what, "without data.id");
    }

    CallLogResult r;
    r.log_id = json::js_string(id);
    r.return_message_json = appconnect::call_logged_message();
    r.extra_data_tracking_json = appconnect::rate_limit_tracking(resp, "x-ratelimit-");
    co_return r;
  }

 private:
  ActivityTypeResolver types_;
};

}  // namespace

std::unique_ptr<Adapter> make_pipedrive_adapter(const AdapterOptions&) {
  return std::make_unique<PipedriveAdapter>();
}

}  // namespace calllog
