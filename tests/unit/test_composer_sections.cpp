// The composer section by section (APPCONNECT.md §1): texts per format, toggles, durations, dates,
// upserts over the whole body with JavaScript's $-expansion, text pass-through, connector changes.
#define BOOST_TEST_MODULE test_composer_sections
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>

#include "common/composer/composer.hpp"
#include "common/composer/js_semantics.hpp"
#include "common/json.hpp"
#include "tests/support/process.hpp"
#include "worker/compose_command.hpp"

using calllog::LogFormat;

namespace {

// An event with the given extra JSON members; `call_extra` goes into callLog, `settings` into
// user.userSettings and `user_extra` into user.
std::string event_json(const std::string& platform, const std::string& extra, const std::string& call_extra = "",
                       const std::string& settings = "", const std::string& user_extra = "") {
  return R"({"id":"t1","platform":")" + platform + R"(","user":{"id":"u",)" + user_extra + R"("userSettings":{)" + settings +
         R"(}},"contactInfo":{"id":"1","type":"Contact","phoneNumber":"+15550001111","name":"Ann"},"authHeader":"Bearer x",)"
         R"("callLog":{"sessionId":"S1","startTime":"2024-02-29T23:30:00.000Z","direction":"Inbound",)"
         R"("from":{"phoneNumber":"+15550001111","name":"Ann"},"to":{"phoneNumber":"+15559990000","name":"Bob"})" +
         call_extra + "}" + extra + "}";
}

std::string compose(const std::string& json, LogFormat f) {
  rapidjson::Document d;
  BOOST_REQUIRE(calllog::json::parse(d, json).empty());
  return calllog::compose_call_log(d, f);
}

std::string platform_body(const std::string& json) {
  rapidjson::Document d;
  BOOST_REQUIRE(calllog::json::parse(d, json).empty());
  auto out = calllog::compose_for_platform(d);
  BOOST_REQUIRE(out.ok.has_value());
  return out.ok->body;
}

std::string duration_line(const std::string& duration_json) {
  return compose(event_json("sandbox", "", ",\"duration\":" + duration_json, R"("addCallLogDateTime":{"value":false})"),
                 LogFormat::plain);
}

}  // namespace

BOOST_AUTO_TEST_CASE(worked_examples_from_the_spec) {
  const std::string dir = calllog::test::shared_dir() + "/spec/samples/";
  BOOST_TEST(platform_body(calllog::test::read_file(dir + "pipedrive-inbound.json")) ==
             "<b>Agent notes</b><br>Asked about renewal pricing <b>before</b> Q4 — follow up \"Tuesday\".<br><br><b>Call details</b><br><li><b>Caller phone number</b>: +16504445566</li><li><b>Date/time</b>: 2018-09-11 05:24:09 AM</li><li><b>Duration</b>: 7 seconds</li><li><b>Result</b>: Accepted</li><li><b>Call recording link</b>: <a target=\"_blank\" href=\"https://ringcentral.example/recordings/7741\">open</a></li><div><b>AI Note</b><br>Customer wants a renewal quote; prefers annual billing.</div><br><div><b>Transcript</b><br>Jane: Hello, this is Jane.<br>John: Hi Jane, about the renewal...</div><br><div><b>Call journey</b><br>Received call at Jane Smith, +18662019834</div>");
  BOOST_TEST(platform_body(calllog::test::read_file(dir + "clio-outbound.json")) ==
             "- Note: Discussed settlement terms.\n\nNext: send draft by Friday.\n- Summary: Matter 2026-114: settlement call\n- Date/Time: 2026-03-29 06:29:30 AM\n- Duration: 1 hour, 2 minutes, 5 seconds\n- Result: Call connected\n");
  BOOST_TEST(platform_body(calllog::test::read_file(dir + "sandbox-minimal.json")) ==
             "- Note: First call through the pipeline.\n- Date/Time: 2026-11-24 09:30:00 AM\n- Duration: 1 minute, 35 seconds\n- Result: Call connected\n");
}

