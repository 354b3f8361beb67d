#pragma once
// Small helpers the end-to-end tests share: JSON in and out, text edits, request counts and a
// golden corpus event to edit. parse() and GoldenEvent fail the running Boost.Test case (REQUIRE)
// on bad input.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "tests/support/recorded_request.hpp"

namespace calllog::test {

// JSON text as a document; a REQUIRE failure when it is not JSON.
rapidjson::Document parse(const std::string& s);

// String(v[key]) as JavaScript prints it.
std::string str(const rapidjson::Value& v, std::string_view key);

// Every occurrence of `from` in `s` replaced by `to`, left to right.
std::string replace_all(std::string s, const std::string& from, const std::string& to);

// How many of `reqs` have `method` and a target ending with `suffix`.
std::size_t count(const std::vector<RecordedRequest>& reqs, const std::string& method, const std::string& suffix);

// The first golden corpus event of `platform` on `port`, with callLog.sessionId = session and
// id = "ev-" + session, edited in its parsed form.
struct GoldenEvent {
  rapidjson::Document doc;
  GoldenEvent(const std::string& platform, uint16_t port, const std::string& session);
  // The value at a path of object keys, creating empty objects for missing ones.
  rapidjson::Value& at(std::initializer_list<const char*> path);
  GoldenEvent& set(std::initializer_list<const char*> path, const std::string& s);
  GoldenEvent& set_bool(std::initializer_list<const char*> path, bool b);
  GoldenEvent& set_int(std::initializer_list<const char*> path, int n);
  std::string json() const;
};

}  // namespace calllog::test
