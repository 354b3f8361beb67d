#pragma once
// Bullhorn's createCallLog requests as pure functions of the event (APPCONNECT.md §3.5): the
// session from platformAdditionalInfo, the PUT entity/Note body with App Connect's key order and
// derivations, and the comments POST.
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace calllog::bullhorn {

inline constexpr std::string_view kPlatform = "bullhorn";

// The REST session: platformAdditionalInfo.restUrl (ends in '/') and bhRestToken. A login
// (POST {loginUrl}/login) replaces both.
struct Session {
  std::string rest_url;
  std::string token;
};
std::optional<Session> session_from(const rapidjson::Value& event);

// platformAdditionalInfo.loginUrl, or empty.
std::string login_url(const rapidjson::Value& event);
// The OAuth access token App Connect logs in with: authHeader without its "Bearer " scheme.
std::string access_token(std::string_view auth_header);
// POST {loginUrl}/login?version=2.0&access_token={token}
std::string login_request_url(std::string_view login_url, std::string_view token);

// The PUT {restUrl}entity/Note body, keys in order: comments, personReference, action,
// dateAdded (raw startTime; left out when absent), externalID, minutesSpent (duration / 60 as a
// JS double, null when undefined), commentingPerson (only with an assignee).
std::string note_body(const rapidjson::Value& event, std::string_view comments);

// additionalSubmission.copyToContactComments is truthy.
bool copies_to_contact_comments(const rapidjson::Value& event);
// "entity/{type == 'Contact' ? 'ClientContact' : type}/{contactInfo.id}" (after restUrl).
std::string comments_path(const rapidjson::Value& event);
// {"comments": note} with the raw agent note ({} when the event has none).
std::string comments_body(const rapidjson::Value& event);

}  // namespace calllog::bullhorn
