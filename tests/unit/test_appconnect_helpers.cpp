#define BOOST_TEST_MODULE appconnect_helpers
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "adapters/appconnect/call_fields.hpp"
#include "adapters/appconnect/crm_failure.hpp"
#include "adapters/appconnect/js_value.hpp"
#include "adapters/appconnect/json_object.hpp"
#include "adapters/appconnect/moment_time.hpp"
#include "adapters/appconnect/return_message.hpp"
#include "common/json.hpp"

using namespace calllog;
using namespace calllog::appconnect;

namespace {
rapidjson::Document parse(std::string_view s) {
  rapidjson::Document d;
  BOOST_TEST_REQUIRE(json::parse(d, s).empty());
  return d;
}
}  // namespace

BOOST_AUTO_TEST_CASE(success_message_exact) {
  BOOST_TEST(call_logged_message() ==
             R"({"message":"Call logged","messageType":"success","ttl":2000})");
}

BOOST_AUTO_TEST_CASE(handle_api_error_outcomes) {
  BOOST_TEST(api_error_message("pipedrive", 429) ==
             R"({"message":"Rate limit exceeded","messageType":"warning","details":[{"title":"Details","items":[{"id":"1","type":"text","text":"You have exceeded the maximum number of requests allowed by pipedrive. Please try again in the next minute. If the problem persists please contact support."}]}],"ttl":5000})");
  const std::string auth =
      R"({"message":"Authorization error","messageType":"warning","details":[{"title":"Details","items":[{"id":"1","type":"text","text":"It seems like there's something wrong with your authorization of pipedrive. Please Logout and then Connect your pipedrive account within this extension."}]}],"ttl":5000})";
  for (int s : {400, 401, 403, 404, 408, 409}) BOOST_TEST(api_error_message("pipedrive", s) == auth);
  const std::string other =
      R"({"message":"Error creating call log","messageType":"warning","details":[{"title":"Details","items":[{"id":1,"type":"text","text":"Please check if your account has permission to CREATE logs."}]}],"ttl":5000})";
  for (int s : {302, 410, 422, 428, 430, 500, 503}) BOOST_TEST(api_error_message("pipedrive", s) == other);
  BOOST_TEST(api_error_message("pipedrive", std::nullopt) == other);
  BOOST_TEST(api_error_tracking(401) == R"({"statusCode":401})");
  BOOST_TEST(api_error_tracking(std::nullopt) == R"({"statusCode":"unknown"})");
}

BOOST_AUTO_TEST_CASE(status_to_failure) {
  https::Response r;
  r.status = 401;
  auto f = failure_from_response(r, "Pipedrive", "GET /api/v2/persons/1");
  BOOST_TEST(f.code == "http_401");
  BOOST_TEST(f.http_status.value() == 401);
  BOOST_TEST(!f.retryable);
  BOOST_TEST(f.detail == "Pipedrive answered HTTP 401 to GET /api/v2/persons/1");
  r.status = 429;
  r.headers = {{"retry-after", "7"}};
  f = failure_from_response(r, "Pipedrive", "POST /x");
  BOOST_TEST(f.code == "http_429");
  BOOST_TEST(f.retryable);
  BOOST_TEST(f.retry_after_s.value() == 7.0);
  r.status = 503;
  r.headers = {{"x-ratelimit-reset", "2"}};
  f = failure_from_response(r, "Pipedrive", "POST /x");
  BOOST_TEST(f.retryable);
  BOOST_TEST(f.retry_after_s.value() == 2.0);
  for (int s : {400, 404, 409, 410, 422}) {
    r.status = s;
    BOOST_TEST(!failure_from_response(r, "P", "x").retryable);
  }
  for (int s : {500, 502, 504, 599}) {
    r.status = s;
    BOOST_TEST(failure_from_response(r, "P", "x").retryable);
  }
}

