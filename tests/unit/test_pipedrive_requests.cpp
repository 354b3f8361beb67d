#define BOOST_TEST_MODULE pipedrive_requests
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "adapters/appconnect/js_value.hpp"
#include "adapters/pipedrive/pipedrive_requests.hpp"
#include "common/json.hpp"
#include "tests/support/process.hpp"

using namespace calllog;
using namespace calllog::pipedrive;

namespace {

rapidjson::Document parse(std::string_view s) {
  rapidjson::Document d;
  BOOST_TEST_REQUIRE(json::parse(d, s).empty());
  return d;
}

// Both sides re-serialized the same way: key order kept, number spelling normalized.
std::string canonical(std::string_view s) { return appconnect::js_json(parse(s)); }

std::string body_for(std::string_view event_json, std::string_view org_json = "null",
                     std::string_view type = "call") {
  auto ev = parse(event_json);
  auto org = parse(org_json);
  return activity_body(ev, "NOTE", org.IsNull() ? nullptr : &org, type, 0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(duration_quirk_table) {
  const std::pair<const char*, const char*> cases[] = {
      {"0", "00:01"},     {"59", "00:01"},   {"60", "00:02"},   {"3599", "00:60"},
      {"3600", "01:01"},  {"3725", "01:03"}, {"86400", "24:01"}, {"\"65\"", "00:00"},
      {"null", "00:00"},  {"7.5", "00:01"},  {"-5", "00:00"},   {"360000", "100:01"}};
  for (auto [in, out] : cases) {
    auto v = parse(in);
    BOOST_TEST(duration_text(&v) == out, in);
  }
  BOOST_TEST(duration_text(nullptr) == "00:00");
}

BOOST_AUTO_TEST_CASE(urls) {
  auto e = parse(R"({"user":{"hostname":"acme.pipedrive.com:8443"},"contactInfo":{"id":2417}})");
  BOOST_TEST(base_url(e) == "https://acme.pipedrive.com:8443");
  BOOST_TEST(person_path(e) == "/api/v2/persons/2417");
}

BOOST_AUTO_TEST_CASE(sample_body_as_app_connect_sends_it) {
  const std::string ev = test::read_file(test::shared_dir() + "/spec/samples/pipedrive-inbound.json");
  auto doc = parse(ev);
  const std::string got = activity_body(doc, "N", nullptr, "call", 0);
  BOOST_TEST(got ==
             R"({"owner_id":13401234,"subject":"Inbound Call from John Smith","duration":"00:01","deal_id":118,"note":"N","done":true,"due_date":"2018-09-11","due_time":"13:24","participants":[{"person_id":2417,"primary":true}],"type":"call"})");
}

BOOST_AUTO_TEST_CASE(deal_lead_org_rules) {
  const std::string base =
      R"("user":{"id":"77-pipedrive"},"contactInfo":{"id":"5","name":"A"},"callLog":{"direction":"Inbound","duration":60,"startTime":"2020-01-02T03:04:05Z"})";
  // No additionalSubmission: deal_id "" and no lead.
  BOOST_TEST(body_for("{" + base + "}") ==
             R"({"owner_id":77,"subject":"Inbound Call from A","duration":"00:02","deal_id":"","note":"NOTE","done":true,"due_date":"2020-01-02","due_time":"03:04","participants":[{"person_id":5,"primary":true}],"type":"call"})");
  // additionalSubmission without deals: deal_id left out; leads → lead_id after participants.
  BOOST_TEST(body_for("{" + base + R"(,"additionalSubmission":{"leads":"L-1"}})", "1003", "meeting") ==
             R"({"owner_id":77,"subject":"Inbound Call from A","duration":"00:02","note":"NOTE","done":true,"due_date":"2020-01-02","due_time":"03:04","participants":[{"person_id":5,"primary":true}],"lead_id":"L-1","org_id":1003,"type":"meeting"})");
  // A deal wins over a lead.
  BOOST_TEST(body_for("{" + base + R"(,"additionalSubmission":{"deals":9,"leads":"L-1"}})") ==
             R"({"owner_id":77,"subject":"Inbound Call from A","duration":"00:02","deal_id":9,"note":"NOTE","done":true,"due_date":"2020-01-02","due_time":"03:04","participants":[{"person_id":5,"primary":true}],"type":"call"})");
  // deals null is sent as null; a falsy org_id ('' from `?? ''`, 0) is left out.
  BOOST_TEST(body_for("{" + base + R"(,"additionalSubmission":{"deals":null}})", "0") ==
             R"({"owner_id":77,"subject":"Inbound Call from A","duration":"00:02","deal_id":null,"note":"NOTE","done":true,"due_date":"2020-01-02","due_time":"03:04","participants":[{"person_id":5,"primary":true}],"type":"call"})");
}

BOOST_AUTO_TEST_CASE(owner_subject_participants) {
  // Assignee replaces owner_id in place; customSubject (even "") overrides; non-numeric id → null.
  const std::string ev =
      R"({"user":{"id":"77-pipedrive"},"contactInfo":{"id":"abc","name":"A"},"callLog":{"direction":"Outbound","customSubject":"","startTime":"bad"},"additionalSubmission":{"isAssignedToUser":true,"assigneeId":"4242"}})";
  BOOST_TEST(body_for(ev) ==
             R"({"owner_id":4242,"subject":"","duration":"00:00","note":"NOTE","done":true,"due_date":"Invalid date","due_time":"Invalid date","participants":[{"person_id":null,"primary":true}],"type":"call"})");
}

// Every Pipedrive event of the public request corpus: our body equals App Connect's, given the
// same note, the mock's org_id and the corpus's type (the composer and the activity type are
// tested on their own).
BOOST_AUTO_TEST_CASE(golden_bodies_match) {
  std::ifstream in(test::shared_dir() + "/spec/golden/requests-public.jsonl");
  BOOST_TEST_REQUIRE(in.good());
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    auto doc = parse(line);
    const auto& ev = doc["event"];
    if (std::string_view(ev["platform"].GetString()) != "pipedrive") continue;
    const auto& post = doc["requests"][doc["requests"].Size() - 1];
    const auto& want = post["body"];
    const std::string note = want["note"].GetString();
    const std::string type = want["type"].GetString();
    const double person = appconnect::js_to_number(json::find_path(ev, {"contactInfo", "id"}));
    const long long pid = static_cast<long long>(person);
    rapidjson::Document org;
    org.SetNull();
    if (pid % 7 != 0) org.SetInt64(1000 + pid % 50);
    const std::string got = activity_body(ev, note, org.IsNull() ? nullptr : &org, type, 0);
    BOOST_TEST(canonical(got) == appconnect::js_json(want), ev["id"].GetString());
    ++checked;
  }
  BOOST_TEST(checked == 20);
}
