#pragma once
// Shared by the 5xx-storm test and the chaos benchmark: Pipedrive events keyed by a unique
// person id, and tallies of what the chaos mock recorded (per person: lookups, writes answered
// 200, writes whose connection was reset after the mock handled them) and of the replies and
// dead letters in Redis.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "common/json.hpp"
#include "tests/support/process.hpp"

namespace calllog::test::chaos {

// Event i: id "evt-chaos-<i>", session "chaos-sess-<i>", contact (Pipedrive person) person_id(i).
inline long person_id(int i) { return 100000 + i; }

// Pipedrive companies ("chaos-00.pipedrive.com", …). The worker keeps to each company's own
// rate (Pipedrive: 80 requests per 2 s), so one company caps the whole run at 40 requests/s;
// events are spread over several companies, as a worker serving many accounts sees them.
inline std::vector<std::string> company_hosts(int companies) {
  std::vector<std::string> out;
  for (int c = 0; c < companies; ++c) out.push_back(fmt::format("chaos-{:02}.pipedrive.com", c));
  return out;
}

// Event i of company host `host` (the mock on `port`).
inline std::string pipedrive_event(const std::string& host, uint16_t port, int i) {
  return fmt::format(
      R"({{"id":"evt-chaos-{0}","platform":"pipedrive","user":{{"id":"13401234-pipedrive","hostname":"{4}:{1}","timezoneOffset":"-08:00"}},)"
      R"("contactInfo":{{"id":"{2}","type":"Contact","phoneNumber":"+16504445566","name":"John Smith"}},"authHeader":"Bearer pd-chaos",)"
      R"("callLog":{{"sessionId":"chaos-sess-{0}","startTime":"2026-09-11T13:24:09.000Z","duration":{3},"direction":"Inbound","result":"Accepted",)"
      R"("from":{{"phoneNumber":"+16504445566"}},"to":{{"phoneNumber":"+18662019834"}}}},"note":"chaos call {0}"}})",
      i, port, person_id(i), 30 + i % 3000, host);
}

inline std::string event_id(int i) { return "evt-chaos-" + std::to_string(i); }

// What the mock recorded about one person (= one event's session).
struct PersonCrm {
  int gets = 0;          // GET /api/v2/persons/<id>, chaos or not
  int ok_writes = 0;     // POST /api/v2/activities handled and answered (no chaos)
  int reset_writes = 0;  // POST handled, then the connection reset: a write the worker never saw
  int failed_writes = 0; // POST answered 5xx by chaos: no write
  int writes() const { return ok_writes + reset_writes; }
};

struct CrmTally {
  long requests = 0, chaos_5xx = 0, resets = 0;
  std::map<long, PersonCrm> by_person;
};

inline long person_of_write(const rapidjson::Value& body) {
  const auto* parts = json::find(body, "participants");
  if (!parts || !parts->IsArray() || parts->Empty()) return -1;
  const auto* id = json::find((*parts)[0], "person_id");
  return id && id->IsInt64() ? id->GetInt64() : -1;
}

inline CrmTally tally_record(const std::string& record_file) {
  CrmTally t;
  const std::string text = read_file(record_file);
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string::npos) break;  // a line being written
    rapidjson::Document d;
    const std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!json::parse(d, line).empty() || !d.IsObject()) continue;
    ++t.requests;
    const std::string method = d["method"].GetString(), target = d["target"].GetString();
    const std::string chaos = d.HasMember("chaos") ? d["chaos"].GetString() : "";
    if (chaos == "reset") ++t.resets;
    else if (!chaos.empty()) ++t.chaos_5xx;
    static const std::string kPerson = "/api/v2/persons/";
    if (method == "GET" && target.rfind(kPerson, 0) == 0) {
      t.by_person[std::stol(target.substr(kPerson.size()))].gets++;
    } else if (method == "POST" && target == "/api/v2/activities") {
      auto& p = t.by_person[person_of_write(d["body"])];
      if (chaos.empty()) ++p.ok_writes;
      else if (chaos == "reset") ++p.reset_writes;
      else ++p.failed_writes;
    }
  }
  return t;
}

// One reply as the tests read it.
struct Reply {
  std::string status, error_code;
  int attempts = 0;
  bool retryable = false;
};

struct ReplyTally {
  std::map<std::string, int> count;      // replies per event id
  std::map<std::string, Reply> last;     // the last reply per event id
  long unparsable = 0;
};

inline ReplyTally tally_replies(const std::vector<std::string>& replies) {
  ReplyTally t;
  for (const auto& text : replies) {
    rapidjson::Document d;
    if (!json::parse(d, text).empty() || !d.IsObject() || !d.HasMember("id") || !d["id"].IsString()) {
      ++t.unparsable;
      continue;
    }
    const std::string id = d["id"].GetString();
    t.count[id]++;
    Reply r;
    r.status = d.HasMember("status") && d["status"].IsString() ? d["status"].GetString() : "";
    r.attempts = d.HasMember("attempts") && d["attempts"].IsInt() ? d["attempts"].GetInt() : 0;
    if (const auto* e = json::find(d, "error"); e && e->IsObject()) {
      const auto* code = json::find(*e, "code");
      const auto* retry = json::find(*e, "retryable");
      r.error_code = code && code->IsString() ? code->GetString() : "";
      r.retryable = retry && retry->IsBool() && retry->GetBool();
    }
    t.last[id] = r;
  }
  return t;
}

// Dead letters: event id → attempts recorded in the dead letter.
inline std::map<std::string, int> tally_dead(const std::vector<std::string>& dead) {
  std::map<std::string, int> out;
  for (const auto& text : dead) {
    rapidjson::Document d;
    if (!json::parse(d, text).empty() || !d.IsObject()) continue;
    const auto* ev = json::find(d, "event");
    const auto* id = ev ? json::find(*ev, "id") : nullptr;
    const auto* attempts = json::find(d, "attempts");
    out[id && id->IsString() ? id->GetString() : "?"] = attempts && attempts->IsInt() ? attempts->GetInt() : -1;
  }
  return out;
}

}  // namespace calllog::test::chaos
