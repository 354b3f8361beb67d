#pragma once
// Pieces of the composer shared by its files (not part of the public composer interface).
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "common/time/moment.hpp"

namespace calllog::composer {

// util.js secondsToHoursMinutesSeconds (APPCONNECT.md §1.5); the argument as JavaScript sees it
// (nullptr = undefined is handled by the caller: no Duration line).
std::string duration_text(const rapidjson::Value* seconds);

// moment(startTime) for a JSON value: an epoch-ms number or an ISO string; anything else invalid.
timeutil::Moment start_moment(const rapidjson::Value* start_time);

// upsertCallDateTime's text: moment(startTime), then user.timezoneOffset per §1.6 and the
// golden README (a number counts as its decimal string), then format(logDateFormat).
std::string call_date_text(const rapidjson::Value* start_time, const rapidjson::Value* timezone_offset,
                           std::string_view log_date_format);

// getLegsJourney (§1.8). Returns false with `type_error` set where JavaScript throws a TypeError
// (a leg, or its from/to, missing).
bool call_journey(const rapidjson::Value& legs, std::string& out, std::string& type_error);

}  // namespace calllog::composer
