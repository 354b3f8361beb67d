#pragma once
// IANA time zones read from the system's TZif files (/usr/share/zoneinfo), as moment-timezone's
// `.tz(name)` uses them for NetSuite. Zones are loaded once and cached for the process; nothing
// depends on the process's TZ variable.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/time/moment.hpp"

namespace calllog::timeutil {

class TimeZone {
 public:
  struct Type {
    int32_t utc_offset_s;
    std::string abbr;
  };
  // The type in effect at `utc_s` (seconds since the epoch).
  const Type& type_at(int64_t utc_s) const;
  const std::string& name() const { return name_; }

 private:
  friend const TimeZone* load_time_zone(std::string_view);
  std::string name_;
  std::vector<int64_t> transitions_;      // ascending, seconds since the epoch
  std::vector<uint8_t> transition_type_;  // index into types_ per transition
  std::vector<Type> types_;
  std::size_t initial_type_ = 0;          // before the first transition
};

// The zone named `name` (e.g. "America/New_York"), loaded on first use; nullptr when unknown.
// Thread-safe. The zoneinfo directory is $CALLLOG_ZONEINFO_DIR or /usr/share/zoneinfo.
const TimeZone* load_time_zone(std::string_view name);

// moment(m).tz(zone): the same instant shown at the zone's offset, with its abbreviation for `z`.
Moment to_zone(const Moment& m, const TimeZone& zone);

}  // namespace calllog::timeutil
