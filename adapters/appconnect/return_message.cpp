#include "adapters/appconnect/return_message.hpp"

#include "adapters/appconnect/json_object.hpp"

namespace calllog::appconnect {
namespace {

// details: [{ title: 'Details', items: [{ id, type: 'text', text }] }]
std::string details_json(std::string_view text, bool id_is_string) {
  JsonObject item;
  if (id_is_string) item.string("id", "1");
  else item.integer("id", 1);
  item.string("type", "text").string("text", text);
  JsonObject detail;
  detail.string("title", "Details").raw("items", "[" + item.str() + "]");
  return "[" + detail.str() + "]";
}

std::string warning_with_details(std::string_view message, std::string_view text,
                                 bool id_is_string) {
  return JsonObject{}
      .string("message", message)
      .string("messageType", "warning")
      .raw("details", details_json(text, id_is_string))
      .integer("ttl", 5000)
      .str();
}

}  // namespace

std::string call_logged_message() { return simple_message("Call logged", "success", 2000); }

std::string simple_message(std::string_view message, std::string_view message_type, int ttl) {
  return JsonObject{}
      .string("message", message)
      .string("messageType", message_type)
      .integer("ttl", ttl)
      .str();
}

ApiErrorKind api_error_kind(std::optional<int> status) {
  if (status == 429) return ApiErrorKind::rate_limit;
  if (status && *status >= 400 && *status <= 409) return ApiErrorKind::authorization;
  return ApiErrorKind::other;
}

std::string api_error_message(std::string_view platform, std::optional<int> status) {
  const std::string p(platform);
  switch (api_error_kind(status)) {
    case ApiErrorKind::rate_limit:
      return warning_with_details(
          "Rate limit exceeded",
          "You have exceeded the maximum number of requests allowed by " + p +
              ". Please try again in the next minute. If the problem persists please contact "
              "support.",
          true);
    case ApiErrorKind::authorization:
      return warning_with_details(
          "Authorization error",
          "It seems like there's something wrong with your authorization of " + p +
              ". Please Logout and then Connect your " + p + " account within this extension.",
          true);
    case ApiErrorKind::other:
      break;
  }
  return warning_with_details("Error creating call log",
                              "Please check if your account has permission to CREATE logs.", false);
}

std::string api_error_tracking(std::optional<int> status) {
  JsonObject o;
  if (status) o.integer("statusCode", *status);
  else o.string("statusCode", "unknown");
  return o.str();
}

}  // namespace calllog::appconnect
