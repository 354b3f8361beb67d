#define BOOST_TEST_MODULE event_parse
#include <boost/test/unit_test.hpp>

#include "common/event.hpp"
#include "common/json.hpp"

using namespace calllog;

namespace {
const char* kGood =
    R"({"id":"e1","platform":"sandbox","user":{"id":"u"},"contactInfo":{"id":7},"authHeader":"Bearer x",)"
    R"("callLog":{"sessionId":123456789012,"startTime":"2026-01-01T00:00:00Z"}})";
}

BOOST_AUTO_TEST_CASE(a_valid_event_parses_with_session_id_as_text) {
  auto p = parse_event(kGood);
  BOOST_REQUIRE(p.event);
  BOOST_TEST(p.event->id == "e1");
  BOOST_TEST(p.event->platform == "sandbox");
  BOOST_TEST(p.event->session_id == "123456789012");
  BOOST_TEST(p.event->auth_header() == "Bearer x");
  BOOST_TEST(p.event->raw == kGood);
}

BOOST_AUTO_TEST_CASE(each_bad_field_is_named) {
  struct Case { std::string json, mention; };
  std::vector<Case> cases = {
      {"nope", "not valid JSON"},
      {"42", "not an object"},
      {R"({"platform":"x"})", "id is required"},
      {R"({"id":"a","platform":"x","user":"u"})", "user must be an object"},
      {R"({"id":"a","platform":"x","user":{},"contactInfo":{},"authHeader":"a","callLog":{}})", "callLog.sessionId is required"},
      {R"({"id":"a","platform":"x","user":{},"contactInfo":{},"authHeader":"a","callLog":{"sessionId":"s","duration":1,"legs":{}}})", "legs must be an array"},
      {R"({"id":"a","platform":"x","user":{"timezoneOffset":true},"contactInfo":{},"authHeader":"a","callLog":{"sessionId":"s"}})", "user.timezoneOffset"},
      {"{\"id\":\"a\xc3\x28\"}", "UTF-8"},
  };
  for (auto& c : cases) {
    auto p = parse_event(c.json);
    BOOST_TEST_CONTEXT(c.json) {
      BOOST_REQUIRE(p.error);
      BOOST_TEST(p.error->code == "invalid_event");
      BOOST_TEST(p.error->detail.find(c.mention) != std::string::npos, p.error->detail);
      BOOST_TEST(!p.error->retryable);
    }
  }
}

BOOST_AUTO_TEST_CASE(oversized_elements_are_refused_unparsed) {
  auto p = parse_event(std::string(kMaxEventBytes + 1, ' '));
  BOOST_REQUIRE(p.error);
  BOOST_TEST(p.error->detail.find("larger than") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_strings_are_written_like_json_stringify) {
  BOOST_TEST(json::quoted("a\"b\\c\n\t\x01/é") == "\"a\\\"b\\\\c\\n\\t\\u0001/é\"");
  BOOST_TEST(json::quoted("\xed\xa0\xbd") == "\"\\ud83d\"");  // a lone surrogate (WTF-8)
  BOOST_TEST(json::js_number(0.11666666666666667) == "0.11666666666666667");
  BOOST_TEST(json::js_number(1e21) == "1e+21");
  BOOST_TEST(json::js_number(1.5) == "1.5");
  BOOST_TEST(json::js_number(-0.000001) == "-0.000001");
  BOOST_TEST(json::js_number(1e-7) == "1e-7");
  BOOST_TEST(json::to_valid_utf8("a\xff" "b") == "a\xef\xbf\xbd" "b");
}
