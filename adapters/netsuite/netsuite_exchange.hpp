#pragma once
// NetSuite's request plumbing shared by the adapter's steps: sending with the event's
// Authorization through crm_request, judging an answer, and the connector's failure result.
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "adapters/adapter.hpp"
#include "adapters/netsuite/netsuite_requests.hpp"
#include "adapters/steps.hpp"
#include "common/https/https_client.hpp"

namespace calllog::netsuite {

struct Exchange {
  AdapterContext& ctx;
  https::AllowList allowed;
  std::string auth;

  // Authorization on every request; Content-Type: application/json with a body (or always, when
  // `json_type` — the transcript restlets send it on their GET too); Prefer: transient for SuiteQL.
  boost::asio::awaitable<https::Outcome> send(std::string method, std::string url, std::optional<std::string> body,
                                              bool prefer_transient = false, bool json_type = false);
};

// A NetSuite answer the worker may retry: 429, 5xx, or a restlet's 400 SSS_REQUEST_LIMIT_EXCEEDED.
bool retryable_answer(const https::Response& r);

// The Failure of an exchange that did not answer 2xx (nullopt when it did).
std::optional<Failure> exchange_failure(const https::Outcome& o, std::string_view what);

// The connector's result for a failure: no logId, NetSuite's warning returnMessage whose message
// comes from the response's o:errorDetails (`response_body`), "Error logging call" otherwise.
CallLogResult ns_failure(Failure f, std::string_view response_body = {});

// exchange_failure() as the connector's result (nullopt when the exchange answered 2xx).
std::optional<CallLogResult> check(const https::Outcome& o, std::string_view what);

// The placeholder company's id (serialized JSON) from a SuiteQL answer: items[0].id when count > 0
// and items[0].companyname is the placeholder's name; empty otherwise.
std::string placeholder_id(std::string_view suiteql_body);

// Step 4: the transcript as a file attached to the phonecall `log_id` (folder by name, created
// when missing; file; attachment). Completed parts are recorded as steps "folder", "file",
// "attach". A transient failure comes back (the event is retried and resumes here); any other
// failure is only logged, as App Connect does.
boost::asio::awaitable<std::optional<Failure>> attach_transcript_file(Exchange& ex, const Hosts& hosts,
                                                                       const rapidjson::Value& event,
                                                                       const std::string& log_id,
                                                                       const std::string& session_id,
                                                                       const steps::StepLog& done);

}  // namespace calllog::netsuite
