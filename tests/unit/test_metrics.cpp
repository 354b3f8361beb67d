// Metrics: every family the contract names is exposed with the right type and labels, the
// per-event methods move exactly their series, and the text parses as Prometheus exposition 0.0.4.
#define BOOST_TEST_MODULE metrics
#include <boost/test/unit_test.hpp>

#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "common/metrics.hpp"

using calllog::Metrics;

namespace {

// A minimal exposition parser: "# TYPE name type" lines and "name{labels} value" samples.
struct Exposition {
  std::map<std::string, std::string> types;      // family → counter|gauge|histogram
  std::map<std::string, double> samples;          // "name{labels}" exactly as written → value
  std::string error;                              // first malformed line, if any
};

Exposition parse(const std::string& text) {
  static const std::regex type_line(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  static const std::regex help_line(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$)");
  static const std::regex sample_line(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})?) (\S+)$)");
  Exposition e;
  std::istringstream in(text);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (std::regex_match(line, m, type_line)) {
      e.types[m[1]] = m[2];
    } else if (std::regex_match(line, m, help_line)) {
    } else if (std::regex_match(line, m, sample_line)) {
      e.samples[m[1]] = std::stod(m[5]);
    } else if (e.error.empty()) {
      e.error = line;
    }
  }
  return e;
}

double sample(const Exposition& e, const std::string& key) {
  auto it = e.samples.find(key);
  BOOST_TEST_INFO("sample " << key);
  BOOST_TEST_REQUIRE((it != e.samples.end()));
  return it->second;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_contract_family_is_exposed_with_its_type) {
  Metrics m("9.9.9");
  // Series with labels appear once a child exists; create one of each.
  m.dead_letter("http_401");
  m.crm_request("pipedrive", 201, 0.1);
  m.ratelimit_wait("pipedrive");
  auto e = parse(m.render());
  BOOST_TEST(e.error.empty(), "malformed line: " << e.error);
  const std::map<std::string, std::string> want = {
      {"calllog_events_taken_total", "counter"},
      {"calllog_replies_total", "counter"},
      {"calllog_attempts_total", "counter"},
      {"calllog_retries_scheduled_total", "counter"},
      {"calllog_dead_letters_total", "counter"},
      {"calllog_in_flight", "gauge"},
      {"calllog_crm_requests_total", "counter"},
      {"calllog_crm_request_duration_seconds", "histogram"},
      {"calllog_event_duration_seconds", "histogram"},
      {"calllog_ratelimit_waits_total", "counter"},
      {"calllog_ratelimit_429_total", "counter"},
      {"calllog_redis_reconnects_total", "counter"},
      {"calllog_build_info", "gauge"},
  };
  for (auto& [name, type] : want) {
    BOOST_TEST_INFO("family " << name);
    BOOST_TEST(e.types[name] == type);
  }
  BOOST_TEST(sample(e, "calllog_build_info{version=\"9.9.9\"}") == 1.0);
  // The three reply statuses exist from the start, at zero, so rate() works from the first scrape.
  BOOST_TEST(sample(e, "calllog_replies_total{status=\"logged\"}") == 0.0);
  BOOST_TEST(sample(e, "calllog_replies_total{status=\"duplicate\"}") == 0.0);
  BOOST_TEST(sample(e, "calllog_replies_total{status=\"failed\"}") == 0.0);
}

BOOST_AUTO_TEST_CASE(per_event_methods_move_exactly_their_series) {
  Metrics m;
  for (int i = 0; i < 5; ++i) m.event_taken();
  m.reply("logged");
  m.reply("logged");
  m.reply("duplicate");
  m.reply("failed");
  m.reply("failed");
  for (int i = 0; i < 7; ++i) m.attempt();
  m.retry_scheduled();
  m.retry_scheduled();
  m.dead_letter("http_401");
  m.dead_letter("http_401");
  m.dead_letter("max_attempts");
  m.in_flight_add(1);
  m.in_flight_add(1);
  m.in_flight_add(-1);
  m.redis_reconnect();
  auto e = parse(m.render());
  BOOST_TEST(e.error.empty(), "malformed line: " << e.error);
  BOOST_TEST(sample(e, "calllog_events_taken_total") == 5.0);
  BOOST_TEST(sample(e, "calllog_replies_total{status=\"logged\"}") == 2.0);
  BOOST_TEST(sample(e, "calllog_replies_total{status=\"duplicate\"}") == 1.0);
  BOOST_TEST(sample(e, "calllog_replies_total{status=\"failed\"}") == 2.0);
  BOOST_TEST(sample(e, "calllog_attempts_total") == 7.0);
  BOOST_TEST(sample(e, "calllog_retries_scheduled_total") == 2.0);
  BOOST_TEST(sample(e, "calllog_dead_letters_total{code=\"http_401\"}") == 2.0);
  BOOST_TEST(sample(e, "calllog_dead_letters_total{code=\"max_attempts\"}") == 1.0);
  BOOST_TEST(sample(e, "calllog_in_flight") == 1.0);
  BOOST_TEST(sample(e, "calllog_redis_reconnects_total") == 1.0);
}

