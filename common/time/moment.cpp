// moment(startTime), utcOffset() and the Moment model (see moment.hpp).
#include "common/time/moment.hpp"

#include <cmath>
#include <charconv>
#include <cstdlib>

#include "common/time/civil.hpp"

namespace calllog::timeutil {
namespace {

constexpr double kMaxDateMs = 8.64e15;  // JavaScript Date's valid range

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool digits_at(std::string_view s, std::size_t i, std::size_t n) {
  if (i + n > s.size()) return false;
  for (std::size_t k = 0; k < n; ++k)
    if (!is_digit(s[i + k])) return false;
  return true;
}

int to_int(std::string_view s, std::size_t i, std::size_t n) {
  int v = 0;
  for (std::size_t k = 0; k < n; ++k) v = v * 10 + (s[i + k] - '0');
  return v;
}

// JavaScript's \s for the ASCII range and the common Unicode spaces moment's /^\s*/ skips.
std::size_t skip_js_space(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || (c >= 0x09 && c <= 0x0d)) { ++i; continue; }
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) { i += 2; continue; }
    if (c == 0xEF && s.substr(i, 3) == "\xEF\xBB\xBF") { i += 3; continue; }
    if (c == 0xE1 && s.substr(i, 3) == "\xE1\x9A\x80") { i += 3; continue; }
    if (c == 0xE3 && s.substr(i, 3) == "\xE3\x80\x80") { i += 3; continue; }
    if (c == 0xE2 && i + 2 < s.size()) {
      unsigned char b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
      if ((b1 == 0x80 && (b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF)) || (b1 == 0x81 && b2 == 0x9F)) {
        i += 3;
        continue;
      }
    }
    break;
  }
  return i;
}

Moment invalid() { return Moment{}; }

// The date and time fields an ISO string named, before validation (moment's config._a).
struct IsoFields {
  int64_t year = 0;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0, ms = 0;
  std::optional<int> tz_minutes;
};

// YYYY-MM-DD | ±YYYYYY-MM-DD | YYYY-MM | YYYYMMDD; returns the index after the date or npos.
std::size_t parse_iso_date(std::string_view s, std::size_t i, IsoFields& f, bool& basic) {
  int64_t sign = 1;
  if (i < s.size() && (s[i] == '+' || s[i] == '-') && digits_at(s, i + 1, 6)) {
    sign = s[i] == '-' ? -1 : 1;
    f.year = sign * to_int(s, i + 1, 6);
    i += 7;
  } else if (digits_at(s, i, 4)) {
    f.year = to_int(s, i, 4);
    i += 4;
  } else {
    return std::string_view::npos;
  }
  if (i < s.size() && s[i] == '-') {
    if (!digits_at(s, i + 1, 2)) return std::string_view::npos;
    f.month = to_int(s, i + 1, 2);
    i += 3;
    if (i < s.size() && s[i] == '-') {
      if (!digits_at(s, i + 1, 2)) return std::string_view::npos;
      f.day = to_int(s, i + 1, 2);
      i += 3;
    }
    basic = false;
    return i;
  }
  if (digits_at(s, i, 4)) {
    f.month = to_int(s, i, 2);
    f.day = to_int(s, i + 2, 2);
    basic = true;
    return i + 4;
  }
  return std::string_view::npos;
}

// HH[:mm[:ss[.fff]]] (extended) or HH[mm[ss[.fff]]] (basic); returns index after or npos.
std::size_t parse_iso_time(std::string_view s, std::size_t i, IsoFields& f, bool basic) {
  if (!digits_at(s, i, 2)) return std::string_view::npos;
  f.hour = to_int(s, i, 2);
  i += 2;
  const std::size_t sep = basic ? 0 : 1;
  if ((basic || (i < s.size() && s[i] == ':')) && digits_at(s, i + sep, 2)) {
    f.minute = to_int(s, i + sep, 2);
    i += sep + 2;
    if ((basic || (i < s.size() && s[i] == ':')) && digits_at(s, i + sep, 2)) {
      f.second = to_int(s, i + sep, 2);
      i += sep + 2;
      if (i < s.size() && (s[i] == '.' || s[i] == ',') && digits_at(s, i + 1, 1)) {
        std::size_t j = i + 1;
        while (j < s.size() && is_digit(s[j])) ++j;
        // moment: toInt(('0.' + digits) * 1000)
        const std::string frac = "0." + std::string(s.substr(i + 1, j - i - 1));
        double v = 0;
        std::from_chars(frac.data(), frac.data() + frac.size(), v);  // locale-free
        f.ms = static_cast<int>(std::trunc(v * 1000));
        i = j;
      }
    }
  }
  return i;
}

