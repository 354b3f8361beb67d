#include "adapters/netsuite/netsuite_exchange.hpp"

#include <rapidjson/document.h>

#include "adapters/appconnect/crm_failure.hpp"
#include "adapters/crm_request.hpp"
#include "common/json.hpp"

namespace calllog::netsuite {

boost::asio::awaitable<https::Outcome> Exchange::send(std::string method, std::string url,
                                                      std::optional<std::string> body, bool prefer_transient,
                                                      bool json_type) {
  https::Request req;
  req.method = std::move(method);
  req.url = std::move(url);
  req.headers.emplace_back("Authorization", auth);
  if (prefer_transient) req.headers.emplace_back("Prefer", "transient");
  if (body || json_type) req.headers.emplace_back("Content-Type", "application/json");
  req.body = std::move(body);
  co_return co_await crm_request(ctx, kPlatform, std::move(req), allowed);
}

bool retryable_answer(const https::Response& r) {
  if (appconnect::retryable_status(r.status)) return true;
  return r.status == 400 && r.body.find("SSS_REQUEST_LIMIT_EXCEEDED") != std::string::npos;
}

std::optional<Failure> exchange_failure(const https::Outcome& o, std::string_view what) {
  if (!o.response) return appconnect::failure_from_transport(*o.failure, what);
  const auto& r = *o.response;
  if (r.status >= 200 && r.status <= 299) return std::nullopt;
  Failure f = appconnect::failure_from_response(r, "NetSuite", what);
  if (!f.retryable && retryable_answer(r)) {
    f.retryable = true;  // the account's concurrent-request limit: wait and try again
  }
  return f;
}

CallLogResult ns_failure(Failure f, std::string_view response_body) {
  CallLogResult r;
  r.return_message_json = failure_return_message(failure_message(response_body));
  r.extra_data_tracking_json = "{}";
  r.failure = std::move(f);
  return r;
}

std::optional<CallLogResult> check(const https::Outcome& o, std::string_view what) {
  auto f = exchange_failure(o, what);
  if (!f) return std::nullopt;
  return ns_failure(std::move(*f), o.response ? std::string_view(o.response->body) : std::string_view());
}

std::string placeholder_id(std::string_view suiteql_body) {
  rapidjson::Document doc;
  if (!json::parse(doc, suiteql_body).empty()) return {};
  const auto* count = json::find(doc, "count");
  const auto* items = json::find(doc, "items");
  if (!count || !count->IsNumber() || count->GetDouble() <= 0 || !items || !items->IsArray() || items->Empty())
    return {};
  const auto& first = (*items)[0];
  auto name = json::string_at(json::find(first, "companyname"));
  const auto* id = json::find(first, "id");
  if (!name || *name != kPlaceholderCompany || !id) return {};
  return json::to_string(*id);
}

}  // namespace calllog::netsuite
