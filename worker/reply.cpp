#include "worker/reply.hpp"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "common/json.hpp"

namespace calllog {
namespace {

const char* status_name(ReplyStatus s) {
  switch (s) {
    case ReplyStatus::logged: return "logged";
    case ReplyStatus::duplicate: return "duplicate";
    case ReplyStatus::failed: return "failed";
  }
  return "failed";
}

void key(std::string& out, std::string_view k) {
  if (out.size() > 1) out.push_back(',');
  json::append_quoted(out, k);
  out.push_back(':');
}

void string_or_null(std::string& out, const std::optional<std::string>& v) {
  if (v) json::append_quoted(out, *v);
  else out += "null";
}

}  // namespace

std::string failure_json(const Failure& f) {
  std::string out = "{";
  key(out, "code");
  json::append_quoted(out, f.code);
  key(out, "httpStatus");
  out += f.http_status ? std::to_string(*f.http_status) : "null";
  key(out, "retryable");
  out += f.retryable ? "true" : "false";
  key(out, "detail");
  json::append_quoted(out, f.detail);
  out.push_back('}');
  return out;
}

std::string simple_return_message(std::string_view message, std::string_view type, int ttl) {
  std::string out = "{";
  key(out, "message");
  json::append_quoted(out, message);
  key(out, "messageType");
  json::append_quoted(out, type);
  key(out, "ttl");
  out += std::to_string(ttl);
  out.push_back('}');
  return out;
}

std::string reply_json(const ReplyFields& r) {
  std::string out = "{";
  key(out, "id");
  string_or_null(out, r.id);
  key(out, "platform");
  string_or_null(out, r.platform);
  key(out, "sessionId");
  string_or_null(out, r.session_id);
  key(out, "status");
  json::append_quoted(out, status_name(r.status));
  key(out, "successful");
  out += r.status == ReplyStatus::logged ? "true" : "false";
  key(out, "logId");
  string_or_null(out, r.log_id);
  if (!r.return_message_json.empty()) {
    key(out, "returnMessage");
    out += r.return_message_json;
  }
  if (!r.extra_data_tracking_json.empty()) {
    key(out, "extraDataTracking");
    out += r.extra_data_tracking_json;
  }
  if (r.error) {
    key(out, "error");
    out += failure_json(*r.error);
  }
  key(out, "attempts");
  out += std::to_string(r.attempts);
  out.push_back('}');
  return out;
}

std::string iso_now() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

std::string dead_letter_json(const std::string& event_json, const std::string& raw,
                             const Failure& error, int attempts, const std::string& worker_id) {
  std::string out = "{";
  key(out, "event");
  if (!event_json.empty()) {
    out += event_json;
  } else {
    out += "null";
  }
  key(out, "raw");
  if (event_json.empty()) json::append_quoted(out, json::to_valid_utf8(raw));
  else out += "null";
  key(out, "error");
  out += failure_json(error);
  key(out, "attempts");
  out += std::to_string(attempts);
  key(out, "failedAt");
  json::append_quoted(out, iso_now());
  key(out, "worker");
  json::append_quoted(out, worker_id);
  out.push_back('}');
  return out;
}

}  // namespace calllog