// [+-]HH(:?MM)? or \s*Z; returns index after or npos.
std::size_t parse_iso_zone(std::string_view s, std::size_t i, IsoFields& f) {
  if (i < s.size() && (s[i] == '+' || s[i] == '-') && digits_at(s, i + 1, 2)) {
    std::size_t j = i + 3;
    if (j < s.size() && s[j] == ':' && digits_at(s, j + 1, 2)) j += 3;
    else if (digits_at(s, j, 2)) j += 2;
    f.tz_minutes = offset_from_string(s.substr(i, j - i));
    return j;
  }
  std::size_t j = skip_js_space(s, i);
  if (j < s.size() && s[j] == 'Z') {
    f.tz_minutes = 0;
    return j + 1;
  }
  return std::string_view::npos;
}

}  // namespace

double Moment::value_of() const {
  const double off = std::isnan(offset_min) ? 0 : offset_min;  // JS: this._offset || 0
  return wall_ms - off * 60000;
}

Moment moment_from_epoch_ms(double ms) {
  Moment m;
  if (std::isnan(ms) || std::fabs(ms) > kMaxDateMs) return invalid();
  m.valid = true;
  m.wall_ms = std::trunc(ms);
  return m;
}

Moment moment_from_string(std::string_view s) {
  IsoFields f;
  bool basic = false;
  std::size_t i = parse_iso_date(s, skip_js_space(s, 0), f, basic);
  if (i == std::string_view::npos) return invalid();
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
    std::size_t j = parse_iso_time(s, i + 1, f, basic);
    if (j == std::string_view::npos) return invalid();
    i = j;
    if (i < s.size()) {
      j = parse_iso_zone(s, i, f);
      if (j == std::string_view::npos) return invalid();
      i = j;
    }
  }
  if (i != s.size()) return invalid();
  // moment's checkOverflow
  if (f.month < 1 || f.month > 12) return invalid();
  if (f.day < 1 || f.day > days_in_month(f.year, f.month)) return invalid();
  const bool end_of_day = f.hour == 24 && f.minute == 0 && f.second == 0 && f.ms == 0;
  if ((f.hour > 23 && !end_of_day) || f.minute > 59 || f.second > 59) return invalid();
  const int64_t days = days_from_civil(f.year, f.month, f.day) + (end_of_day ? 1 : 0);
  const int hour = end_of_day ? 0 : f.hour;
  double ms = static_cast<double>(days) * 86400000.0 + hour * 3600000.0 + f.minute * 60000.0 +
              f.second * 1000.0 + f.ms;
  if (f.tz_minutes) ms -= *f.tz_minutes * 60000.0;
  return moment_from_epoch_ms(ms);
}

namespace {
// moment's getSetOffset(input) once `input` is in minutes.
void set_offset_minutes(Moment& m, double input) {
  if (!m.valid) return;
  const double previous = (m.is_utc && !std::isnan(m.offset_min)) ? m.offset_min : 0;  // _offset || 0
  m.offset_min = input;
  m.is_utc = true;
  m.zone_abbr.clear();  // moment-timezone: utcOffset() drops the zone
  if (previous != input) {
    // createDuration(input - offset, 'm'): a NaN minute count becomes 0 ms (`minutes || 0`).
    double delta = (input - previous) * 60000;
    if (std::isnan(delta)) delta = 0;
    const double wall = m.wall_ms + delta;
    if (!std::isfinite(wall) || std::fabs(wall) > kMaxDateMs) {
      m.valid = false;
      return;
    }
    m.wall_ms = std::trunc(wall);  // Date#setTime's TimeClip
  }
}
}  // namespace

void utc_offset_number(Moment& m, double n) {
  if (std::fabs(n) < 16) n = n * 60;  // moment: |input| < 16 → hours
  set_offset_minutes(m, n);
}

bool utc_offset_string(Moment& m, std::string_view s) {
  auto minutes = offset_from_string(s);
  if (!minutes) return false;
  set_offset_minutes(m, *minutes);
  return true;
}

std::optional<int> offset_from_string(std::string_view s) {
  // /Z|[+-]\d\d(?::?\d\d)?/gi, all matches; the last one counts.
  std::optional<std::string_view> last;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == 'Z' || s[i] == 'z') {
      last = s.substr(i, 1);
      ++i;
    } else if ((s[i] == '+' || s[i] == '-') && digits_at(s, i + 1, 2)) {
      std::size_t len = 3;
      if (i + 3 < s.size() && s[i + 3] == ':' && digits_at(s, i + 4, 2)) len = 6;
      else if (digits_at(s, i + 3, 2)) len = 5;
      last = s.substr(i, len);
      i += len;
    } else {
      ++i;
    }
  }
  if (!last) return std::nullopt;
  std::string_view chunk = *last;
  if (chunk.size() < 3) return 0;  // "Z": parts default to ['-', 0, 0]
  int minutes = to_int(chunk, 1, 2) * 60;
  if (chunk.size() == 5) minutes += to_int(chunk, 3, 2);
  if (chunk.size() == 6) minutes += to_int(chunk, 4, 2);
  if (minutes == 0) return 0;
  return chunk[0] == '+' ? minutes : -minutes;
}

}  // namespace calllog::timeutil
