// NetSuite: App Connect's netsuite connector createCallLog (APPCONNECT.md §3.6). Hosts from the
// account prefix of user.hostname, keeping its :port (CONTRACT §6); Authorization: authHeader.
//   1. GET   {R}?script=customscript_gettimezone…        → userTimezone (IANA; mandatory)
//   2. GET   {S}/record/v1/contact/{id}                   only for type CONTACT; without a company:
//      POST  {S}/query/v1/suiteql (Prefer: transient)     the placeholder company, else
//      POST  {S}/record/v1/customer                       create it (id from Location), then
//      PATCH {S}/record/v1/contact/{id}                   link the contact to it
//   3. POST  {S}/record/v1/phonecall                      → logId = last segment of Location
//   4. the transcript file when the message was truncated (netsuite_transcript_file.cpp)
// Failures answer NetSuite's own warning (details from o:errorDetails) instead of handleApiError.
// Retryable: 429, 5xx, transport failures and a restlet's 400 SSS_REQUEST_LIMIT_EXCEEDED;
// authorization and other 4xx are final.
// Partial writes: the phonecall id is recorded as step "main" (adapters/steps.hpp); a retried
// event resumes after it and never creates a second phonecall.
#include <chrono>

#include <rapidjson/document.h>

#include "adapters/appconnect/crm_failure.hpp"
#include "adapters/appconnect/js_value.hpp"
#include "adapters/appconnect/return_message.hpp"
#include "adapters/crm_request.hpp"
#include "adapters/netsuite/netsuite_exchange.hpp"
#include "adapters/netsuite/netsuite_requests.hpp"
#include "adapters/registry.hpp"
#include "adapters/steps.hpp"
#include "common/composer/composer.hpp"
#include "common/json.hpp"

namespace calllog {
namespace {

using namespace netsuite;

double now_ms() {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch()).count());
}

// The company of the contact, linking it to the placeholder company when it has none; the
// serialized company id, or the failure.
struct CompanyOutcome {
  std::string id_json;
  std::optional<CallLogResult> failed;
};

class NetSuiteAdapter final : public Adapter {
 public:
  std::string_view platform() const override { return kPlatform; }
  std::vector<std::string> allowed_hosts() const override { return {"*.netsuite.com"}; }

  boost::asio::awaitable<CallLogResult> create_call_log(const Event& event, AdapterContext& ctx) override {
    auto hosts = hosts_from(event.doc);
    if (!hosts) co_return ns_failure(make_failure("invalid_event", "netsuite needs user.hostname"));
    Exchange ex{ctx, allow_list_for(*this, ctx), std::string(event.auth_header())};
    const std::string session_id = event.session_id;
    const steps::StepLog done = co_await steps::load_steps(ctx, kPlatform, session_id);

    // 1. The user's time zone.
    auto tz = co_await ex.send("GET", restlet_url(*hosts, "gettimezone"), std::nullopt);
    if (auto failed = check(tz, "GET timezone restlet")) co_return std::move(*failed);
    rapidjson::Document tz_doc;
    const bool tz_parsed = json::parse(tz_doc, tz.response->body).empty();
    const auto zone_name = tz_parsed ? json::string_at(json::find(tz_doc, "userTimezone")) : std::nullopt;
    const timeutil::TimeZone* zone = zone_name ? timeutil::load_time_zone(*zone_name) : nullptr;
    if (!zone) {
      co_return ns_failure(appconnect::bad_response_failure(*tz.response, "NetSuite", "GET timezone restlet",
                                                            "without a known userTimezone"));
    }
    auto composed = compose_for_platform(event.doc, zone->name());
    if (!composed.ok) co_return ns_failure(*composed.error);
    const bool truncated = transcript_truncated(event.doc);

    std::string log_id;
    if (auto main = done.get(steps::kMain)) {
      log_id = *main;  // an earlier attempt created the phonecall: resume after it
    } else {
      // 2. Contact and company.
      std::string company;
      const bool contact = is_contact(event.doc);
      if (contact) {
        auto c = co_await contact_company(ex, *hosts, event);
        if (c.failed) co_return std::move(*c.failed);
        company = std::move(c.id_json);
      } else if (is_company_type(event.doc)) {
        company = appconnect::js_json(*json::find_path(event.doc, {"contactInfo", "id"}));
      }
      // 3. The phonecall.
      const CallTimes times = call_times(event.doc, *zone, now_ms());
      const std::string body = phonecall_body(event.doc, times, composed.ok->body, contact, company);
      auto call = co_await ex.send("POST", hosts->suitetalk + "/record/v1/phonecall", body);
      if (auto failed = check(call, "POST /record/v1/phonecall")) co_return std::move(*failed);
      auto location = call.response->header("location");
      if (!location) {
        co_return ns_failure(appconnect::bad_response_failure(*call.response, "NetSuite", "POST /record/v1/phonecall",
                                                              "without a Location header"));
      }
      log_id = id_from_location(*location);
      co_await steps::record_step(ctx, kPlatform, session_id, steps::kMain, log_id);
    }

    // 4. The whole transcript as a file on the phonecall.
    if (truncated) {
      auto failure = co_await attach_transcript_file(ex, *hosts, event.doc, log_id, session_id, done);
      if (failure) co_return ns_failure(std::move(*failure));
    }

    CallLogResult r;
    r.log_id = std::move(log_id);
    r.return_message_json = appconnect::call_logged_message();
    r.extra_data_tracking_json = "{}";
    co_return r;
  }

