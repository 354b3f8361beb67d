#pragma once
// `moment(callLog.startTime)` as the connectors use it, reduced to what they print in UTC, over
// common/time's moment model (the one moment parser): an ISO 8601 string (with or without zone;
// without one it is read as UTC, the zone App Connect runs in), or epoch milliseconds as a
// number. Absent means "now", as moment(undefined) does. Anything else is an invalid date, which
// moment prints as "Invalid date".
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace calllog::appconnect {

inline constexpr std::string_view kInvalidDate = "Invalid date";

// Epoch milliseconds of an ISO 8601 string as moment's ISO parser accepts it; nullopt if not.
std::optional<int64_t> parse_iso_ms(std::string_view s);

// moment(v) → epoch ms; nullopt for an invalid date. `now_ms` is used when v is nullptr.
std::optional<int64_t> moment_ms(const rapidjson::Value* v, int64_t now_ms);
int64_t now_ms();

// UTC formatting: format('YYYY-MM-DD'), format('HH:mm') and toISOString()
// ("YYYY-MM-DDTHH:mm:ss.SSSZ"; ±YYYYYY for years outside 0..9999).
std::string utc_date(int64_t ms);
std::string utc_hhmm(int64_t ms);
std::string utc_iso(int64_t ms);

}  // namespace calllog::appconnect
