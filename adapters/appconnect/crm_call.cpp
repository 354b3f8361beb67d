#include "adapters/appconnect/crm_call.hpp"

#include "adapters/appconnect/crm_failure.hpp"
#include "adapters/appconnect/return_message.hpp"
#include "adapters/crm_request.hpp"
#include "common/json.hpp"

namespace calllog::appconnect {

CallLogResult api_error_result(std::string_view platform, Failure f, std::optional<int> http_status) {
  CallLogResult r;
  r.return_message_json = api_error_message(platform, http_status);
  r.extra_data_tracking_json = api_error_tracking(http_status);
  r.failure = std::move(f);
  return r;
}

https::Request json_request(std::string method, std::string url, std::string_view authorization,
                            std::optional<std::string> body) {
  https::Request req;
  req.method = std::move(method);
  req.url = std::move(url);
  if (!authorization.empty()) req.headers.emplace_back("Authorization", std::string(authorization));
  if (body) req.headers.emplace_back("Content-Type", "application/json");
  req.body = std::move(body);
  return req;
}

std::string request_label(const https::Request& req) {
  std::string_view url = req.url;
  auto scheme = url.find("://");
  auto path_at = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  std::string_view path = path_at == std::string_view::npos ? "/" : url.substr(path_at);
  path = path.substr(0, path.find('?'));
  return req.method + " " + std::string(path);
}

boost::asio::awaitable<CrmCall> call_crm(AdapterContext& ctx, std::string_view platform,
                                         std::string_view crm, https::Request req,
                                         const https::AllowList& allowed) {
  CrmCall call;
  call.what = request_label(req);
  auto out = co_await crm_request(ctx, platform, std::move(req), allowed);
  if (!out.response) {
    call.error = api_error_result(platform, failure_from_transport(*out.failure, call.what),
                                  std::nullopt);
    co_return call;
  }
  const int status = out.response->status;
  if (status < 200 || status > 299) {
    call.error = api_error_result(platform, failure_from_response(*out.response, crm, call.what),
                                  status);
    co_return call;
  }
  if (!out.response->body.empty() && !json::parse(call.json, out.response->body).empty())
    call.json.SetNull();
  call.response = std::move(out.response);
  co_return call;
}

CallLogResult bad_response_result(std::string_view platform, std::string_view crm,
                                  const CrmCall& call, std::string_view problem) {
  return api_error_result(platform, bad_response_failure(*call.response, crm, call.what, problem),
                          std::nullopt);
}

std::optional<std::string> id_at(const rapidjson::Value& doc,
                                 std::initializer_list<std::string_view> keys) {
  const auto* v = json::find_path(doc, keys);
  if (!v || v->IsNull() || v->IsObject() || v->IsArray()) return std::nullopt;
  return json::js_string(v);
}

}  // namespace calllog::appconnect

namespace calllog::appconnect {
std::string stored_id_json(std::string_view id) {
  bool digits = !id.empty() && id.size() <= 15 && (id.size() == 1 || id[0] != '0');
  for (char c : id) digits = digits && c >= '0' && c <= '9';
  return digits ? std::string(id) : json::quoted(id);
}
}  // namespace calllog::appconnect
