#pragma once
// The one log-body composer: App Connect's composeCallLog (APPCONNECT.md §1) followed by the
// connector's own changes to the body (Clio's empty-body text, Redtail's and NetSuite's date-line
// rewrites, NetSuite's transcript truncation — APPCONNECT.md §3). `compose` prints what
// compose_for_platform returns, and every adapter sends exactly that body.
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "common/failure.hpp"

namespace calllog {

enum class LogFormat { plain, html, markdown };

// "text/plain", "text/html", "text/markdown"
std::string_view format_name(LogFormat f);

// The platform → log format mapping (golden/README.md); nullopt for an unknown platform.
std::optional<LogFormat> log_format_for(std::string_view platform);

// App Connect's composedLogDetails for an event (the whole event object, CONTRACT §3),
// before any connector change.
std::string compose_call_log(const rapidjson::Value& event, LogFormat format);

// compose_call_log that also reports where App Connect's composer throws a TypeError (a call
// journey leg without `from`/`to`, `legs` not an array): false, with `error` describing it.
bool try_compose_call_log(const rapidjson::Value& event, LogFormat format, std::string& body, std::string& error);

struct ComposedBody {
  LogFormat format;
  std::string body;
};

// The body the platform's adapter sends. `netsuite_timezone` is the IANA zone NetSuite's restlet
// answered (the adapter passes it); when absent, user.platformAdditionalInfo.userTimezone, else UTC.
// Fails with invalid_event (e.g. invalid UTF-8) or unknown_platform.
struct ComposeOutcome {
  std::optional<ComposedBody> ok;
  std::optional<Failure> error;
};
ComposeOutcome compose_for_platform(const rapidjson::Value& event,
                                    std::optional<std::string_view> netsuite_timezone = std::nullopt);

}  // namespace calllog