BOOST_AUTO_TEST_CASE(retry_after_forms) {
  using namespace std::chrono;
  const auto now = system_clock::time_point(seconds(1'700'000'000));
  BOOST_TEST(retry_after_seconds(std::string_view("120"), std::nullopt, now).value() == 120.0);
  // 2023-11-14T22:13:30Z is 1700000010
  BOOST_TEST(retry_after_seconds(std::string_view("Tue, 14 Nov 2023 22:13:30 GMT"), std::nullopt, now)
                 .value() == 10.0);
  BOOST_TEST(retry_after_seconds(std::string_view("Tue, 14 Nov 2023 22:00:00 GMT"), std::nullopt, now)
                 .value() == 0.0);
  BOOST_TEST(retry_after_seconds(std::nullopt, std::string_view("1700000030"), now).value() == 30.0);
  BOOST_TEST(retry_after_seconds(std::nullopt, std::string_view("2"), now).value() == 2.0);
  BOOST_TEST(!retry_after_seconds(std::string_view("soon"), std::nullopt, now).has_value());
  BOOST_TEST(!retry_after_seconds(std::nullopt, std::nullopt, now).has_value());
}

BOOST_AUTO_TEST_CASE(transport_failure_keeps_code) {
  auto f = failure_from_transport(make_failure("timeout", "no answer in 30 s", true), "POST /a");
  BOOST_TEST(f.code == "timeout");
  BOOST_TEST(f.retryable);
  BOOST_TEST(f.detail == "POST /a: no answer in 30 s");
}

BOOST_AUTO_TEST_CASE(rate_limit_headers) {
  https::Response r;
  r.headers = {{"x-ratelimit-limit", "80"}, {"x-ratelimit-remaining", "79"}, {"x-ratelimit-reset", "2"}};
  BOOST_TEST(rate_limit_tracking(r) ==
             R"({"ratelimitRemaining":"79","ratelimitAmount":"80","ratelimitReset":"2"})");
  r.headers = {{"x-ratelimit-remaining", "5"}};
  BOOST_TEST(rate_limit_tracking(r) == R"({"ratelimitRemaining":"5"})");
  r.headers = {{"ratelimit-limit", "9"}};
  BOOST_TEST(rate_limit_tracking(r) == "{}");
  BOOST_TEST(rate_limit_tracking(r, "ratelimit-") == R"({"ratelimitAmount":"9"})");
}

BOOST_AUTO_TEST_CASE(subjects) {
  auto e = parse(R"({"callLog":{"direction":"Outbound"},"contactInfo":{"name":"Ada"}})");
  BOOST_TEST(default_subject(e) == "Outbound Call to Ada");
  e = parse(R"({"callLog":{"direction":"Inbound"},"contactInfo":{}})");
  BOOST_TEST(default_subject(e) == "Inbound Call from ");
  e = parse(R"({"callLog":{},"contactInfo":{"name":null}})");
  BOOST_TEST(default_subject(e) == "undefined Call from ");
  BOOST_TEST(custom_subject(e) == nullptr);
  e = parse(R"({"callLog":{"customSubject":""}})");
  BOOST_TEST_REQUIRE(custom_subject(e) != nullptr);
  BOOST_TEST(custom_subject(e)->GetStringLength() == 0u);
  e = parse(R"({"callLog":{"customSubject":null}})");
  BOOST_TEST(custom_subject(e) == nullptr);
}

BOOST_AUTO_TEST_CASE(assignee_from_submission) {
  BOOST_TEST(assignee_id(parse(R"({"additionalSubmission":{"assigneeId":5}})")) == nullptr);
  BOOST_TEST(assignee_id(parse(R"({"additionalSubmission":{"isAssignedToUser":true}})")) == nullptr);
  BOOST_TEST(assignee_id(parse(R"({"additionalSubmission":{"isAssignedToUser":true,"assigneeId":0}})")) == nullptr);
  auto e = parse(R"({"additionalSubmission":{"isAssignedToUser":"yes","assigneeId":"42"}})");
  BOOST_TEST_REQUIRE(assignee_id(e) != nullptr);
  BOOST_TEST(std::string(assignee_id(e)->GetString()) == "42");
}

BOOST_AUTO_TEST_CASE(js_numbers) {
  BOOST_TEST(js_number_from_string("  42 ") == 42.0);
  BOOST_TEST(js_number_from_string("") == 0.0);
  BOOST_TEST(js_number_from_string("0x1F") == 31.0);
  BOOST_TEST(js_number_from_string("1e3") == 1000.0);
  BOOST_TEST(js_number_from_string(".5") == 0.5);
  BOOST_TEST(std::isnan(js_number_from_string("12abc")));
  BOOST_TEST(std::isnan(js_number_from_string("1,000")));
  BOOST_TEST(std::isinf(js_number_from_string("-Infinity")));
  auto d = parse(R"([null,true,"7",[8],{"a":1}])");
  BOOST_TEST(js_to_number(&d[0]) == 0.0);
  BOOST_TEST(js_to_number(&d[1]) == 1.0);
  BOOST_TEST(js_to_number(&d[2]) == 7.0);
  BOOST_TEST(js_to_number(&d[3]) == 8.0);
  BOOST_TEST(std::isnan(js_to_number(&d[4])));
  BOOST_TEST(std::isnan(js_to_number(nullptr)));
}

BOOST_AUTO_TEST_CASE(json_object_key_order_and_js_numbers) {
  auto v = parse(R"({"z":1.50,"a":[1e2,"\u0001/é"],"m":null})");
  JsonObject o;
  o.number("b", 7.0 / 60).number("nan", std::nan("")).value("v", v).boolean("t", true).null("n");
  BOOST_TEST(o.str() ==
             R"({"b":0.11666666666666667,"nan":null,"v":{"z":1.5,"a":[100,"\u0001/é"],"m":null},"t":true,"n":null})");
}

BOOST_AUTO_TEST_CASE(moment_parsing) {
  BOOST_TEST(utc_iso(*parse_iso_ms("2018-09-11T13:24:09.000Z")) == "2018-09-11T13:24:09.000Z");
  BOOST_TEST(utc_iso(*parse_iso_ms("2024-01-01T07:25:43.000-07:00")) == "2024-01-01T14:25:43.000Z");
  BOOST_TEST(utc_iso(*parse_iso_ms("2000-03-01T23:39:25.000+09:00")) == "2000-03-01T14:39:25.000Z");
  BOOST_TEST(utc_iso(*parse_iso_ms("2025-12-31T08:56:43Z")) == "2025-12-31T08:56:43.000Z");
  BOOST_TEST(utc_iso(*parse_iso_ms("2025-12-31T08:56:43+0130")) == "2025-12-31T07:26:43.000Z");
  BOOST_TEST(utc_iso(*parse_iso_ms("2025-12-31 08:56")) == "2025-12-31T08:56:00.000Z");
  BOOST_TEST(utc_iso(*parse_iso_ms("2025-12-31")) == "2025-12-31T00:00:00.000Z");
  BOOST_TEST(utc_iso(*parse_iso_ms("2024-02-29T23:59:59.9999Z")) == "2024-02-29T23:59:59.999Z");
  BOOST_TEST(!parse_iso_ms("2023-02-29T00:00:00Z"));
  BOOST_TEST(!parse_iso_ms("2023-13-01"));
  BOOST_TEST(!parse_iso_ms("yesterday"));
  BOOST_TEST(!parse_iso_ms("1536672249000"));
  BOOST_TEST(utc_date(-1) == "1969-12-31");
  BOOST_TEST(utc_hhmm(-1) == "23:59");
  auto d = parse(R"([1536672249000, null, true])");
  BOOST_TEST(utc_iso(*moment_ms(&d[0], 0)) == "2018-09-11T13:24:09.000Z");
  BOOST_TEST(!moment_ms(&d[1], 0));
  BOOST_TEST(!moment_ms(&d[2], 0));
  BOOST_TEST(*moment_ms(nullptr, 1234) == 1234);
}