BOOST_AUTO_TEST_CASE(durations) {
  BOOST_TEST(duration_line("0") == "- Duration: 0 seconds\n");
  BOOST_TEST(duration_line("59") == "- Duration: 59 seconds\n");
  BOOST_TEST(duration_line("60") == "- Duration: 1 minute\n");
  BOOST_TEST(duration_line("61") == "- Duration: 1 minute, 1 second\n");
  BOOST_TEST(duration_line("3599") == "- Duration: 59 minutes, 59 seconds\n");
  BOOST_TEST(duration_line("3600") == "- Duration: 1 hour\n");
  BOOST_TEST(duration_line("86399") == "- Duration: 23 hours, 59 minutes, 59 seconds\n");
  BOOST_TEST(duration_line("90061") == "- Duration: 25 hours, 1 minute, 1 second\n");
  BOOST_TEST(duration_line("7.5") == "- Duration: 7.5 seconds\n");
  BOOST_TEST(duration_line("65.25") == "- Duration: 1 minute, 5.25 seconds\n");
  BOOST_TEST(duration_line("-5") == "- Duration: 0 seconds\n");
  BOOST_TEST(duration_line("null") == "- Duration: 0 seconds\n");
  BOOST_TEST(duration_line("\"65\"") == "- Duration: 1 minute, 5 seconds\n");
  BOOST_TEST(duration_line("\"\"") == "- Duration: 0 seconds\n");
  BOOST_TEST(duration_line("\"pending\"") == "- Duration: pending\n");
  BOOST_TEST(compose(event_json("sandbox", "", "", R"("addCallLogDateTime":{"value":false})"), LogFormat::plain) == "");
}

BOOST_AUTO_TEST_CASE(every_section_in_each_format) {
  const std::string settings =
      R"("addCallSessionId":{"value":true},"addRingCentralUserName":{"value":true},"addRingCentralNumber":{"value":true},"addCallLogContactNumber":{"value":true})";
  const std::string call =
      R"(,"duration":61,"result":"Accepted","customSubject":"Sub","recording":{"link":"https://r/1"},"legs":[{"direction":"Inbound","to":{"phoneNumber":"+1","name":"Q"}},{"direction":"Inbound","duration":5,"to":{"extensionNumber":"102","name":"B"}}])";
  const std::string ev = event_json("sandbox", R"(,"note":"N","aiNote":"A\n\n","transcript":"T1\nT2\n")", call, settings,
                                    R"("timezoneOffset":"+05:30",)");
  BOOST_TEST(compose(ev, LogFormat::plain) ==
             "- Note: N\n- Session Id: S1\n- RingCentral user name: Bob\n- RingCentral number and extension: +15559990000 \n"
             "- Summary: Sub\n- Contact Number: +15550001111\n- Date/Time: 2024-03-01 05:00:00 AM\n- Duration: 1 minute, 1 second\n"
             "- Result: Accepted\n- Call recording link: https://r/1\n\n- AI Note:\nA\n--- END\n\n- Transcript:\nT1\nT2\n\n--- END\n"
             "- Call journey:\nReceived call at Q, +1\nTransferred to B, ext 102, duration: 5 seconds\n--- JOURNEY END\n");
  BOOST_TEST(compose(ev, LogFormat::html) ==
             "<b>Agent notes</b><br>N<br><br><b>Call details</b><br><li><b>Session Id</b>: S1</li><li><b>RingCentral user name</b>: Bob</li>"
             "<li><b>RingCentral number and extension</b>: +15559990000 </li><li><b>Summary</b>: Sub</li><li><b>Caller phone number</b>: +15550001111</li>"
             "<li><b>Date/time</b>: 2024-03-01 05:00:00 AM</li><li><b>Duration</b>: 1 minute, 1 second</li><li><b>Result</b>: Accepted</li>"
             "<li><b>Call recording link</b>: <a target=\"_blank\" href=\"https://r/1\">open</a></li><div><b>AI Note</b><br>A</div><br>"
             "<div><b>Transcript</b><br>T1<br>T2<br></div><br><div><b>Call journey</b><br>Received call at Q, +1<br>Transferred to B, ext 102, duration: 5 seconds</div>");
  BOOST_TEST(compose(ev, LogFormat::markdown) ==
             "## Agent notes\nN\n\n## Call details\n**Session Id**: S1\n**RingCentral user name**: Bob\n**RingCentral number and extension**: +15559990000 \n"
             "**Summary**: Sub\n**Contact Number**: +15550001111\n**Date/Time**: 2024-03-01 05:00:00 AM\n**Duration**: 1 minute, 1 second\n"
             "**Result**: Accepted\n**Call recording link**: https://r/1\n### AI Note\nA\n### Transcript\nT1\nT2\n\n### Call journey\n"
             "Received call at Q, +1\nTransferred to B, ext 102, duration: 5 seconds\n");
}

