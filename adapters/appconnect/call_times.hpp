#pragma once
// Start and end instants of a call as the connectors send them (Clio, Insightly, Redtail):
// moment(startTime).toISOString() and moment(startTime).add(duration, 'seconds').toISOString().
#include <cstdint>
#include <optional>
#include <string>

#include <rapidjson/document.h>

namespace calllog::appconnect {

// callLog.startTime as epoch ms (absent → `now_ms`); nullopt for an invalid date.
std::optional<int64_t> call_start_ms(const rapidjson::Value& event, int64_t now_ms);

// start + callLog.duration seconds as moment's add() does it: undefined or NaN adds nothing,
// strings and booleans through Number(), fractional milliseconds truncated as Date does.
std::optional<int64_t> call_end_ms(const rapidjson::Value& event, std::optional<int64_t> start_ms);

// toISOString() as JSON: "2026-03-29T00:59:30.000Z", or null for an invalid date.
std::string iso_json(std::optional<int64_t> ms);

}  // namespace calllog::appconnect