 private:
  boost::asio::awaitable<CompanyOutcome> contact_company(Exchange& ex, const Hosts& hosts, const Event& event) {
    CompanyOutcome out;
    const std::string contact_url =
        hosts.suitetalk + "/record/v1/contact/" + json::js_string(json::find_path(event.doc, {"contactInfo", "id"}));
    auto got = co_await ex.send("GET", contact_url, std::nullopt);
    if (auto failed = check(got, "GET /record/v1/contact/{id}")) {
      out.failed = std::move(failed);
      co_return out;
    }
    rapidjson::Document contact;
    const auto* id = json::parse(contact, got.response->body).empty()
                         ? json::find_path(contact, {"company", "id"}) : nullptr;
    if (!appconnect::js_nullish(id) && appconnect::js_truthy(id)) {
      out.id_json = appconnect::js_json(*id);
      co_return out;
    }
    // No company: the placeholder company, found or created, linked to the contact.
    auto query = co_await ex.send("POST", hosts.suitetalk + "/query/v1/suiteql", placeholder_query_body(), true);
    if (auto failed = check(query, "POST /query/v1/suiteql")) {
      out.failed = std::move(failed);
      co_return out;
    }
    out.id_json = placeholder_id(query.response->body);
    if (out.id_json.empty()) {
      auto made = co_await ex.send("POST", hosts.suitetalk + "/record/v1/customer", placeholder_customer_body(event.doc));
      if (auto failed = check(made, "POST /record/v1/customer")) {
        out.failed = std::move(failed);
        co_return out;
      }
      auto location = made.response->header("location");
      if (!location) {
        out.failed = ns_failure(appconnect::bad_response_failure(*made.response, "NetSuite", "POST /record/v1/customer",
                                                                 "without a Location header"));
        co_return out;
      }
      out.id_json = json::quoted(id_from_location(*location));
    }
    auto patched = co_await ex.send("PATCH", contact_url, company_patch_body(out.id_json));
    if (auto failed = check(patched, "PATCH /record/v1/contact/{id}")) out.failed = std::move(failed);
    co_return out;
  }
};

}  // namespace

std::unique_ptr<Adapter> make_netsuite_adapter(const AdapterOptions&) {
  return std::make_unique<NetSuiteAdapter>();
}

}  // namespace calllog
