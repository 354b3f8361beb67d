// Bullhorn: App Connect's bullhorn connector createCallLog (APPCONNECT.md §3.5), with core's
// pre-flight session check. The REST calls carry BhRestToken and no Authorization.
//   0. GET  {restUrl}ping                          → sessionExpires; a failed or expiring session
//                                                    logs in again (POST {loginUrl}/login)
//   1. PUT  {restUrl}entity/Note                   → changedEntityId = logId
//   2. POST {restUrl}entity/{type}/{id}            → only with copyToContactComments
// Better than App Connect on partial writes (issue 8 item 4): the Note's id is recorded as step
// "main" (adapters/steps.hpp) once created, so a retry after a failed comments POST resumes at
// the comments and never creates a second Note.
//
// Session refresh rule: only a 401 (HEAD's isAuthError, APPCONNECT.md §6) logs in again and
// repeats the failed request once. The tag's 400–499 rule would answer a 429 with a login and a
// second PUT, i.e. more load on a CRM that asked us to slow down, and — for the comments POST —
// a second Note. A 400/403/404 is not cured by a new session either. So a 429 here is a retryable
// failure for the worker's backoff, and a repeated request never re-creates the Note.
#include <chrono>

#include <rapidjson/document.h>

#include "adapters/appconnect/crm_call.hpp"
#include "adapters/appconnect/crm_failure.hpp"
#include "adapters/appconnect/return_message.hpp"
#include "adapters/bullhorn/bullhorn_requests.hpp"
#include "adapters/crm_request.hpp"
#include "adapters/registry.hpp"
#include "adapters/steps.hpp"
#include "common/composer/composer.hpp"
#include "common/json.hpp"

