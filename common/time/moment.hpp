#pragma once
// A small model of a moment.js 2.30 object: an instant plus the utcOffset moment shows it at, and
// the operations App Connect uses on it — moment(startTime), utcOffset(x), .tz(zone), format(f).
// The process's local zone is taken to be UTC (App Connect runs on AWS Lambda without TZ);
// nothing here reads TZ or the locale.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace calllog::timeutil {

struct Moment {
  bool valid = false;         // moment's isValid(); format() prints "Invalid date" otherwise
  double wall_ms = 0;         // the shifted Date (`_d`): getUTC*() of it are the printed fields
  double offset_min = 0;      // `_offset` (may be NaN after utcOffset(NaN))
  bool is_utc = false;        // `_isUTC`: an offset was applied; token z prints "UTC"
  std::string zone_abbr;      // set by .tz(zone): moment-timezone's abbreviation for token z

  // valueOf(): the instant in epoch milliseconds.
  double value_of() const;
};

// moment(number): epoch milliseconds.
Moment moment_from_epoch_ms(double ms);

// moment(string) for the ISO 8601 forms moment 2.30 accepts (configFromISO); a string without a
// zone is local time, i.e. UTC here. Anything else is an invalid moment ("Invalid date").
Moment moment_from_string(std::string_view s);

// moment.utcOffset(number): |n| < 16 is hours, anything else minutes (moment's getSetOffset).
void utc_offset_number(Moment& m, double n);

// moment.utcOffset(string): the last /Z|[+-]\d\d(?::?\d\d)?/gi match gives the offset; a string
// without one leaves the moment unchanged (returns false then).
bool utc_offset_string(Moment& m, std::string_view s);

// The offset moment's offsetFromString() reads from a string, in minutes; nullopt when none.
std::optional<int> offset_from_string(std::string_view s);

// moment.format(f), English locale. Appends to `out`.
void format_moment(const Moment& m, std::string_view format, std::string& out);
std::string format_moment(const Moment& m, std::string_view format);

}  // namespace calllog::timeutil
