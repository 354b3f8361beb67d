// Clio, Insightly and Redtail end to end: the real worker, a real redis-server and the TLS mock
// CRM. Exact requests for the samples, the follow-up variants, failures as App Connect maps them
// (401 final, 429/503 retryable), and the partial-write resume: a follow-up that fails once is
// retried without a second main record, and the reply carries the main record's id.
#define BOOST_TEST_MODULE clio_insightly_redtail_e2e
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include "common/base64.hpp"
#include "common/json.hpp"
#include "tests/support/e2e_helpers.hpp"
#include "tests/support/golden_requests.hpp"

using namespace calllog;
using namespace calllog::test;

namespace {

// A golden corpus event of `platform` by id, on the stack's port.
rapidjson::Document golden_event(CrmStack& stack, const std::string& platform, const std::string& id) {
  for (auto& c : load_golden(shared_dir() + "/spec/golden/requests-public.jsonl", platform, stack.port()))
    if (c.id == id) return parse(c.event_json);
  BOOST_FAIL("no golden event " << id);
  return {};
}

// Sets a string at a path of object keys (creating nothing: the path must exist but the last key).
void set(rapidjson::Document& d, std::initializer_list<const char*> path, const std::string& value) {
  rapidjson::Value* v = &d;
  const char* last = nullptr;
  for (const char* k : path) {
    if (last) v = &(*v)[last];
    last = k;
  }
  v->RemoveMember(last);
  v->AddMember(rapidjson::Value(last, d.GetAllocator()), rapidjson::Value(value.c_str(), d.GetAllocator()),
               d.GetAllocator());
}

std::string clio_sample(uint16_t port, const std::string& session, const std::string& auth = "") {
  auto d = parse(read_file(shared_dir() + "/spec/samples/clio-outbound.json"));
  set(d, {"user", "hostname"}, "app.clio.com:" + std::to_string(port));
  set(d, {"callLog", "sessionId"}, session);
  if (!auth.empty()) set(d, {"authHeader"}, auth);
  return json::to_string(d);
}

const std::string kClioBody =
    "- Note: Discussed settlement terms.\n\nNext: send draft by Friday.\n- Summary: Matter 2026-114: "
    "settlement call\n- Date/Time: 2026-03-29 06:29:30 AM\n- Duration: 1 hour, 2 minutes, 5 seconds\n"
    "- Result: Call connected\n";

// Failures are replied at once instead of being retried by the worker's schedule.
const std::vector<std::string> kOneAttempt = {"--max-attempts", "1", "--max-rate-limited", "0"};

}  // namespace