BOOST_AUTO_TEST_CASE(toggles_on_off_absent_and_js_truthiness) {
  const std::string call = R"(,"duration":5,"result":"R")";
  auto body = [&](const std::string& settings) {
    return compose(event_json("sandbox", R"(,"note":"N")", call, settings), LogFormat::plain);
  };
  const std::string all = "- Note: N\n- Date/Time: 2024-02-29 11:30:00 PM\n- Duration: 5 seconds\n- Result: R\n";
  BOOST_TEST(body("") == all);                                             // absent → defaults
  BOOST_TEST(body(R"("addCallLogNote":{})") == all);                       // {} → default
  BOOST_TEST(body(R"("addCallLogNote":{"value":null})") == all);           // null → default
  BOOST_TEST(body(R"("addCallLogNote":{"value":"false"})") == all);        // "false" is truthy
  BOOST_TEST(body(R"("addCallLogNote":{"value":false})") == all.substr(10));
  BOOST_TEST(body(R"("addCallLogNote":{"value":0})") == all.substr(10));
  BOOST_TEST(body(R"("addCallLogNote":{"value":""})") == all.substr(10));
  BOOST_TEST(body(R"("addCallLogResult":{"value":false},"addCallLogDuration":{"value":0})") ==
             "- Note: N\n- Date/Time: 2024-02-29 11:30:00 PM\n");
  BOOST_TEST(body(R"("addCallSessionId":{"value":"no"})") ==
             "- Note: N\n- Session Id: S1\n- Date/Time: 2024-02-29 11:30:00 PM\n- Duration: 5 seconds\n- Result: R\n");
  BOOST_TEST(body(R"("logDateFormat":{"value":""})") == all);
}

BOOST_AUTO_TEST_CASE(timezone_offsets_as_app_connect_reads_them) {
  auto date = [](const std::string& tz) {
    return compose(event_json("sandbox", "", "", R"("logDateFormat":{"value":"YYYY-MM-DD HH:mm Z z"})",
                              tz.empty() ? "" : "\"timezoneOffset\":" + tz + ","),
                   LogFormat::plain);
  };
  BOOST_TEST(date("") == "- Date/Time: 2024-02-29 23:30 +00:00 \n");
  BOOST_TEST(date("null") == "- Date/Time: 2024-02-29 23:30 +00:00 \n");
  BOOST_TEST(date("\"\"") == "- Date/Time: 2024-02-29 23:30 +00:00 \n");
  BOOST_TEST(date("0") == "- Date/Time: 2024-02-29 23:30 +00:00 UTC\n");  // a number counts as "0"
  BOOST_TEST(date("\"+00:00\"") == "- Date/Time: 2024-02-29 23:30 +00:00 UTC\n");
  BOOST_TEST(date("\"-00:30\"") == "- Date/Time: 2024-02-29 23:00 -00:30 UTC\n");
  BOOST_TEST(date("\"+05:45\"") == "- Date/Time: 2024-03-01 05:15 +05:45 UTC\n");
  BOOST_TEST(date("\"+14:00\"") == "- Date/Time: 2024-03-01 13:30 +14:00 UTC\n");
  BOOST_TEST(date("330") == "- Date/Time: 2024-03-01 05:00 +05:30 UTC\n");
  BOOST_TEST(date("\"5.5\"") == "- Date/Time: 2024-03-01 05:00 +05:30 UTC\n");
  BOOST_TEST(date("-8") == "- Date/Time: 2024-02-29 15:30 -08:00 UTC\n");
  BOOST_TEST(date("\"+0530\"") == "- Date/Time: 2024-03-01 08:20 +08:50 UTC\n");
  BOOST_TEST(date("\"+5:30\"") == "- Date/Time: 2024-02-29 23:30 +00:00 \n");
  BOOST_TEST(date("\"abc\"") == "- Date/Time: 2024-02-29 23:30 +00:00 UTC\n");
}

