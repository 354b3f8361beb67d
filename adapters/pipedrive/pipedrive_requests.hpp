#pragma once
// Pipedrive's createCallLog requests as pure functions of the event (APPCONNECT.md §3.1):
// URLs, the activity body with App Connect's key order and derivations, and the duration quirk.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace calllog::pipedrive {

inline constexpr std::string_view kPlatform = "pipedrive";

// "https://{user.hostname}" (the hostname as JavaScript's template literal writes it).
std::string base_url(const rapidjson::Value& event);
// GET https://{hostname}/api/v2/persons/{contactInfo.id}
std::string person_path(const rapidjson::Value& event);
// POST https://{hostname}/api/v2/activities
inline constexpr std::string_view kActivitiesPath = "/api/v2/activities";
// GET https://{hostname}/v1/activityTypes (no /api prefix)
inline constexpr std::string_view kActivityTypesPath = "/v1/activityTypes";

// secondsToHoursMinutesSecondsInPipedriveFormat: "00:00" unless a JSON number; otherwise
// H = floor(s/3600), M = floor((s % 3600)/60) + 1 (always one minute more), zero-padded.
std::string duration_text(const rapidjson::Value* duration);

// The POST /api/v2/activities body, keys in App Connect's order:
// owner_id, subject, duration, deal_id?, note, done, due_date, due_time, participants, lead_id?,
// org_id?, type. `org_id` is the person's data.org_id (nullptr when absent); `now_ms` stands in
// for a missing callLog.startTime (moment(undefined) is now).
std::string activity_body(const rapidjson::Value& event, std::string_view note,
                          const rapidjson::Value* org_id, std::string_view activity_type,
                          int64_t now_ms);

}  // namespace calllog::pipedrive
