#pragma once
// App Connect's returnMessage objects (APPCONNECT.md §2.4, §2.5), serialized with App Connect's
// key order, and the extraDataTracking its error handler attaches.
#include <optional>
#include <string>
#include <string_view>

namespace calllog::appconnect {

// {"message":"Call logged","messageType":"success","ttl":2000}
std::string call_logged_message();

// {"message":…,"messageType":…,"ttl":…} (no details), e.g. Pipedrive's missing activity type.
std::string simple_message(std::string_view message, std::string_view message_type, int ttl);

// The three outcomes of handleApiError(e, platform, 'createCallLog'): 429 → rate limit,
// 400–409 → authorization, anything else (other statuses, no response at all) → other.
enum class ApiErrorKind { rate_limit, authorization, other };
ApiErrorKind api_error_kind(std::optional<int> http_status);

// handleApiError's returnMessage for `platform` (App Connect's platform name, e.g. "pipedrive").
std::string api_error_message(std::string_view platform, std::optional<int> http_status);

// handleApiError's extraDataTracking: {"statusCode":401} or {"statusCode":"unknown"}.
std::string api_error_tracking(std::optional<int> http_status);

}  // namespace calllog::appconnect
