#pragma once
// The reply (CONTRACT §4) and dead-letter (CONTRACT §5) JSON documents.
#include <optional>
#include <string>

#include "common/failure.hpp"

namespace calllog {

enum class ReplyStatus { logged, duplicate, failed };

struct ReplyFields {
  std::optional<std::string> id;
  std::optional<std::string> platform;
  std::optional<std::string> session_id;
  ReplyStatus status = ReplyStatus::failed;
  std::optional<std::string> log_id;
  std::string return_message_json;        // a JSON object, or empty to leave the key out
  std::string extra_data_tracking_json;   // a JSON object, or empty to leave the key out
  std::optional<Failure> error;
  int attempts = 1;
};

std::string reply_json(const ReplyFields& r);

// `event_json`: the original element when it parsed as a JSON object (embedded verbatim),
// otherwise empty and `raw` carries the element as a string.
std::string dead_letter_json(const std::string& event_json, const std::string& raw,
                             const Failure& error, int attempts, const std::string& worker_id);

std::string failure_json(const Failure& f);
// {"message": m, "messageType": t, "ttl": ttl}
std::string simple_return_message(std::string_view message, std::string_view type, int ttl);

// Now as an ISO 8601 UTC string with milliseconds: 2026-11-24T10:00:00.000Z
std::string iso_now();

}  // namespace calllog