BOOST_AUTO_TEST_CASE(crm_requests_by_platform_and_status_with_latency_histogram) {
  Metrics m;
  m.crm_request("pipedrive", 201, 0.004);   // below the first bucket (5 ms)
  m.crm_request("pipedrive", 201, 0.3);
  m.crm_request("pipedrive", 429, 0.02);
  m.crm_request("pipedrive", 0, 31.0);      // no HTTP answer; above the last bucket (30 s)
  auto& clio = m.platform("clio");
  clio.crm_request(500, 1.5);
  clio.ratelimit_wait();
  m.ratelimit_wait("clio");
  BOOST_TEST(&m.platform("clio") == &clio);   // cached: the same series object each time
  auto e = parse(m.render());
  BOOST_TEST(e.error.empty(), "malformed line: " << e.error);
  BOOST_TEST(sample(e, "calllog_crm_requests_total{platform=\"pipedrive\",status=\"201\"}") == 2.0);
  BOOST_TEST(sample(e, "calllog_crm_requests_total{platform=\"pipedrive\",status=\"429\"}") == 1.0);
  BOOST_TEST(sample(e, "calllog_crm_requests_total{platform=\"pipedrive\",status=\"error\"}") == 1.0);
  BOOST_TEST(sample(e, "calllog_crm_requests_total{platform=\"clio\",status=\"500\"}") == 1.0);
  BOOST_TEST(sample(e, "calllog_ratelimit_429_total{platform=\"pipedrive\"}") == 1.0);
  BOOST_TEST(sample(e, "calllog_ratelimit_429_total{platform=\"clio\"}") == 0.0);
  BOOST_TEST(sample(e, "calllog_ratelimit_waits_total{platform=\"clio\"}") == 2.0);
  const std::string h = "calllog_crm_request_duration_seconds";
  BOOST_TEST(sample(e, h + "_count{platform=\"pipedrive\"}") == 4.0);
  BOOST_TEST(sample(e, h + "_sum{platform=\"pipedrive\"}") == 0.004 + 0.3 + 0.02 + 31.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(sample(e, h + "_bucket{platform=\"pipedrive\",le=\"0.005\"}") == 1.0);
  BOOST_TEST(sample(e, h + "_bucket{platform=\"pipedrive\",le=\"0.025\"}") == 2.0);
  BOOST_TEST(sample(e, h + "_bucket{platform=\"pipedrive\",le=\"0.5\"}") == 3.0);
  BOOST_TEST(sample(e, h + "_bucket{platform=\"pipedrive\",le=\"30\"}") == 3.0);
  BOOST_TEST(sample(e, h + "_bucket{platform=\"pipedrive\",le=\"+Inf\"}") == 4.0);
  BOOST_TEST(sample(e, h + "_count{platform=\"clio\"}") == 1.0);
}

BOOST_AUTO_TEST_CASE(event_duration_histogram) {
  Metrics m;
  m.event_duration(0.2);
  m.event_duration(45.0);
  auto e = parse(m.render());
  BOOST_TEST(sample(e, "calllog_event_duration_seconds_count") == 2.0);
  BOOST_TEST(sample(e, "calllog_event_duration_seconds_bucket{le=\"0.25\"}") == 1.0);
  BOOST_TEST(sample(e, "calllog_event_duration_seconds_bucket{le=\"60\"}") == 2.0);
}

BOOST_AUTO_TEST_CASE(scrape_time_sources) {
  Metrics m;
  double in_flight = 3;
  std::uint64_t reconnects = 0;
  m.set_in_flight_source([&] { return in_flight; });
  m.set_redis_reconnects_source([&] { return reconnects; });
  m.redis_reconnect();   // direct increments add to the source's total
  BOOST_TEST(sample(parse(m.render()), "calllog_in_flight") == 3.0);
  in_flight = 17;
  reconnects = 2;
  auto e = parse(m.render());
  BOOST_TEST(sample(e, "calllog_in_flight") == 17.0);
  BOOST_TEST(sample(e, "calllog_redis_reconnects_total") == 3.0);
  reconnects = 5;
  m.render();
  BOOST_TEST(sample(parse(m.render()), "calllog_redis_reconnects_total") == 6.0);   // no double counting
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped) {
  Metrics m;
  m.dead_letter("weird \"code\"\\x\nline");
  auto e = parse(m.render());
  BOOST_TEST(e.error.empty(), "malformed line: " << e.error);
  BOOST_TEST(sample(e, "calllog_dead_letters_total{code=\"weird \\\"code\\\"\\\\x\\nline\"}") == 1.0);
}
