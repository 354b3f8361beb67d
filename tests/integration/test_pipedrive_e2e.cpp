// Pipedrive end to end: the real worker, a real redis-server and the TLS mock CRM. Checks the
// exact request sequence, headers and bodies, the activity-type cache, failures and replies.
#define BOOST_TEST_MODULE pipedrive_e2e
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include "common/json.hpp"
#include "tests/support/e2e_helpers.hpp"
#include "tests/support/golden_requests.hpp"

using namespace calllog;
using namespace calllog::test;

namespace {

// The Pipedrive sample on the mock's port, with a fresh session id and optional edits.
std::string sample(uint16_t port, const std::string& session,
                   const std::vector<std::pair<std::string, std::string>>& edits = {}) {
  std::string s = read_file(shared_dir() + "/spec/samples/pipedrive-inbound.json");
  s = replace_all(s, "\"acme-sales.pipedrive.com\"", "\"acme-sales.pipedrive.com:" + std::to_string(port) + "\"");
  s = replace_all(s, "\"4503991004\"", "\"" + session + "\"");
  for (auto& [from, to] : edits) s = replace_all(s, from, to);
  return s;
}

std::vector<RecordedRequest> without_types(const std::vector<RecordedRequest>& all) {
  std::vector<RecordedRequest> out;
  for (auto& r : all)
    if (r.target != "/v1/activityTypes") out.push_back(r);
  return out;
}

int count_types(const std::vector<RecordedRequest>& all) {
  int n = 0;
  for (auto& r : all) n += r.target == "/v1/activityTypes";
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(sample_logs_with_exact_requests_and_reply) {
  CrmStack stack;
  const std::string host = "acme-sales.pipedrive.com:" + std::to_string(stack.port());
  std::vector<RecordedRequest> reqs;
  auto reply = parse(stack.run_event(sample(stack.port(), "pd-e2e-1"), &reqs));

  BOOST_REQUIRE_EQUAL(reqs.size(), 3u);  // cold cache: person, activity types, activity
  BOOST_TEST(reqs[0].method == "GET");
  BOOST_TEST(reqs[0].target == "/api/v2/persons/2417");
  BOOST_TEST(reqs[0].host == host);
  BOOST_TEST(reqs[0].headers.at("authorization") == "Bearer v1u:AQIBAHj-EXAMPLE-ONLY");
  BOOST_TEST(reqs[0].headers.count("content-type") == 0u);
  BOOST_TEST(reqs[1].target == "/v1/activityTypes");
  BOOST_TEST(reqs[2].method == "POST");
  BOOST_TEST(reqs[2].target == "/api/v2/activities");
  BOOST_TEST(reqs[2].headers.at("content-type") == "application/json");
  auto body = parse(reqs[2].body);
  BOOST_TEST(body["owner_id"].GetInt64() == 13401234);
  BOOST_TEST(str(body, "subject") == "Inbound Call from John Smith");
  BOOST_TEST(str(body, "duration") == "00:01");
  BOOST_TEST(body["deal_id"].GetInt() == 118);
  BOOST_TEST(str(body, "due_date") == "2018-09-11");
  BOOST_TEST(str(body, "due_time") == "13:24");
  BOOST_TEST(body["org_id"].GetInt() == 1000 + 2417 % 50);
  BOOST_TEST(str(body, "type") == "call");
  BOOST_TEST(str(body, "note").rfind("<b>Agent notes</b><br>Asked about renewal", 0) == 0);

  BOOST_TEST(str(reply, "status") == "logged");
  BOOST_TEST(reply["successful"].GetBool());
  BOOST_TEST(reply["logId"].IsString());
  BOOST_TEST(json::js_string(&parse(reqs[2].body)["participants"][0]["person_id"]) == "2417");
  BOOST_TEST(json::to_string(reply["returnMessage"]) ==
             R"({"message":"Call logged","messageType":"success","ttl":2000})");
  const auto& t = reply["extraDataTracking"];
  BOOST_TEST(str(t, "ratelimitRemaining") == "79");
  BOOST_TEST(str(t, "ratelimitAmount") == "80");
  BOOST_TEST(str(t, "ratelimitReset") == "2");
  BOOST_TEST(t["withSmartNoteLog"].GetBool());
  BOOST_TEST(t["withTranscript"].GetBool());
  BOOST_TEST(json::to_string(reply).find("EXAMPLE-ONLY") == std::string::npos);

  // A second event for the account: the activity types come from the cache (Redis + memo).
  reqs.clear();
  reply = parse(stack.run_event(sample(stack.port(), "pd-e2e-2"), &reqs));
  BOOST_TEST(str(reply, "status") == "logged");
  BOOST_TEST(count_types(reqs) == 0);
  BOOST_TEST(reqs.size() == 2u);
  const std::string ttl = stack.redis().command({"TTL", "calllog:pd:activityTypes:" + host});
  BOOST_TEST(ttl.rfind(":", 0) == 0);
  const long long secs = std::stoll(ttl.substr(1));
  BOOST_TEST(secs > 86000);
  BOOST_TEST(secs <= 86400);
}

BOOST_AUTO_TEST_CASE(submission_variants) {
  CrmStack stack;
  struct Case {
    std::string name;
    std::vector<std::pair<std::string, std::string>> edits;
    std::string want;  // keys of the POST body, in order
  };
  const std::string no_sub = R"("additionalSubmission": { "deals": 118 },)";
  const std::vector<Case> cases = {
      {"deal", {}, "owner_id,subject,duration,deal_id,note,done,due_date,due_time,participants,org_id,type"},
      {"no submission", {{no_sub, ""}},
       "owner_id,subject,duration,deal_id,note,done,due_date,due_time,participants,org_id,type"},
      {"lead", {{no_sub, R"("additionalSubmission": { "leads": "lead-7" },)"}},
       "owner_id,subject,duration,note,done,due_date,due_time,participants,lead_id,org_id,type"},
      // person 2422 is a multiple of 7: the mock answers org_id null, so no org_id
      {"no org", {{R"("id": "2417")", R"("id": "2422")"}},
       "owner_id,subject,duration,deal_id,note,done,due_date,due_time,participants,type"},
      {"assignee", {{no_sub, R"("additionalSubmission": { "isAssignedToUser": true, "assigneeId": "555" },)"}},
       "owner_id,subject,duration,note,done,due_date,due_time,participants,org_id,type"},
  };
  int n = 0;
  for (const auto& c : cases) {
    std::vector<RecordedRequest> reqs;
    auto reply = parse(stack.run_event(sample(stack.port(), "pd-sub-" + std::to_string(++n), c.edits), &reqs));
    BOOST_TEST_CONTEXT(c.name) {
      BOOST_TEST(str(reply, "status") == "logged");
      auto posts = without_types(reqs);
      BOOST_REQUIRE_EQUAL(posts.size(), 2u);
      auto body = parse(posts[1].body);
      std::string keys;
      for (auto& m : body.GetObject()) keys += (keys.empty() ? "" : ",") + std::string(m.name.GetString());
      BOOST_TEST(keys == c.want);
      if (c.name == "assignee") BOOST_TEST(body["owner_id"].GetInt64() == 555);
      if (c.name == "lead") BOOST_TEST(str(body, "lead_id") == "lead-7");
      if (c.name == "no submission") BOOST_TEST(str(body, "deal_id") == "");
    }
  }
}

BOOST_AUTO_TEST_CASE(admin_activity_type) {
  CrmStack stack;
  const std::string admin = R"("user": { "adminSettings": { "pipedriveCallActivityType": { "value": "TYPE" } },)";
  std::vector<RecordedRequest> reqs;
  auto reply = parse(stack.run_event(
      sample(stack.port(), "pd-adm-1", {{R"("user": {)", replace_all(admin, "TYPE", "meeting")}}), &reqs));
  BOOST_TEST(str(reply, "status") == "logged");
  BOOST_TEST(str(parse(without_types(reqs).back().body), "type") == "meeting");
  BOOST_TEST(count_types(reqs) == 1);
  // A configured type the account lacks: one forced refresh, then the "call" keyword match.
  reqs.clear();
  reply = parse(stack.run_event(
      sample(stack.port(), "pd-adm-2", {{R"("user": {)", replace_all(admin, "TYPE", "gone")}}), &reqs));
  BOOST_TEST(str(reply, "status") == "logged");
  BOOST_TEST(str(parse(without_types(reqs).back().body), "type") == "call");
  BOOST_TEST(count_types(reqs) == 1);
}

BOOST_AUTO_TEST_CASE(failures_map_to_app_connect_messages) {
  // One attempt and no rate-limit retries: each failure is the final reply at once.
  CrmStack stack({"--max-attempts", "1", "--max-rate-limited", "0"});
  struct Case {
    std::string cred;
    std::string code;
    bool retryable;
    std::string message;
    std::size_t requests;
  };
  const std::vector<Case> cases = {
      {"Bearer mock-status-401", "http_401", false, "Authorization error", 1},
      {"Bearer mock-status-404", "http_404", false, "Authorization error", 1},
      {"Bearer mock-status-429", "http_429", true, "Rate limit exceeded", 1},
      {"Bearer mock-status-503", "http_503", true, "Error creating call log", 1},
      {"Bearer mock-post-status-503", "http_503", true, "Error creating call log", 2},
      {"Bearer mock-post-status-409", "http_409", false, "Authorization error", 2},
  };
  int n = 0;
  for (const auto& c : cases) {
    std::vector<RecordedRequest> reqs;
    auto reply = parse(stack.run_event(
        sample(stack.port(), "pd-fail-" + std::to_string(++n),
               {{"Bearer v1u:AQIBAHj-EXAMPLE-ONLY", c.cred}}),
        &reqs));
    BOOST_TEST_CONTEXT(c.cred) {
      BOOST_TEST(str(reply, "status") == "failed");
      BOOST_TEST(!reply["successful"].GetBool());
      BOOST_TEST(str(reply["error"], "code") == c.code);
      BOOST_TEST(reply["error"]["retryable"].GetBool() == c.retryable);
      BOOST_TEST(reply["error"]["httpStatus"].GetInt() == std::stoi(c.code.substr(5)));
      BOOST_TEST(str(reply["returnMessage"], "message") == c.message);
      BOOST_TEST(without_types(reqs).size() == c.requests);  // stops at the failing request
      BOOST_TEST(json::to_string(reply).find("mock-") == std::string::npos);  // no credential
    }
  }
}

BOOST_AUTO_TEST_CASE(foreign_host_refused_without_connecting) {
  // Refused before resolution; .invalid never resolves, so even a broken check reaches nothing.
  CrmStack stack;
  std::vector<RecordedRequest> reqs;
  auto ev = sample(0, "pd-evil-1");
  ev = replace_all(ev, "\"acme-sales.pipedrive.com:0\"",
                   "\"evil.invalid:" + std::to_string(stack.port()) + "\"");
  auto reply = parse(stack.run_event(ev, &reqs));
  BOOST_TEST(str(reply, "status") == "failed");
  BOOST_TEST(str(reply["error"], "code") == "host_not_allowed");
  BOOST_TEST(!reply["error"]["retryable"].GetBool());
  BOOST_TEST(reqs.empty());
}
