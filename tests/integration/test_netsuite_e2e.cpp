// NetSuite end to end: the real worker, redis-server and the TLS mock CRM. Request sequences
// (contact with/without company, placeholder found/created, custjob/vendor/lead, transaction,
// truncated transcript with folder found/created), the :port kept on derived hosts, failures
// (401, 429, restlet 400 SSS_REQUEST_LIMIT_EXCEEDED) and the partial-write resume.
#define BOOST_TEST_MODULE netsuite_e2e
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include "common/json.hpp"
#include "tests/support/e2e_helpers.hpp"
#include "tests/support/golden_requests.hpp"

using namespace calllog;
using namespace calllog::test;

namespace {

// The first corpus event (a contact), with a fresh session and edits to its parsed form.
struct EventBuilder : GoldenEvent {
  EventBuilder(uint16_t port, const std::string& session, bool sandbox = false)
      : GoldenEvent("netsuite", port, session) {
    set({"user", "hostname"}, std::string(sandbox ? "1234567-sb1" : "1234567") + ".app.netsuite.com:" + std::to_string(port));
    set({"authHeader"}, "Bearer ns-" + session);
    doc.RemoveMember("additionalSubmission");
    doc.RemoveMember("transcript");
  }
};

// "METHOD what" per request: the restlet's script name, or the SuiteTalk path after /services/rest.
std::vector<std::string> sequence(const std::vector<RecordedRequest>& reqs) {
  std::vector<std::string> out;
  for (auto& r : reqs) {
    std::string what = r.target;
    if (auto at = what.find("script=customscript_"); at != std::string::npos)
      what = what.substr(at + 20, what.find('&', at) - at - 20);
    else if (what.rfind("/services/rest", 0) == 0)
      what = what.substr(14);
    out.push_back(r.method + " " + what);
  }
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += x + "; ";
  return s;
}

std::string long_transcript() {
  std::string t;
  for (int i = 0; i < 200; ++i) t += "Agent: line " + std::to_string(i) + " of a long call transcript.\n";
  return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(request_sequences_per_contact_type) {
  CrmStack stack;
  struct Case { std::string name, type, id; bool sandbox; std::string expected; };
  const std::vector<Case> cases = {
      {"contact with company", "contact", "1000", false,
       "GET gettimezone; GET /record/v1/contact/1000; POST /record/v1/phonecall; "},
      {"placeholder found", "Contact", "999", false,
       "GET gettimezone; GET /record/v1/contact/999; POST /query/v1/suiteql; PATCH /record/v1/contact/999; POST /record/v1/phonecall; "},
      {"placeholder created", "contact", "999", true,
       "GET gettimezone; GET /record/v1/contact/999; POST /query/v1/suiteql; POST /record/v1/customer; PATCH /record/v1/contact/999; POST /record/v1/phonecall; "},
      {"custjob", "custjob", "555", false, "GET gettimezone; POST /record/v1/phonecall; "},
      {"vendor", "vendor", "556", false, "GET gettimezone; POST /record/v1/phonecall; "},
      {"lead", "lead", "557", false, "GET gettimezone; POST /record/v1/phonecall; "},
  };
  int n = 0;
  for (const auto& c : cases) {
    EventBuilder ev(stack.port(), "ns-seq-" + std::to_string(++n), c.sandbox);
    ev.set({"contactInfo", "type"}, c.type).set({"contactInfo", "id"}, c.id);
    std::vector<RecordedRequest> reqs;
    auto reply = parse(stack.run_event(ev.json(), &reqs));
    BOOST_TEST_CONTEXT(c.name) {
      BOOST_TEST(str(reply, "status") == "logged");
      BOOST_TEST(joined(sequence(reqs)) == c.expected);
      const std::string acct = c.sandbox ? "1234567-sb1" : "1234567";
      for (auto& r : reqs) {
        BOOST_TEST(r.headers.at("authorization") == "Bearer ns-ns-seq-" + std::to_string(n));
        BOOST_TEST(r.host.find(acct + ".") == 0u);
        BOOST_TEST(r.host.substr(r.host.rfind(':') + 1) == std::to_string(stack.port()));  // :port kept
      }
      auto call = parse(reqs.back().body);
      const bool contact = c.type == "contact" || c.type == "Contact";
      BOOST_TEST(call.HasMember("contact") == contact);
      BOOST_TEST(call.HasMember("company") == (contact || c.type == "custjob" || c.type == "vendor"));
      if (c.type == "custjob") BOOST_TEST(str(call["company"], "id") == c.id);
      BOOST_TEST(!call.HasMember("transaction"));
      BOOST_TEST(str(reply, "logId").find_first_not_of("0123456789") == std::string::npos);
      BOOST_TEST(reply["logId"].IsString());  // the Location id, as a string
    }
  }
}

BOOST_AUTO_TEST_CASE(transaction_prefers_the_sales_order) {
  CrmStack stack;
  struct Case { std::string sub; std::string type; int id; };
  const std::vector<Case> cases = {{R"({"salesorder":"12","opportunity":34})", "salesorder", 12},
                                   {R"({"opportunity":34})", "opportunity", 34}};
  int n = 0;
  for (const auto& c : cases) {
    EventBuilder ev(stack.port(), "ns-tx-" + std::to_string(++n));
    ev.set({"contactInfo", "type"}, "lead");
    rapidjson::Document sub = parse(c.sub);
    ev.doc.AddMember("additionalSubmission", rapidjson::Value(sub, ev.doc.GetAllocator()), ev.doc.GetAllocator());
    std::vector<RecordedRequest> reqs;
    auto reply = parse(stack.run_event(ev.json(), &reqs));
    BOOST_TEST(str(reply, "status") == "logged");
    auto call = parse(reqs.back().body);
    BOOST_TEST(str(call["transaction"], "type") == c.type);
    BOOST_TEST(call["transaction"]["id"].GetInt() == c.id);  // Number(), not the string
  }
}

BOOST_AUTO_TEST_CASE(truncated_transcript_is_attached_as_a_file) {
  CrmStack stack;
  for (bool sandbox : {false, true}) {
    EventBuilder ev(stack.port(), sandbox ? "ns-file-sb" : "ns-file", sandbox);
    ev.set({"contactInfo", "type"}, "lead").set({"transcript"}, long_transcript());
    ev.doc["user"]["userSettings"]["addCallLogTranscript"]["value"].SetBool(true);
    std::vector<RecordedRequest> reqs;
    auto reply = parse(stack.run_event(ev.json(), &reqs));
    BOOST_TEST_CONTEXT((sandbox ? "folder created" : "folder found")) {
      BOOST_TEST(str(reply, "status") == "logged");
      const std::string expected = sandbox
          ? "GET gettimezone; POST /record/v1/phonecall; GET getappconnectfolderbyname; POST createappconnectfolder; POST createappconnectfile; POST attachfilewithphonecalls; "
          : "GET gettimezone; POST /record/v1/phonecall; GET getappconnectfolderbyname; POST createappconnectfile; POST attachfilewithphonecalls; ";
      BOOST_TEST(joined(sequence(reqs)) == expected);
      BOOST_TEST(reqs[2].target.find("&name=App%20Connect%20Phone%20Calls") != std::string::npos);
      BOOST_TEST(reqs[2].headers.at("content-type") == "application/json");
      auto call = parse(reqs[1].body);
      BOOST_TEST(str(call, "message").find("Transcript too large.") != std::string::npos);
      auto attach = parse(reqs.back().body);
      BOOST_TEST(str(attach, "phoneCallId") == str(reply, "logId"));
      auto file = parse(reqs[reqs.size() - 2].body);
      BOOST_TEST(str(file, "content") == long_transcript());
    }
  }
}

BOOST_AUTO_TEST_CASE(failures_answer_netsuite_messages) {
  CrmStack stack;
  struct Case { std::string auth; std::string code; std::string message; std::size_t requests; };
  const std::vector<Case> cases = {
      {"Bearer mock-status-401", "http_401", "Error logging call", 1},   // the time-zone restlet
      {"", "http_401", "Invalid login attempt.", 2},                     // set below: SuiteTalk 401
      {"Bearer mock-post-status-404", "http_404", "Error logging call", 2},
  };
  int n = 0;
  for (const auto& c : cases) {
    EventBuilder ev(stack.port(), "ns-fail-" + std::to_string(++n));
    ev.set({"contactInfo", "type"}, "lead");
    if (!c.auth.empty()) ev.set({"authHeader"}, c.auth);
    std::vector<RecordedRequest> reqs;
    if (c.auth.empty()) {
      // A contact id the mock does not know: SuiteTalk's error shape with o:errorDetails.
      ev.set({"contactInfo", "type"}, "contact").set({"contactInfo", "id"}, "not-a-number");
    }
    auto reply = parse(stack.run_event(ev.json(), &reqs));
    BOOST_TEST_CONTEXT(c.auth) {
      BOOST_TEST(str(reply, "status") == "failed");
      BOOST_TEST(!reply["error"]["retryable"].GetBool());
      BOOST_TEST(str(reply["returnMessage"], "messageType") == "warning");
      if (c.auth.empty()) {
        BOOST_TEST(str(reply["error"], "code") == "http_404");
        BOOST_TEST(str(reply["returnMessage"], "message").find("The record instance does not exist") == 0u);
      } else {
        BOOST_TEST(str(reply["error"], "code") == c.code);
        BOOST_TEST(str(reply["returnMessage"], "message") == c.message);
      }
      BOOST_TEST(reply["returnMessage"]["ttl"].GetInt() == 60000);
      BOOST_TEST(reqs.size() == c.requests);
      BOOST_TEST(json::to_string(reply).find("mock-") == std::string::npos);
    }
  }
}

// 429 (SuiteTalk) and the restlet's 400 SSS_REQUEST_LIMIT_EXCEEDED are retryable: the worker tries
// again and the call is logged once.
BOOST_AUTO_TEST_CASE(limits_are_retried_and_logged_once) {
  CrmStack stack;
  for (const std::string step : {"mock-once429-phonecall", "mock-once-phonecall"}) {
    EventBuilder ev(stack.port(), "ns-limit-" + step);
    ev.set({"contactInfo", "type"}, "lead").set({"authHeader"}, "Bearer " + step);
    std::vector<RecordedRequest> reqs;
    std::string text = stack.run_event(ev.json(), &reqs);
    if (str(parse(text), "status") == "failed") {
      BOOST_TEST(parse(text)["error"]["retryable"].GetBool());
      text = stack.run_event(ev.json(), &reqs);
    }
    BOOST_TEST_CONTEXT(step) {
      BOOST_TEST(str(parse(text), "status") == "logged");
      std::size_t calls = 0;
      for (auto& r : reqs) calls += r.target == "/services/rest/record/v1/phonecall";
      BOOST_TEST(calls == 2u);  // the refused one and the one that created the record
    }
  }
}

BOOST_AUTO_TEST_CASE(failed_transcript_file_resumes_without_a_second_phonecall) {
  CrmStack stack;
  EventBuilder ev(stack.port(), "ns-resume", true);
  ev.set({"contactInfo", "type"}, "lead").set({"transcript"}, long_transcript()).set({"authHeader"}, "Bearer mock-once-file");
  ev.doc["user"]["userSettings"]["addCallLogTranscript"]["value"].SetBool(true);
  std::vector<RecordedRequest> reqs;
  std::string text = stack.run_event(ev.json(), &reqs);
  if (str(parse(text), "status") == "failed") text = stack.run_event(ev.json(), &reqs);
  auto reply = parse(text);
  BOOST_TEST(str(reply, "status") == "logged");
  std::size_t calls = 0, folders_created = 0, files = 0, attaches = 0;
  for (auto& r : reqs) {
    calls += r.target == "/services/rest/record/v1/phonecall";
    folders_created += r.target.find("createappconnectfolder") != std::string::npos;
    files += r.target.find("createappconnectfile") != std::string::npos;
    attaches += r.target.find("attachfilewithphonecalls") != std::string::npos;
  }
  BOOST_TEST(calls == 1u);            // the phonecall exactly once
  BOOST_TEST(folders_created == 1u);  // the folder step is not repeated either
  BOOST_TEST(files == 2u);            // the failed one and the retry
  BOOST_TEST(attaches == 1u);
  BOOST_TEST(str(parse(reqs.back().body), "phoneCallId") == str(reply, "logId"));
}
