#pragma once
// From a CRM exchange to what the worker reports: an HTTP status or a transport failure becomes
// our Failure (CONTRACT §4 error object); rate-limit headers become extraDataTracking.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/failure.hpp"
#include "common/https/https_client.hpp"

namespace calllog::appconnect {

// Transient statuses: 429 and 5xx. Everything else (400–409 included) is final.
bool retryable_status(int status);

// Seconds until the CRM allows requests again, from Retry-After (delta seconds or an HTTP date)
// or, failing that, a rate-limit reset header (seconds from now, or a Unix time when it is
// larger than 10^9). Never negative; nullopt when no header says.
std::optional<double> retry_after_seconds(std::optional<std::string_view> retry_after,
                                          std::optional<std::string_view> ratelimit_reset,
                                          std::chrono::system_clock::time_point now);
std::optional<double> retry_after_seconds(const https::Response& r,
                                          std::chrono::system_clock::time_point now =
                                              std::chrono::system_clock::now());

// A non-2xx answer: code http_<status>, httpStatus, retryable for 429/5xx, retry_after_s.
// `what` names the request without credentials, e.g. "GET /api/v2/persons/2417".
Failure failure_from_response(const https::Response& r, std::string_view crm,
                              std::string_view what);

// A transport failure from the client (dns, connect, timeout, host_not_allowed, …), its code and
// retryable flag kept, the detail prefixed with the request it concerns.
Failure failure_from_transport(Failure f, std::string_view what);

// A 2xx answer the connector could not read (App Connect would throw a TypeError and answer
// "Error creating call log"): code crm_bad_response, not retryable.
Failure bad_response_failure(const https::Response& r, std::string_view crm, std::string_view what,
                             std::string_view problem);

// extraDataTracking from rate-limit headers `{prefix}remaining`, `{prefix}limit`,
// `{prefix}reset` → ratelimitRemaining, ratelimitAmount, ratelimitReset (raw strings; a key only
// when its header is present). prefix: "x-ratelimit-" (Pipedrive, Clio) or "ratelimit-".
std::string rate_limit_tracking(const https::Response& r, std::string_view prefix = "x-ratelimit-");

}  // namespace calllog::appconnect
