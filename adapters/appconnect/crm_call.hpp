#pragma once
// One connector request as App Connect's connectors make it with axios: sent through
// crm_request() (limiter, metrics, allow-list), a non-2xx answer or a transport failure turned
// into handleApiError's CallLogResult, a 2xx body parsed as JSON. Shared by the adapters whose
// createCallLog is a short sequence of JSON requests (Clio, Insightly, Redtail, ...).
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <rapidjson/document.h>

#include "adapters/adapter.hpp"
#include "common/https/https_client.hpp"

namespace calllog::appconnect {

// handleApiError(e, platform, 'createCallLog') as a result: returnMessage by status,
// extraDataTracking {statusCode}, and our Failure.
CallLogResult api_error_result(std::string_view platform, Failure f, std::optional<int> http_status);

// A request with the connector's own headers: Authorization (when `authorization` is not empty)
// and, with a body, Content-Type: application/json as axios adds it.
https::Request json_request(std::string method, std::string url, std::string_view authorization,
                           std::optional<std::string> body);

// "POST /api/v4/communications.json": the method and the URL's path, for failure details.
std::string request_label(const https::Request& req);

struct CrmCall {
  std::optional<https::Response> response;  // the 2xx answer
  rapidjson::Document json;                 // its body parsed (Null when empty or not JSON)
  std::optional<CallLogResult> error;       // set instead when the request failed
  std::string what;                         // request_label() of the request
};

// Sends `req` for `platform` (App Connect's platform name; `crm` is the display name used in
// failure details, e.g. "Clio"). 2xx → response + json; anything else → error.
boost::asio::awaitable<CrmCall> call_crm(AdapterContext& ctx, std::string_view platform,
                                         std::string_view crm, https::Request req,
                                         const https::AllowList& allowed);

// A 2xx answer without the field the connector reads (App Connect would throw a TypeError):
// "Error creating call log", code crm_bad_response.
CallLogResult bad_response_result(std::string_view platform, std::string_view crm,
                                  const CrmCall& call, std::string_view problem);

// A JSON id (number or string) at `keys` as JavaScript's String() writes it; nullopt when the
// value is absent, null, an object or an array.
std::optional<std::string> id_at(const rapidjson::Value& doc,
                                 std::initializer_list<std::string_view> keys);

}  // namespace calllog::appconnect

namespace calllog::appconnect {
// An id read back from a step record (a string) as the JSON the connector would send: digits
// only → a number (the CRMs' ids are numbers), anything else → a string.
std::string stored_id_json(std::string_view id);
}  // namespace calllog::appconnect