BOOST_AUTO_TEST_CASE(clio_sample_posts_communication_then_time_entry) {
  CrmStack stack;
  std::vector<RecordedRequest> reqs;
  auto reply = parse(stack.run_event(clio_sample(stack.port(), "clio-e2e-1"), &reqs));
  BOOST_REQUIRE_EQUAL(reqs.size(), 2u);
  BOOST_TEST(reqs[0].method == "POST");
  BOOST_TEST(reqs[0].target == "/api/v4/communications.json");
  BOOST_TEST(reqs[0].host == "app.clio.com:" + std::to_string(stack.port()));
  BOOST_TEST(reqs[0].headers.at("authorization") == "Bearer EXAMPLE-ONLY-clio-token");
  BOOST_TEST(reqs[0].headers.at("content-type") == "application/json");
  // APPCONNECT.md §3.2, executed for this sample.
  BOOST_TEST(reqs[0].body == canonical_json(
      R"({"data":{"subject":"Matter 2026-114: settlement call","body":)" + json::quoted(kClioBody) +
      R"(,"type":"PhoneCommunication","received_at":"2026-03-29T00:59:30.000Z","senders":[{"id":"358002611","type":"User"}],"receivers":[{"id":"1987654321","type":"Contact"}],"notification_event_subscribers":[{"user_id":"358002611"}],"matter":{"id":1122334455}}})"));
  BOOST_TEST(str(reply, "status") == "logged");
  const std::string comm_id = str(reply, "logId");
  BOOST_TEST(reqs[1].target == "/api/v4/activities.json");
  BOOST_TEST(reqs[1].body == canonical_json(
      R"({"data":{"communication":{"id":)" + comm_id + R"(},"quantity":3725,"date":"2026-03-29T00:59:30.000Z","type":"TimeEntry","non_billable":true,"note":)" +
      json::quoted(kClioBody) + R"(,"matter":{"id":1122334455}}})"));
  BOOST_TEST(json::to_string(reply["returnMessage"]) ==
             R"({"message":"Call logged","messageType":"success","ttl":2000})");
  const auto& t = reply["extraDataTracking"];
  BOOST_TEST(str(t, "ratelimitRemaining") == "49");
  BOOST_TEST(str(t, "ratelimitAmount") == "50");
  BOOST_TEST(std::stoll(str(t, "ratelimitReset")) > 1'700'000'000LL);  // a Unix time
  BOOST_TEST(json::to_string(reply).find("EXAMPLE-ONLY") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(clio_time_entries_off_posts_only_the_communication) {
  CrmStack stack;
  auto d = parse(clio_sample(stack.port(), "clio-e2e-off"));
  auto& settings = d["user"]["userSettings"];
  rapidjson::Value off(rapidjson::kObjectType);
  off.AddMember("value", false, d.GetAllocator());
  settings.AddMember("clioTimeEntriesEnabled", off, d.GetAllocator());
  std::vector<RecordedRequest> reqs;
  auto reply = parse(stack.run_event(json::to_string(d), &reqs));
  BOOST_TEST(str(reply, "status") == "logged");
  BOOST_REQUIRE_EQUAL(reqs.size(), 1u);
  BOOST_TEST(reqs[0].target == "/api/v4/communications.json");
  BOOST_TEST(str(reply["extraDataTracking"], "ratelimitRemaining") == "49");
  // A single-request log needs no step record.
  BOOST_TEST(stack.redis().command({"EXISTS", "calllog:steps:clio:clio-e2e-off"}).substr(0, 2) == ":0");
}

BOOST_AUTO_TEST_CASE(clio_failures_map_to_app_connect_messages) {
  CrmStack stack(kOneAttempt);  // the failure is the final reply; the re-run is ours
  struct Case {
    std::string cred, code;
    bool retryable;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"Bearer mock-status-401", "http_401", false, "Authorization error"},
      {"Bearer mock-status-404", "http_404", false, "Authorization error"},
      {"Bearer mock-clio-limited", "http_429", true, "Rate limit exceeded"},
      {"Bearer mock-status-503", "http_503", true, "Error creating call log"},
  };
  int n = 0;
  for (const auto& c : cases) {
    std::vector<RecordedRequest> reqs;
    // One attempt and no rate-limit retries (kOneAttempt): each failure is the final reply at once.
    auto reply = parse(stack.run_event(clio_sample(stack.port(), "clio-fail-" + std::to_string(++n), c.cred), &reqs,
                                       std::chrono::seconds(90)));
    BOOST_TEST_CONTEXT(c.cred) {
      BOOST_TEST(str(reply, "status") == "failed");
      BOOST_TEST(str(reply["error"], "code") == c.code);
      BOOST_TEST(reply["error"]["retryable"].GetBool() == c.retryable);
      BOOST_TEST(str(reply["returnMessage"], "message") == c.message);
      BOOST_TEST(count(reqs, "POST", "/activities.json") == 0);  // never without a communication
      BOOST_TEST(json::to_string(reply).find("mock-") == std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(clio_failed_time_entry_resumes_without_a_second_communication) {
  CrmStack stack(kOneAttempt);  // the failure is the final reply; the re-run is ours
  const std::string event = clio_sample(stack.port(), "clio-resume-1", "Bearer mock-once-timeEntry");
  std::vector<RecordedRequest> first, second;
  auto failed = parse(stack.run_event(event, &first));
  BOOST_TEST(str(failed, "status") == "failed");
  BOOST_TEST(str(failed["error"], "code") == "http_503");
  BOOST_TEST(failed["error"]["retryable"].GetBool());
  BOOST_REQUIRE_EQUAL(first.size(), 2u);
  const std::string main = stack.redis().command({"HGET", "calllog:steps:clio:clio-resume-1", "main"});
  BOOST_TEST(main.size() > 1u);
  const long long ttl = std::stoll(stack.redis().command({"TTL", "calllog:steps:clio:clio-resume-1"}).substr(1));
  BOOST_TEST(ttl > 6 * 86400);

  auto logged = parse(stack.run_event(event, &second));
  BOOST_TEST(str(logged, "status") == "logged");
  BOOST_REQUIRE_EQUAL(second.size(), 1u);
  BOOST_TEST(second[0].target == "/api/v4/activities.json");
  BOOST_TEST(count(first, "POST", "/communications.json") + count(second, "POST", "/communications.json") == 1);
  BOOST_TEST(count(first, "POST", "/activities.json") + count(second, "POST", "/activities.json") == 2);
  // The reply carries the communication's id, and the time entry links to it.
  BOOST_TEST(main.find(str(logged, "logId")) != std::string::npos);
  BOOST_TEST(str(parse(second[0].body)["data"]["communication"], "id") == str(logged, "logId"));
  BOOST_TEST(parse(second[0].body)["data"]["communication"]["id"].IsNumber());
}

BOOST_AUTO_TEST_CASE(insightly_links_by_contact_type) {
  CrmStack stack;
  struct Case {
    std::string type;
    std::size_t links;
  };
  const std::vector<Case> cases = {{"contactPhone", 4}, {"Contact", 4}, {"Lead", 1}, {"leadMobile", 1}, {"contact", 0}};
  int n = 0;
  for (const auto& c : cases) {
    auto d = golden_event(stack, "insightly", "pub-insightly-0025");  // organization, opportunity, project
    set(d, {"contactInfo", "type"}, c.type);
    set(d, {"callLog", "sessionId"}, "ins-type-" + std::to_string(++n));
    std::vector<RecordedRequest> reqs;
    auto reply = parse(stack.run_event(json::to_string(d), &reqs));
    BOOST_TEST_CONTEXT(c.type) {
      BOOST_TEST(str(reply, "status") == "logged");
      BOOST_REQUIRE_EQUAL(reqs.size(), 1 + c.links);
      BOOST_TEST(reqs[0].target == "/v3.1/events");
      const std::string id = str(reply, "logId");
      for (std::size_t i = 1; i < reqs.size(); ++i) BOOST_TEST(reqs[i].target == "/v3.1/events/" + id + "/links");
      if (c.links == 1) BOOST_TEST(str(parse(reqs[1].body), "LINK_OBJECT_NAME") == "lead");
      BOOST_TEST(str(reply["extraDataTracking"], "ratelimitRemaining") == "undefined");
    }
  }
}

BOOST_AUTO_TEST_CASE(insightly_failed_link_resumes_without_a_second_event) {
  CrmStack stack(kOneAttempt);  // the failure is the final reply; the re-run is ours
  auto d = golden_event(stack, "insightly", "pub-insightly-0025");
  set(d, {"authHeader"}, "Basic mock-once-link");
  set(d, {"callLog", "sessionId"}, "ins-resume-1");
  const std::string event = json::to_string(d);
  std::vector<RecordedRequest> first, second;
  auto failed = parse(stack.run_event(event, &first));
  BOOST_TEST(str(failed, "status") == "failed");
  BOOST_TEST(failed["error"]["retryable"].GetBool());
  BOOST_TEST(first.size() == 2u);  // the event, then the first link (503)
  auto logged = parse(stack.run_event(event, &second));
  BOOST_TEST(str(logged, "status") == "logged");
  BOOST_TEST(count(first, "POST", "/events") + count(second, "POST", "/events") == 1);
  BOOST_TEST(count(second, "POST", "/links") == 4);
  BOOST_TEST(second[0].target == "/v3.1/events/" + str(logged, "logId") + "/links");

  // 401 and 429 from Insightly.
  std::vector<RecordedRequest> reqs;
  set(d, {"authHeader"}, "Basic mock-status-401");
  set(d, {"callLog", "sessionId"}, "ins-401");
  auto r401 = parse(stack.run_event(json::to_string(d), &reqs));
  BOOST_TEST(str(r401["error"], "code") == "http_401");
  BOOST_TEST(!r401["error"]["retryable"].GetBool());
  BOOST_TEST(str(r401["returnMessage"], "message") == "Authorization error");
  set(d, {"authHeader"}, "Basic mock-status-429");
  set(d, {"callLog", "sessionId"}, "ins-429");
  auto r429 = parse(stack.run_event(json::to_string(d), &reqs, std::chrono::seconds(90)));
  BOOST_TEST(str(r429["error"], "code") == "http_429");
  BOOST_TEST(r429["error"]["retryable"].GetBool());
  BOOST_TEST(str(r429["returnMessage"], "message") == "Rate limit exceeded");
}

BOOST_AUTO_TEST_CASE(redtail_activity_note_completion_categories) {
  CrmStack stack;
  auto d = golden_event(stack, "redtail", "pub-redtail-0000");  // has a note
  set(d, {"callLog", "sessionId"}, "rt-e2e-1");
  std::vector<RecordedRequest> reqs;
  auto reply = parse(stack.run_event(json::to_string(d), &reqs));
  BOOST_TEST(str(reply, "status") == "logged");
  BOOST_REQUIRE_EQUAL(reqs.size(), 4u);
  const std::string id = str(reply, "logId");
  BOOST_TEST(reqs[0].target == "/api/public/v1/activities");
  BOOST_TEST(reqs[1].target == "/api/public/v1/activities/" + id + "/notes");
  BOOST_TEST(reqs[2].method == "PUT");
  BOOST_TEST(reqs[3].target == "/api/public/v1/lists/categories");
  BOOST_TEST(reqs[3].headers.count("content-type") == 0u);
  const std::string auth = base64_encode("rtk-appconnect-test-7f3a91:b63415fb-2e3d-836e-a7cc-75927dc61368");
  for (auto& r : reqs) BOOST_TEST(r.headers.at("authorization") == auth);  // no scheme word
  BOOST_TEST(json::to_string(reply["extraDataTracking"]).find("ratelimit") == std::string::npos);

  // Without a note: no notes request.
  d.RemoveMember("note");
  set(d, {"callLog", "sessionId"}, "rt-e2e-2");
  reqs.clear();
  reply = parse(stack.run_event(json::to_string(d), &reqs));
  BOOST_TEST(str(reply, "status") == "logged");
  BOOST_TEST(reqs.size() == 3u);
}

BOOST_AUTO_TEST_CASE(redtail_failed_completion_resumes_without_a_second_activity) {
  CrmStack stack(kOneAttempt);  // the failure is the final reply; the re-run is ours
  auto d = golden_event(stack, "redtail", "pub-redtail-0000");
  set(d, {"user", "platformAdditionalInfo", "userResponse", "user_key"}, "mock-once-completed");
  set(d, {"callLog", "sessionId"}, "rt-resume-1");
  const std::string event = json::to_string(d);
  std::vector<RecordedRequest> first, second;
  auto failed = parse(stack.run_event(event, &first));
  BOOST_TEST(str(failed, "status") == "failed");
  BOOST_TEST(str(failed["error"], "code") == "http_503");
  BOOST_TEST(first.size() == 3u);  // activity, note, completion (503)
  auto logged = parse(stack.run_event(event, &second));
  BOOST_TEST(str(logged, "status") == "logged");
  BOOST_REQUIRE_EQUAL(second.size(), 2u);  // completion, categories: no activity, no second note
  BOOST_TEST(second[0].method == "PUT");
  BOOST_TEST(second[0].target == "/api/public/v1/activities/" + str(logged, "logId"));
  BOOST_TEST(count(first, "POST", "/activities") + count(second, "POST", "/activities") == 1);
  BOOST_TEST(count(first, "POST", "/notes") + count(second, "POST", "/notes") == 1);

  // 401 from Redtail (the marker travels inside the base64 credential).
  set(d, {"user", "platformAdditionalInfo", "userResponse", "user_key"}, "mock-status-401");
  set(d, {"callLog", "sessionId"}, "rt-401");
  std::vector<RecordedRequest> reqs;
  auto r401 = parse(stack.run_event(json::to_string(d), &reqs));
  BOOST_TEST(str(r401["error"], "code") == "http_401");
  BOOST_TEST(!r401["error"]["retryable"].GetBool());
  BOOST_TEST(str(r401["returnMessage"], "message") == "Authorization error");
  BOOST_TEST(reqs.size() == 1u);
}

// The worker's own retry (Retry-After: 1 on the 503) resumes at the time entry: one reply,
// `logged`, one communication and two time-entry posts in the mock.
BOOST_AUTO_TEST_CASE(clio_time_entry_retried_by_the_worker_logs_once) {
  CrmStack stack({"--retry-base", "0.05", "--retry-cap", "0.2"});
  std::vector<RecordedRequest> reqs;
  auto reply = parse(stack.run_event(clio_sample(stack.port(), "clio-retry-1", "Bearer mock-once-timeEntry"), &reqs));
  BOOST_TEST(str(reply, "status") == "logged");
  BOOST_TEST(reply["attempts"].GetInt() == 2);
  BOOST_TEST(count(reqs, "POST", "/communications.json") == 1);
  BOOST_TEST(count(reqs, "POST", "/activities.json") == 2);
  BOOST_TEST(stack.redis().lrange("calllog:replies").size() == 1u);
  BOOST_TEST(str(parse(reqs.back().body)["data"]["communication"], "id") == str(reply, "logId"));
}