BOOST_AUTO_TEST_CASE(text_passes_through_unescaped) {
  const std::string note = R"(a <b> & \"q\" 'x' 😀 中文 עברית\n**md** _x_ # h)";
  const std::string expect_note = "a <b> & \"q\" 'x' 😀 中文 עברית\n**md** _x_ # h";
  const std::string ev = event_json("sandbox", ",\"note\":\"" + note + "\"", "", R"("addCallLogDateTime":{"value":false})");
  BOOST_TEST(compose(ev, LogFormat::plain) == "- Note: " + expect_note + "\n");
  BOOST_TEST(compose(ev, LogFormat::html) == "<b>Agent notes</b><br>" + expect_note + "<br><br><b>Call details</b><br>");
  const std::string ai = event_json("sandbox", R"(,"aiNote":"x\r\ny\rz\n")", "", R"("addCallLogDateTime":{"value":false})");
  BOOST_TEST(compose(ai, LogFormat::html) == "<div><b>AI Note</b><br>x<br>y<br>z</div><br>");
}

BOOST_AUTO_TEST_CASE(upserts_over_the_whole_body) {
  const std::string off = R"("addCallLogDateTime":{"value":false})";
  // Plain: a note that looks like a Duration line receives the value (spec §1.4, executed).
  BOOST_TEST(compose(event_json("sandbox", R"(,"note":"- Duration: long\nok")", ",\"duration\":61", off), LogFormat::plain) ==
             "- Note: - Duration: 1 minute, 1 second\nok\n");
  // HTML, case-insensitive label.
  BOOST_TEST(compose(event_json("sandbox", R"(,"note":"<B>result</B>: mine")", ",\"result\":\"Call connected\"", off), LogFormat::html) ==
             "<b>Agent notes</b><br><li><b>Result</b>: Call connected</li><br><br><b>Call details</b><br>");
  // Markdown: "### AI Note" in the note swallows what follows.
  BOOST_TEST(compose(event_json("sandbox", R"(,"note":"### AI Note\nfoo","aiNote":"AI")", ",\"result\":\"R\"", off), LogFormat::markdown) ==
             "## Agent notes\n### AI Note\nAI\n\n");  // the lookahead leaves the body's last \n
  // $-patterns in replacement text: $& (match), $` (before), $' (after), $$ and $1.
  BOOST_TEST(compose(event_json("sandbox", R"(,"note":"- Summary: old")", R"(,"customSubject":"[$&|$$|$1|$']")", off), LogFormat::plain) ==
             "- Note: - Summary: [- Summary: old\n|$|$1|]\n");
  // A line starting "- Date/Time:" after U+2028 is a line start in multiline mode.
  BOOST_TEST(compose(event_json("sandbox", "," "\"note\":\"x\\u2028- Date/Time: fake\""), LogFormat::plain) ==
             "- Note: x\u2028- Date/Time: 2024-02-29 11:30:00 PM\n");
  // Recording goes before the first </ul> in HTML.
  BOOST_TEST(compose(event_json("sandbox", R"(,"note":"<ul></ul>")", R"(,"recording":{"link":"pending"})", off), LogFormat::html) ==
             "<b>Agent notes</b><br><ul><li><b>Call recording link</b>: (pending...)</li></ul><br><br><b>Call details</b><br>");
}

BOOST_AUTO_TEST_CASE(connector_changes) {
  const std::string all_off = R"("addCallLogNote":{"value":false},"addCallLogDateTime":{"value":false},"addCallLogResult":{"value":false})";
  BOOST_TEST(platform_body(event_json("clio", "", "", all_off)) == "No details available");
  BOOST_TEST(platform_body(event_json("sandbox", "", "", all_off)) == "");
  BOOST_TEST(platform_body(event_json("redtail", "", "", R"("redtailCustomTimezone":{"value":"5.75"})")) ==
             "<li><b>Date/time</b>: 2024-03-01 05:15:00 AM</li>");
  BOOST_TEST(platform_body(event_json("redtail", "", "", R"("redtailCustomTimezone":{"value":0})", R"("timezoneOffset":"+01:00",)")) ==
             "<li><b>Date/time</b>: 2024-03-01 12:30:00 AM</li>");  // numeric 0 is falsy: untouched
  BOOST_TEST(platform_body(event_json("netsuite", "", "", "", R"("platformAdditionalInfo":{"userTimezone":"America/New_York"},)")) ==
             "- Date/Time: 2024-02-29 06:30:00 PM\n");
  BOOST_TEST(platform_body(event_json("netsuite", "", "", "")) == "- Date/Time: 2024-02-29 11:30:00 PM\n");
}

BOOST_AUTO_TEST_CASE(netsuite_truncates_in_utf16_units) {
  std::string transcript;
  for (int k = 0; k < 1800; ++k) transcript += "😀";
  const std::string body = platform_body(event_json("netsuite", ",\"transcript\":\"" + transcript + "\"", "", R"("addCallLogDateTime":{"value":false})"));
  BOOST_TEST(calllog::js::utf16_length(body) == 3402u);
  BOOST_TEST(body.find("\xED\xA0\xBD\n\nTranscript too large") != std::string::npos);  // lone high surrogate kept
}

BOOST_AUTO_TEST_CASE(compose_lines_and_invalid_events) {
  const std::string ok = calllog::compose_line(event_json("sandbox", R"(,"note":"hi")"));
  BOOST_TEST(ok == R"({"id":"t1","platform":"sandbox","format":"text/plain","body":"- Note: hi\n- Date/Time: 2024-02-29 11:30:00 PM\n"})");
  std::string bad = event_json("sandbox", ",\"note\":\"bad \xC3\x28 utf8\"");
  const std::string err = calllog::compose_line(bad);
  BOOST_TEST(err.find("\"invalid_event\"") != std::string::npos);
  BOOST_TEST(calllog::compose_line(event_json("nowhere", "")).find("\"unknown_platform\"") != std::string::npos);
  const std::string legs = event_json("sandbox", "", R"(,"legs":[{"direction":"Inbound"}])");
  BOOST_TEST(calllog::compose_line(legs).find("\"invalid_event\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(js_helpers) {
  using namespace calllog::js;
  BOOST_TEST(string_to_number(" 12.75 ") == 12.75);
  BOOST_TEST(string_to_number("0x1A") == 26);
  BOOST_TEST(std::isnan(string_to_number("GMT+2")));
  BOOST_TEST(string_to_number("") == 0);
  BOOST_TEST(utf16_length("a😀é") == 4u);
  BOOST_TEST(utf16_prefix("a😀b", 2) == "a\xED\xA0\xBD");
  BOOST_TEST(utf16_prefix("abc", -3) == "");
  BOOST_TEST(trim("\xC2\xA0 x \n") == "x");
}
