#include "tests/support/e2e_helpers.hpp"

#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK  // as the test programs that call these are built
#endif
#include <boost/test/unit_test.hpp>

#include "common/json.hpp"
#include "tests/support/golden_requests.hpp"

namespace calllog::test {

rapidjson::Document parse(const std::string& s) {
  rapidjson::Document d;
  BOOST_REQUIRE_MESSAGE(json::parse(d, s).empty(), "not JSON: " << s.substr(0, 300));
  return d;
}

std::string str(const rapidjson::Value& v, std::string_view key) { return json::js_string(json::find(v, key)); }

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size())
    s.replace(at, from.size(), to);
  return s;
}

std::size_t count(const std::vector<RecordedRequest>& reqs, const std::string& method, const std::string& suffix) {
  std::size_t n = 0;
  for (auto& r : reqs)
    n += r.method == method && r.target.size() >= suffix.size() &&
         r.target.compare(r.target.size() - suffix.size(), suffix.size(), suffix) == 0;
  return n;
}

GoldenEvent::GoldenEvent(const std::string& platform, uint16_t port, const std::string& session) {
  auto cases = load_golden(shared_dir() + "/spec/golden/requests-public.jsonl", platform, port);
  BOOST_REQUIRE(!cases.empty());
  doc = parse(cases[0].event_json);
  set({"callLog", "sessionId"}, session);
  set({"id"}, "ev-" + session);
}

rapidjson::Value& GoldenEvent::at(std::initializer_list<const char*> path) {
  rapidjson::Value* v = &doc;
  for (const char* k : path) {
    if (!v->HasMember(k))
      v->AddMember(rapidjson::Value(k, doc.GetAllocator()), rapidjson::Value(rapidjson::kObjectType), doc.GetAllocator());
    v = &(*v)[k];
  }
  return *v;
}

GoldenEvent& GoldenEvent::set(std::initializer_list<const char*> path, const std::string& s) {
  at(path).SetString(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), doc.GetAllocator());
  return *this;
}

GoldenEvent& GoldenEvent::set_bool(std::initializer_list<const char*> path, bool b) {
  at(path).SetBool(b);
  return *this;
}

GoldenEvent& GoldenEvent::set_int(std::initializer_list<const char*> path, int n) {
  at(path).SetInt(n);
  return *this;
}

std::string GoldenEvent::json() const { return json::to_string(doc); }

}  // namespace calllog::test
