#pragma once
// NetSuite's createCallLog requests as pure functions (APPCONNECT.md §3.6): the two hosts from
// the account prefix of user.hostname (keeping its :port, CONTRACT §6), the phonecall body with
// its dates in the NetSuite user's zone, the placeholder-company bodies, and the failure message.
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "common/time/tz_database.hpp"

namespace calllog::netsuite {

inline constexpr std::string_view kPlatform = "netsuite";
inline constexpr std::string_view kPlaceholderCompany = "RingCentral_CRM_Extension_Placeholder_Company";

// R = https://{acct}.restlets.api.netsuite.com{:port}/app/site/hosting/restlet.nl
// S = https://{acct}.suitetalk.api.netsuite.com{:port}/services/rest
struct Hosts {
  std::string restlet;
  std::string suitetalk;
};
// nullopt when user.hostname is not a non-empty string.
std::optional<Hosts> hosts_from(const rapidjson::Value& event);

// "{R}?script={script}&deploy={deploy}" for App Connect's restlet names customscript_X /
// customdeploy_X.
std::string restlet_url(const Hosts& h, std::string_view name);

// The phonecall's start/end fields in the NetSuite zone (startDate, startTime, endTime,
// completedDate), with the +1 minute rule when start and end show the same HH:mm.
struct CallTimes {
  std::string start_date, start_time, end_time, completed_date;
};
CallTimes call_times(const rapidjson::Value& event, const timeutil::TimeZone& zone, double now_ms);

// The composed body was longer than 3400 UTF-16 units and there is a transcript: NetSuite
// truncates it and attaches the whole transcript as a file (isMessageBodyTooLong).
bool transcript_truncated(const rapidjson::Value& event);

// title = callLog.customSubject ?? the default subject, as JSON.
std::string title_json(const rapidjson::Value& event);

// The POST {S}/record/v1/phonecall body, keys in order: title, phone, priority, status,
// startDate, startTime, endTime, timedEvent, message, completedDate, contact?, company?,
// transaction?. `company_id_json` is the serialized company id (empty: no company key).
std::string phonecall_body(const rapidjson::Value& event, const CallTimes& t, std::string_view message,
                           bool with_contact, std::string_view company_id_json);

// POST {S}/query/v1/suiteql body looking the placeholder company up.
std::string placeholder_query_body();
// POST {S}/record/v1/customer body creating it (subsidiary when oneWorldEnabled === true).
std::string placeholder_customer_body(const rapidjson::Value& event);
// {"company":{"id":…}}
std::string company_patch_body(std::string_view company_id_json);

// contactInfo.type?.toUpperCase() === 'CONTACT'; type is 'custjob' or 'vendor'.
bool is_contact(const rapidjson::Value& event);
bool is_company_type(const rapidjson::Value& event);

// The last path segment of a Location header (extractIdFromUrl).
std::string id_from_location(std::string_view location);

// The connector's failure message: the o:errorDetails details of a response body joined with
// spaces and trimmed, else "Error logging call", with App Connect's two rewrites.
std::string failure_message(std::string_view response_body);
// {messageType:'warning', message, details:[…], ttl:60000}
std::string failure_return_message(std::string_view message);

}  // namespace calllog::netsuite