namespace calllog {
namespace {

using namespace bullhorn;

constexpr std::string_view kCrm = "Bullhorn";
constexpr std::string_view kRateLimitPrefix = "ratelimit-";

bool ok_status(int s) { return s >= 200 && s <= 299; }

CallLogResult api_error(Failure f, std::optional<int> http_status) {
  return appconnect::api_error_result(kPlatform, std::move(f), http_status);
}

// A finished exchange that did not succeed, as handleApiError would answer it.
CallLogResult exchange_error(const https::Outcome& o, std::string_view what) {
  if (!o.response) return api_error(appconnect::failure_from_transport(*o.failure, what), std::nullopt);
  return api_error(appconnect::failure_from_response(*o.response, kCrm, what), o.response->status);
}

CallLogResult bad_response(const https::Response& r, std::string_view what, std::string_view problem) {
  return api_error(appconnect::bad_response_failure(r, kCrm, what, problem), std::nullopt);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

// The ping says the session ends within 2 minutes (core's refresh condition).
bool session_expiring(const https::Response& ping) {
  rapidjson::Document doc;
  if (!json::parse(doc, ping.body).empty()) return false;
  const auto* expires = json::find(doc, "sessionExpires");
  if (!expires || !expires->IsNumber()) return false;
  return expires->GetDouble() - 2 * 60 * 1000 < static_cast<double>(now_ms());
}

class BullhornAdapter final : public Adapter {
 public:
  std::string_view platform() const override { return kPlatform; }
  std::vector<std::string> allowed_hosts() const override { return {"*.bullhornstaffing.com"}; }

  boost::asio::awaitable<CallLogResult> create_call_log(const Event& event, AdapterContext& ctx) override {
    auto composed = compose_for_platform(event.doc);
    if (!composed.ok) co_return api_error(*composed.error, std::nullopt);
    auto found = session_from(event.doc);
    if (!found) {
      co_return api_error(make_failure("invalid_event", "bullhorn needs user.platformAdditionalInfo.restUrl and bhRestToken"),
                          std::nullopt);
    }
    Session session = std::move(*found);
    const https::AllowList allowed = allow_list_for(*this, ctx);
    const std::string session_id = event.session_id;

    // 0. Core's pre-flight: ping; a failed (401) or expiring session logs in again.
    auto ping = co_await send(ctx, allowed, "GET", session.rest_url + "ping", session.token, std::nullopt);
    const bool pinged = ping.response && ok_status(ping.response->status);
    if (!pinged && !(ping.response && ping.response->status == 401)) co_return exchange_error(ping, "GET {restUrl}ping");
    if (!pinged || session_expiring(*ping.response)) {
      if (auto failed = co_await login(ctx, allowed, event, session)) co_return std::move(*failed);
    }

    const steps::StepLog done = co_await steps::load_steps(ctx, kPlatform, session_id);
    std::string log_id;
    std::string tracking = "{}";
    if (auto note = done.get(steps::kMain)) {
      log_id = *note;  // an earlier attempt created the Note: resume after it
    } else {
      // 1. The Note (a 401 logs in and sends it once more).
      const std::string body = note_body(event.doc, composed.ok->body);
      auto put = co_await send(ctx, allowed, "PUT", session.rest_url + "entity/Note", session.token, body);
      if (put.response && put.response->status == 401) {
        if (auto failed = co_await login(ctx, allowed, event, session)) co_return std::move(*failed);
        put = co_await send(ctx, allowed, "PUT", session.rest_url + "entity/Note", session.token, body);
      }
      if (!put.response || !ok_status(put.response->status)) co_return exchange_error(put, "PUT {restUrl}entity/Note");
      rapidjson::Document created;
      const auto* id = json::parse(created, put.response->body).empty() ? json::find(created, "changedEntityId") : nullptr;
      if (!id || id->IsNull() || id->IsObject() || id->IsArray())
        co_return bad_response(*put.response, "PUT {restUrl}entity/Note", "without changedEntityId");
      log_id = json::js_string(id);
      tracking = appconnect::rate_limit_tracking(*put.response, kRateLimitPrefix);
      co_await steps::record_step(ctx, kPlatform, session_id, steps::kMain, log_id);
    }

    // 2. The agent's note copied to the person's comments.
    if (copies_to_contact_comments(event.doc) && !done.has("comments")) {
      const std::string path = comments_path(event.doc);
      const std::string body = comments_body(event.doc);
      auto post = co_await send(ctx, allowed, "POST", session.rest_url + path, session.token, body);
      if (post.response && post.response->status == 401) {
        if (auto failed = co_await login(ctx, allowed, event, session)) co_return std::move(*failed);
        post = co_await send(ctx, allowed, "POST", session.rest_url + path, session.token, body);
      }
      if (!post.response || !ok_status(post.response->status)) co_return exchange_error(post, "POST {restUrl}" + path);
      tracking = appconnect::rate_limit_tracking(*post.response, kRateLimitPrefix);
      co_await steps::record_step(ctx, kPlatform, session_id, "comments", "done");
    }

    CallLogResult r;
    r.log_id = std::move(log_id);
    r.return_message_json = appconnect::call_logged_message();
    r.extra_data_tracking_json = std::move(tracking);
    co_return r;
  }

 private:
  boost::asio::awaitable<https::Outcome> send(AdapterContext& ctx, const https::AllowList& allowed,
                                              std::string method, std::string url, std::string token,
                                              std::optional<std::string> body) {
    https::Request req;
    req.method = std::move(method);
    req.url = std::move(url);
    req.headers.emplace_back("BhRestToken", std::move(token));
    if (body) req.headers.emplace_back("Content-Type", "application/json");
    req.body = std::move(body);
    co_return co_await crm_request(ctx, kPlatform, std::move(req), allowed);
  }

  // POST {loginUrl}/login?version=2.0&access_token=… → a new BhRestToken and restUrl in
  // `session`; the failure result when the login does not succeed.
  boost::asio::awaitable<std::optional<CallLogResult>> login(AdapterContext& ctx, const https::AllowList& allowed,
                                                             const Event& event, Session& session) {
    const std::string base = login_url(event.doc);
    if (base.empty()) {
      co_return api_error(make_failure("http_401", "the Bullhorn session expired and the event has no loginUrl", false, 401), 401);
    }
    https::Request req;
    req.method = "POST";
    req.url = login_request_url(base, access_token(event.auth_header()));
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    req.body = std::string();
    auto out = co_await crm_request(ctx, kPlatform, std::move(req), allowed);
    if (!out.response || !ok_status(out.response->status)) co_return exchange_error(out, "POST {loginUrl}/login");
    rapidjson::Document doc;
    const bool parsed = json::parse(doc, out.response->body).empty();
    auto token = parsed ? json::string_at(json::find(doc, "BhRestToken")) : std::nullopt;
    auto rest = parsed ? json::string_at(json::find(doc, "restUrl")) : std::nullopt;
    if (!token || !rest) co_return bad_response(*out.response, "POST {loginUrl}/login", "without BhRestToken and restUrl");
    session = Session{std::string(*rest), std::string(*token)};
    co_return std::nullopt;
  }
};

}  // namespace

std::unique_ptr<Adapter> make_bullhorn_adapter(const AdapterOptions&) {
  return std::make_unique<BullhornAdapter>();
}

}  // namespace calllog
