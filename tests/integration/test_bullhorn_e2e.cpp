// Bullhorn end to end: the real worker, redis-server and the TLS mock CRM. Request sequences per
// entity (with and without comments), the assignee, the 401 re-login, failures (401/429/503),
// the partial-write resume and host refusal. Events are built from a golden corpus event.
#define BOOST_TEST_MODULE bullhorn_e2e
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include "common/json.hpp"
#include "tests/support/e2e_helpers.hpp"
#include "tests/support/golden_requests.hpp"

using namespace calllog;
using namespace calllog::test;

namespace {

// The first corpus event (a Candidate without comments), with a fresh session and edits
// applied to its parsed form.
struct EventBuilder : GoldenEvent {
  EventBuilder(uint16_t port, const std::string& session) : GoldenEvent("bullhorn", port, session) {}
  std::string token() const { return doc["user"]["platformAdditionalInfo"]["bhRestToken"].GetString(); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(comments_per_entity_and_assignee) {
  CrmStack stack;
  struct Case { std::string type, entity; bool comments, assignee; };
  const std::vector<Case> cases = {{"Candidate", "Candidate", true, false}, {"Contact", "ClientContact", true, true},
                                   {"Lead", "Lead", true, false}, {"Contact", "", false, true},
                                   {"Lead", "", false, false}};
  int n = 0;
  for (const auto& c : cases) {
    EventBuilder ev(stack.port(), "bh-var-" + std::to_string(++n));
    ev.set({"contactInfo", "type"}, c.type).set({"contactInfo", "id"}, "4242").set({"note"}, "Call back Friday");
    if (c.comments) ev.set_bool({"additionalSubmission", "copyToContactComments"}, true);
    if (c.assignee) ev.set_bool({"additionalSubmission", "isAssignedToUser"}, true).set({"additionalSubmission", "assigneeId"}, "77");
    std::vector<RecordedRequest> reqs;
    auto reply = parse(stack.run_event(ev.json(), &reqs));
    BOOST_TEST_CONTEXT(c.type << " comments=" << c.comments) {
      BOOST_TEST(str(reply, "status") == "logged");
      BOOST_REQUIRE_EQUAL(reqs.size(), c.comments ? 3u : 2u);
      BOOST_TEST(reqs[0].method == "GET");
      BOOST_TEST(reqs[0].target.find("/ping") != std::string::npos);
      BOOST_TEST(reqs[1].method == "PUT");
      for (auto& r : reqs) {
        BOOST_TEST(r.headers.count("authorization") == 0u);  // BhRestToken only
        BOOST_TEST(r.headers.at("bhresttoken") == ev.token());
      }
      auto note = parse(reqs[1].body);
      BOOST_TEST(str(note["personReference"], "personSubtype") == c.type);
      BOOST_TEST(note.HasMember("commentingPerson") == c.assignee);
      if (c.assignee) BOOST_TEST(str(note["commentingPerson"], "personSubtype") == "CorporateUser");
      if (c.comments) {
        BOOST_TEST(reqs[2].method == "POST");
        BOOST_TEST(reqs[2].target.find("/entity/" + c.entity + "/4242") != std::string::npos);
        BOOST_TEST(reqs[2].body == R"({"comments":"Call back Friday"})");
      }
      BOOST_TEST(!str(reply, "logId").empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(expired_session_logs_in_again_once) {
  CrmStack stack;
  EventBuilder ev(stack.port(), "bh-401-relogin");
  ev.set({"user", "platformAdditionalInfo", "bhRestToken"}, "mock-status-401");
  std::vector<RecordedRequest> reqs;
  auto reply = parse(stack.run_event(ev.json(), &reqs));
  BOOST_TEST(str(reply, "status") == "logged");
  BOOST_REQUIRE_EQUAL(reqs.size(), 3u);  // ping 401, login, PUT with the new session
  BOOST_TEST(reqs[1].method == "POST");
  BOOST_TEST(reqs[1].target.rfind("/rest-services/login?version=2.0&access_token=", 0) == 0);
  BOOST_TEST(reqs[2].target == "/rest-services/renewed/entity/Note");
  BOOST_TEST(reqs[2].headers.at("bhresttoken").rfind("renewed-", 0) == 0);
}

// Final failures answer at once with App Connect's messages. Transient ones (429, 503) are
// retried by the worker: a 429 never triggers a login or a second PUT (401-only rule).
BOOST_AUTO_TEST_CASE(failures_map_to_app_connect_messages) {
  CrmStack stack;
  struct Case { std::string token; bool drop_login; std::string code; std::string message; std::size_t puts; };
  const std::vector<Case> cases = {
      {"mock-status-401", true, "http_401", "Authorization error", 0},
      {"mock-post-status-404", false, "http_404", "Authorization error", 1},
      {"mock-post-status-400", false, "http_400", "Authorization error", 1},
  };
  int n = 0;
  for (const auto& c : cases) {
    EventBuilder ev(stack.port(), "bh-fail-" + std::to_string(++n));
    ev.set({"user", "platformAdditionalInfo", "bhRestToken"}, c.token);
    if (c.drop_login) ev.doc["user"]["platformAdditionalInfo"].RemoveMember("loginUrl");
    std::vector<RecordedRequest> reqs;
    auto reply = parse(stack.run_event(ev.json(), &reqs));
    BOOST_TEST_CONTEXT(c.token) {
      BOOST_TEST(str(reply, "status") == "failed");
      BOOST_TEST(str(reply["error"], "code") == c.code);
      BOOST_TEST(!reply["error"]["retryable"].GetBool());
      BOOST_TEST(str(reply["returnMessage"], "message") == c.message);
      BOOST_TEST(count(reqs, "PUT", "/entity/Note") == c.puts);  // no second PUT on a 4xx
      BOOST_TEST(count(reqs, "POST", "") == 0u);                  // no login but on 401
      BOOST_TEST(json::to_string(reply).find("mock-") == std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(transient_failures_are_retried_without_a_second_note) {
  CrmStack stack;
  const std::vector<std::string> tokens = {"t-mock-once429-ping", "t-mock-once-ping", "t-mock-once429-note", "t-mock-once-note"};
  int n = 0;
  for (const auto& token : tokens) {
    EventBuilder ev(stack.port(), "bh-transient-" + std::to_string(++n));
    ev.set({"user", "platformAdditionalInfo", "bhRestToken"}, token);
    std::vector<RecordedRequest> reqs;
    std::string text = stack.run_event(ev.json(), &reqs);
    if (str(parse(text), "status") == "failed") text = stack.run_event(ev.json(), &reqs);
    auto reply = parse(text);
    BOOST_TEST_CONTEXT(token) {
      BOOST_TEST(str(reply, "status") == "logged");
      BOOST_TEST(count(reqs, "POST", "") == 0u);  // a 429 is not an auth error: no login
      const bool note_failed = token.find("note") != std::string::npos;
      BOOST_TEST(count(reqs, "PUT", "/entity/Note") == (note_failed ? 2u : 1u));  // the failed one + 1
    }
  }
}

BOOST_AUTO_TEST_CASE(failed_comments_resume_without_a_second_note) {
  CrmStack stack;
  EventBuilder ev(stack.port(), "bh-resume");
  ev.set({"user", "platformAdditionalInfo", "bhRestToken"}, "tok-mock-once-comments");
  ev.set_bool({"additionalSubmission", "copyToContactComments"}, true).set({"note"}, "resume me");
  std::vector<RecordedRequest> reqs;
  auto first = parse(stack.run_event(ev.json(), &reqs));
  std::string final_text = json::to_string(first);
  if (str(first, "status") == "failed") {  // the worker answered the 503; the event comes again
    BOOST_TEST(first["error"]["retryable"].GetBool());
    BOOST_TEST(str(first["error"], "code") == "http_503");
    final_text = stack.run_event(ev.json(), &reqs);
  }
  auto last = parse(final_text);
  BOOST_TEST(str(last, "status") == "logged");
  BOOST_TEST(count(reqs, "PUT", "/entity/Note") == 1u);          // the Note exactly once
  BOOST_TEST(count(reqs, "POST", "/entity/Candidate/" + str(ev.doc["contactInfo"], "id")) == 2u);
  BOOST_TEST(!str(last, "logId").empty());
}

BOOST_AUTO_TEST_CASE(foreign_host_refused_without_connecting) {
  CrmStack stack;
  EventBuilder ev(stack.port(), "bh-foreign");
  ev.set({"user", "platformAdditionalInfo", "restUrl"}, "https://rest.evil.example:" + std::to_string(stack.port()) + "/rest-services/x/");
  std::vector<RecordedRequest> reqs;
  auto reply = parse(stack.run_event(ev.json(), &reqs));
  BOOST_TEST(str(reply, "status") == "failed");
  BOOST_TEST(str(reply["error"], "code") == "host_not_allowed");
  BOOST_TEST(reqs.empty());
}
