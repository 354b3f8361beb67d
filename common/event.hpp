#pragma once
// A call event (CONTRACT §3): parsed once from the queue element, validated, and read by the
// composer and the adapters. The original text is kept for dead letters and requeues.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "common/failure.hpp"

namespace calllog {

struct Event {
  std::string raw;               // the element exactly as taken from the queue
  rapidjson::Document doc;       // the parsed object
  std::string id;
  std::string platform;
  std::string session_id;        // callLog.sessionId (a string or number in the JSON, as text)

  const rapidjson::Value& user() const { return doc["user"]; }
  const rapidjson::Value& contact_info() const { return doc["contactInfo"]; }
  const rapidjson::Value& call_log() const { return doc["callLog"]; }
  std::string_view auth_header() const;
};

struct ParsedEvent {
  std::unique_ptr<Event> event;        // set when the element parsed and validated
  std::optional<Failure> error;        // set otherwise (code invalid_event / unknown_platform ...)
  bool parsed_json_object = false;     // the element was a JSON object (dead letter keeps "event")
  std::optional<std::string> id;       // the id, when one could be read even from a bad event
  std::optional<std::string> platform; // likewise
  std::optional<std::string> session_id;
};

// Largest element accepted (bytes); larger ones fail as invalid_event without being parsed.
inline constexpr std::size_t kMaxEventBytes = 4 * 1024 * 1024;

// Parses and validates one element: UTF-8, JSON object, required fields and their types.
// Does not check that the platform has an adapter (the registry does).
ParsedEvent parse_event(std::string raw);

}  // namespace calllog
