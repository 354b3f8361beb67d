#pragma once
// Event fields the connectors derive the same way (APPCONNECT.md §3 intro).
#include <string>

#include <rapidjson/document.h>

namespace calllog::appconnect {

// `${direction} Call ${direction === 'Outbound' ? 'to' : 'from'} ${contactInfo.name}` with core's
// contactInfo.name = contactName ?? "" (Pipedrive, Insightly, Redtail, NetSuite).
std::string default_subject(const rapidjson::Value& event);

// callLog.customSubject when it is neither null nor absent (any JSON value, passed through as
// JavaScript would), else nullptr: subject = customSubject ?? default_subject.
const rapidjson::Value* custom_subject(const rapidjson::Value& event);

// The admin-assigned CRM user: additionalSubmission.assigneeId when
// additionalSubmission.isAssignedToUser is truthy and the id itself is truthy, else nullptr
// (the connectors then keep the event's own user).
const rapidjson::Value* assignee_id(const rapidjson::Value& event);

}  // namespace calllog::appconnect
