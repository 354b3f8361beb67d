#include "adapters/bullhorn/bullhorn_requests.hpp"

#include "adapters/appconnect/call_fields.hpp"
#include "adapters/appconnect/js_value.hpp"
#include "adapters/appconnect/json_object.hpp"
#include "common/json.hpp"

namespace calllog::bullhorn {
namespace {

using appconnect::JsonObject;
using rapidjson::Value;

const Value* info(const Value& event, std::string_view key) {
  return json::find_path(event, {"user", "platformAdditionalInfo", key});
}

// core's contactInfo.type = contactType ?? "" (APPCONNECT.md §2.2 step 6), as String().
std::string contact_type(const Value& event) {
  const Value* t = json::find_path(event, {"contactInfo", "type"});
  return appconnect::js_nullish(t) ? std::string() : json::js_string(t);
}

}  // namespace

std::optional<Session> session_from(const Value& event) {
  auto rest = json::string_at(info(event, "restUrl"));
  auto token = json::string_at(info(event, "bhRestToken"));
  if (!rest || rest->empty() || !token) return std::nullopt;
  return Session{std::string(*rest), std::string(*token)};
}

std::string login_url(const Value& event) {
  return std::string(json::string_at(info(event, "loginUrl")).value_or(""));
}

std::string access_token(std::string_view auth_header) {
  constexpr std::string_view kBearer = "Bearer ";
  if (auth_header.substr(0, kBearer.size()) == kBearer) auth_header.remove_prefix(kBearer.size());
  return std::string(auth_header);
}

std::string login_request_url(std::string_view login_url, std::string_view token) {
  std::string url(login_url);
  url += "/login?version=2.0&access_token=";
  url += token;
  return url;
}

std::string note_body(const Value& event, std::string_view comments) {
  JsonObject person;
  const Value* id = json::find_path(event, {"contactInfo", "id"});
  if (id) person.value("id", *id);
  person.string("personSubtype", contact_type(event));

  JsonObject body;
  body.string("comments", comments);
  body.raw("personReference", person.str());
  // (additionalSubmission?.noteActions ?? '') || 'pending note'
  const Value* action = json::find_path(event, {"additionalSubmission", "noteActions"});
  if (appconnect::js_truthy(action)) body.value("action", *action);
  else body.string("action", "pending note");
  if (const Value* start = json::find_path(event, {"callLog", "startTime"})) body.value("dateAdded", *start);
  if (const Value* session = json::find_path(event, {"callLog", "sessionId"})) body.value("externalID", *session);
  // callLog.duration / 60: undefined → NaN → null; null → 0.
  const Value* duration = json::find_path(event, {"callLog", "duration"});
  body.number("minutesSpent", appconnect::js_to_number(duration) / 60);
  if (const Value* assignee = appconnect::assignee_id(event)) {
    JsonObject commenter;
    commenter.value("id", *assignee);
    commenter.string("personSubtype", "CorporateUser");
    body.raw("commentingPerson", commenter.str());
  }
  return body.str();
}

bool copies_to_contact_comments(const Value& event) {
  return appconnect::js_truthy(json::find_path(event, {"additionalSubmission", "copyToContactComments"}));
}

std::string comments_path(const Value& event) {
  std::string type = contact_type(event);
  if (type == "Contact") type = "ClientContact";
  return "entity/" + type + "/" + json::js_string(json::find_path(event, {"contactInfo", "id"}));
}

std::string comments_body(const Value& event) {
  JsonObject body;
  if (const Value* note = json::find(event, "note")) body.value("comments", *note);
  return body.str();
}

}  // namespace calllog::bullhorn
