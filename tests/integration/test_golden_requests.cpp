// The golden request corpus (golden/README.md): each enabled platform's events go through the
// real worker against the mock CRM, one at a time; the requests the mock recorded for each event
// must equal what App Connect's connectors sent, and the reply must be `logged` with the same
// logId. To enable a platform once its adapter lands, add its name to kEnabledPlatforms.
#define BOOST_TEST_MODULE golden_requests
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include "common/json.hpp"
#include "tests/support/golden_requests.hpp"

using namespace calllog;
using namespace calllog::test;

namespace {

const std::vector<std::string> kEnabledPlatforms = {
    "pipedrive",
    "clio",
    "insightly",
    "redtail",
    "bullhorn",
    "netsuite",
};

std::string corpus() { return shared_dir() + "/spec/golden/requests-public.jsonl"; }

}  // namespace

BOOST_DATA_TEST_CASE(corpus_requests_match, boost::unit_test::data::make(kEnabledPlatforms),
                     platform) {
  CrmStack stack;
  const auto cases = load_golden(corpus(), platform, stack.port());
  BOOST_TEST_REQUIRE(!cases.empty());
  int matched = 0;
  for (const auto& c : cases) {
    std::vector<RecordedRequest> recorded;
    const std::string reply_text = stack.run_event(c.event_json, &recorded);
    rapidjson::Document reply;
    BOOST_TEST_REQUIRE(json::parse(reply, reply_text).empty());
    const std::string status = json::js_string(json::find(reply, "status"));
    const std::string log_id = json::js_string(json::find(reply, "logId"));
    std::string diff = diff_requests(c.expected_requests, recorded);
    if (status != "logged") diff += "  reply status " + status + ": " + reply_text + "\n";
    if (log_id != c.expected_log_id)
      diff += "  logId want " + c.expected_log_id + " got " + log_id + "\n";
    BOOST_CHECK_MESSAGE(diff.empty(), "event " << c.id << " differs:\n" << diff);
    if (diff.empty()) ++matched;
  }
  BOOST_TEST_MESSAGE(platform << ": " << matched << "/" << cases.size() << " events match");
  BOOST_TEST(matched == static_cast<int>(cases.size()));
}

// The comparison itself must notice differences (a harness that cannot fail proves nothing).
BOOST_AUTO_TEST_CASE(diff_reports_each_kind_of_difference) {
  const std::string expected =
      R"([{"method":"POST","url":"https://a.pipedrive.com:1/api/v2/activities","headers":{"Authorization":"Bearer x","Content-Type":"application/json"},"body":{"a":1,"b":2}}])";
  RecordedRequest r{"POST", "/api/v2/activities", "a.pipedrive.com:1",
                    {{"authorization", "Bearer x"}, {"content-type", "application/json"}},
                    R"({"a":1,"b":2})"};
  BOOST_TEST(diff_requests(expected, {r}).empty());
  RecordedRequest types{"GET", "/v1/activityTypes", "a.pipedrive.com:1", {}, "null"};
  BOOST_TEST(diff_requests(expected, {types, r}).empty());  // activity types are ignored
  auto swapped = r;
  swapped.body = R"({"b":2,"a":1})";
  BOOST_TEST(diff_requests(expected, {swapped}).find("body") != std::string::npos);
  auto extra_header = r;
  extra_header.headers["prefer"] = "transient";
  BOOST_TEST(diff_requests(expected, {extra_header}).find("Prefer") != std::string::npos);
  auto no_type = r;
  no_type.headers.erase("content-type");
  BOOST_TEST(diff_requests(expected, {no_type}).find("Content-Type") != std::string::npos);
  auto other_path = r;
  other_path.target = "/api/v2/activities?x=1";
  BOOST_TEST(diff_requests(expected, {other_path}).find("target") != std::string::npos);
  auto other_host = r;
  other_host.host = "a.pipedrive.com";
  BOOST_TEST(diff_requests(expected, {other_host}).find("Host") != std::string::npos);
  BOOST_TEST(diff_requests(expected, {r, r}).find("count") != std::string::npos);
  BOOST_TEST(diff_requests(expected, {}).find("count") != std::string::npos);
}
