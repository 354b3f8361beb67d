// moment.js 2.30 format(), English locale: the token grammar of its `formattingTokens` regex, the
// long-date expansion (LT, LTS, L…LLLL, l…llll), [escaped] text and backslash escapes.
#include <charconv>
#include <cmath>
#include <system_error>

#include "common/time/civil.hpp"
#include "common/json.hpp"
#include "common/time/moment.hpp"

namespace calllog::timeutil {
namespace {

constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};
constexpr const char* kMonthsShort[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kWeekdays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr const char* kWeekdaysShort[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kWeekdaysMin[] = {"Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"};

// The printed fields: getUTC*() of the shifted Date.
struct Fields {
  int64_t days;  // since 1970-01-01
  int64_t year;
  int month, day, weekday, hour, minute, second, ms, day_of_year;
};

Fields fields_of(double wall_ms) {
  const auto ms = static_cast<int64_t>(wall_ms);
  Fields f{};
  f.days = floor_div(ms, 86400000);
  const int64_t in_day = ms - f.days * 86400000;
  const CivilDate c = civil_from_days(f.days);
  f.year = c.year;
  f.month = c.month;
  f.day = c.day;
  f.weekday = weekday_from_days(f.days);
  f.hour = static_cast<int>(in_day / 3600000);
  f.minute = static_cast<int>(in_day / 60000 % 60);
  f.second = static_cast<int>(in_day / 1000 % 60);
  f.ms = static_cast<int>(in_day % 1000);
  f.day_of_year = static_cast<int>(f.days - days_from_civil(c.year, 1, 1)) + 1;
  return f;
}

// moment's firstWeekOffset / weekOfYear / weeksInYear (dow: first day of week, doy: the January day
// that is always in week 1 is 7 + dow - doy). ISO: dow 1, doy 4. English locale: dow 0, doy 6.
int first_week_offset(int64_t year, int dow, int doy) {
  const int fwd = 7 + dow - doy;
  const int fwdlw = (7 + weekday_from_days(days_from_civil(year, 1, fwd)) - dow) % 7;
  return -fwdlw + fwd - 1;
}
int weeks_in_year(int64_t year, int dow, int doy) {
  return (days_in_year(year) - first_week_offset(year, dow, doy) + first_week_offset(year + 1, dow, doy)) / 7;
}
struct WeekYear {
  int week;
  int64_t year;
};
WeekYear week_of_year(const Fields& f, int dow, int doy) {
  const int offset = first_week_offset(f.year, dow, doy);
  const int week = static_cast<int>(std::floor((f.day_of_year - offset - 1) / 7.0)) + 1;
  if (week < 1) return {week + weeks_in_year(f.year - 1, dow, doy), f.year - 1};
  if (week > weeks_in_year(f.year, dow, doy)) return {week - weeks_in_year(f.year, dow, doy), f.year + 1};
  return {week, f.year};
}

// moment's zeroFill(number, targetLength, forceSign).
void zero_fill(std::string& out, int64_t n, int width, bool force_sign = false) {
  if (n < 0) out += '-';
  else if (force_sign) out += '+';
  const std::string digits = std::to_string(n < 0 ? -n : n);
  for (int k = static_cast<int>(digits.size()); k < width; ++k) out += '0';
  out += digits;
}

// The English locale's ordinal(): 1st 2nd 3rd 4th 11th 12th 13th 21st …
void ordinal(std::string& out, int64_t n) {
  out += std::to_string(n);
  const int64_t b = n % 10;
  const int64_t tens = (n % 100) / 10;
  out += tens == 1 ? "th" : b == 1 ? "st" : b == 2 ? "nd" : b == 3 ? "rd" : "th";
}

// JavaScript's String(number) for the tokens that print a raw number (X, x).
void append_number(std::string& out, double v) { out += json::js_number(v); }

// The English long date formats (locale longDateFormat); l…llll shorten MMMM MM DD dddd by one.
std::string_view long_date_format(std::string_view tok) {
  if (tok == "LTS") return "h:mm:ss A";
  if (tok == "LT") return "h:mm A";
  if (tok == "L") return "MM/DD/YYYY";
  if (tok == "LL") return "MMMM D, YYYY";
  if (tok == "LLL") return "MMMM D, YYYY h:mm A";
  if (tok == "LLLL") return "dddd, MMMM D, YYYY h:mm A";
  if (tok == "l") return "M/D/YYYY";
  if (tok == "ll") return "MMM D, YYYY";
  if (tok == "lll") return "MMM D, YYYY h:mm A";
  if (tok == "llll") return "ddd, MMM D, YYYY h:mm A";
  return {};
}

// `[...]` at i: /\[[^\[]*\]/ — the text up to the next '[' must contain a ']'; the match ends at
// the last ']' before that '['. Returns the length, or 0 when there is no such match.
std::size_t bracket_length(std::string_view f, std::size_t i) {
  std::size_t next = f.find('[', i + 1);
  if (next == std::string_view::npos) next = f.size();
  std::size_t close = f.rfind(']', next - 1);
  if (close == std::string_view::npos || close <= i) return 0;
  return close - i + 1;
}

// moment's expandFormat: replaces /(\[[^\[]*\])|(\\)?(LTS|LT|LL?L?L?|l{1,4})/g (one pass suffices:
// the English expansions contain no long-date tokens).
std::string expand_long_dates(std::string_view f) {
  std::string out;
  for (std::size_t i = 0; i < f.size();) {
    if (f[i] == '[') {
      if (std::size_t n = bracket_length(f, i)) {
        out.append(f.substr(i, n));
        i += n;
        continue;
      }
    }
    const bool escaped = f[i] == '\\';
    const std::size_t t = escaped ? i + 1 : i;
    std::size_t n = 0;
    if (f.substr(t, 3) == "LTS") n = 3;
    else if (f.substr(t, 2) == "LT") n = 2;
    else if (t < f.size() && (f[t] == 'L' || f[t] == 'l')) {
      while (n < 4 && t + n < f.size() && f[t + n] == f[t]) ++n;
    }
    if (n == 0) {
      out += f[i];
      ++i;
      continue;
    }
    if (escaped) out.append(f.substr(i, n + 1));  // "\LT" is not a locale key: kept as is
    else out.append(long_date_format(f.substr(t, n)));
    i = t + n;
  }
  return out;
}

std::size_t run_of(std::string_view f, std::size_t i, char c, std::size_t max) {
  std::size_t n = 0;
  while (n < max && i + n < f.size() && f[i + n] == c) ++n;
  return n;
}

// Length of the formatting token at i per moment's formattingTokens alternation (0: none).
std::size_t token_length(std::string_view f, std::size_t i) {
  const char c = f[i];
  auto at = [&](std::size_t k) { return i + k < f.size() ? f[i + k] : '\0'; };
  switch (c) {
    case 'H':
    case 'h':
      if (at(1) == 'm' && at(2) == 'm') return (at(3) == 's' && at(4) == 's') ? 5 : 3;
      return run_of(f, i, c, 2);
    case 'M': return at(1) == 'o' ? 2 : run_of(f, i, 'M', 4);
    case 'D':
      if (at(1) == 'o') return 2;
      if (at(1) == 'D' && at(2) == 'D' && at(3) == 'o') return 4;
      return run_of(f, i, 'D', 4);
    case 'd': {
      std::size_t n = run_of(f, i, 'd', 4);
      if (n >= 2) return n;
      return at(1) == 'o' ? 2 : 1;
    }
    case 'w':
    case 'W': return (at(1) == 'o' || at(1) == '|' || at(1) == c) ? 2 : 1;
    case 'Q': return at(1) == 'o' ? 2 : 1;
    case 'N': return run_of(f, i, 'N', 5);
    case 'Y': {
      std::size_t n = run_of(f, i, 'Y', 6);
      return n >= 4 ? n : n >= 2 ? 2 : 1;
    }
    case 'y': {
      std::size_t n = run_of(f, i, 'y', 4);
      if (n >= 2) return n;
      return at(1) == 'o' ? 2 : 1;
    }
    case 'g':
    case 'G': {
      std::size_t n = run_of(f, i, c, 5);
      return n >= 4 ? n : n >= 2 ? 2 : 1;
    }
    case 'k':
    case 'm':
    case 's':
    case 'z':
    case 'Z': return run_of(f, i, c, 2);
    case 'S': return run_of(f, i, 'S', 9);
    default: return 1;
  }
}

struct Printer {
  const Moment& m;
  Fields f;
  std::string& out;

  // Appends the value of token `t`; false when `t` has no format function (printed literally).
  bool token(std::string_view t) {
    const char c = t[0];
    const std::size_t n = t.size();
    const bool ord = n == 2 && t[1] == 'o';
    switch (c) {
      case 'M':
        if (ord) ordinal(out, f.month);
        else if (n <= 2) zero_fill(out, f.month, static_cast<int>(n));
        else out += n == 3 ? kMonthsShort[f.month - 1] : kMonths[f.month - 1];
        return true;
      case 'Q': (ord ? ordinal(out, (f.month + 2) / 3) : zero_fill(out, (f.month + 2) / 3, 1)); return true;
      case 'D':
        if (t == "Do") ordinal(out, f.day);
        else if (t == "DDDo") ordinal(out, f.day_of_year);
        else if (n <= 2) zero_fill(out, f.day, static_cast<int>(n));
        else zero_fill(out, f.day_of_year, n == 3 ? 1 : 3);
        return true;
      case 'd':
        if (ord) ordinal(out, f.weekday);
        else if (n == 1) zero_fill(out, f.weekday, 1);
        else out += n == 2 ? kWeekdaysMin[f.weekday] : n == 3 ? kWeekdaysShort[f.weekday] : kWeekdays[f.weekday];
        return true;
      case 'e': zero_fill(out, f.weekday, 1); return true;                       // locale weekday, dow 0
      case 'E': zero_fill(out, f.weekday == 0 ? 7 : f.weekday, 1); return true;  // isoWeekday
      case 'w':
      case 'W': {
        if (n == 2 && t[1] == '|') return false;
        const WeekYear wy = c == 'w' ? week_of_year(f, 0, 6) : week_of_year(f, 1, 4);
        if (ord) ordinal(out, wy.week);
        else zero_fill(out, wy.week, static_cast<int>(n));
        return true;
      }
      case 'g':
      case 'G': {
        if (n == 1) return false;
        const WeekYear wy = c == 'g' ? week_of_year(f, 0, 6) : week_of_year(f, 1, 4);
        if (n == 2) zero_fill(out, wy.year % 100, 2);
        else zero_fill(out, wy.year, static_cast<int>(n));
        return true;
      }
      case 'Y':
        if (n == 1) {
          if (f.year <= 9999) zero_fill(out, f.year, 4);
          else out += "+" + std::to_string(f.year);
        } else if (n == 2) zero_fill(out, f.year % 100, 2);
        else zero_fill(out, f.year, static_cast<int>(n), n == 6);
        return true;
      case 'y': {  // era year (AD years; BC years count back from 1)
        const int64_t ey = f.year >= 1 ? f.year : 1 - f.year;
        if (ord) ordinal(out, ey);
        else if (n == 2) zero_fill(out, ey % 100, 2);
        else zero_fill(out, ey, static_cast<int>(n));
        return true;
      }
      case 'N':
        out += n == 4 ? (f.year >= 1 ? "Anno Domini" : "Before Christ") : (f.year >= 1 ? "AD" : "BC");
        return true;
      case 'a': out += f.hour > 11 ? "pm" : "am"; return true;
      case 'A': out += f.hour > 11 ? "PM" : "AM"; return true;
      case 'H':
      case 'h': {
        const int h = c == 'H' ? f.hour : (f.hour % 12 == 0 ? 12 : f.hour % 12);
        if (n >= 3) {  // hmm, hmmss, Hmm, Hmmss
          zero_fill(out, h, 1);
          zero_fill(out, f.minute, 2);
          if (n == 5) zero_fill(out, f.second, 2);
        } else {
          zero_fill(out, h, static_cast<int>(n));
        }
        return true;
      }
      case 'k': zero_fill(out, f.hour == 0 ? 24 : f.hour, static_cast<int>(n)); return true;
      case 'm': zero_fill(out, f.minute, static_cast<int>(n)); return true;
      case 's': zero_fill(out, f.second, static_cast<int>(n)); return true;
      case 'S': {
        int64_t v = f.ms;
        if (n == 1) v = f.ms / 100;
        else if (n == 2) v = f.ms / 10;
        for (std::size_t k = 3; k < n; ++k) v *= 10;
        zero_fill(out, v, static_cast<int>(n));
        return true;
      }
      case 'X': append_number(out, std::floor(m.value_of() / 1000)); return true;
      case 'x': append_number(out, m.value_of()); return true;
      case 'z': out += m.zone_abbr.empty() ? (m.is_utc ? "UTC" : "") : m.zone_abbr; return true;
      case 'Z': {
        // utcOffset(): the offset when one was applied, else the local zone's (UTC here).
        double off = m.is_utc ? m.offset_min : 0;
        char sign = '+';
        if (off < 0) {
          off = -off;
          sign = '-';
        }
        const auto whole = std::isnan(off) ? 0 : static_cast<int64_t>(off);  // JS ~~
        out += sign;
        zero_fill(out, whole / 60, 2);
        if (n == 1) out += ':';
        zero_fill(out, whole % 60, 2);
        return true;
      }
      default: return false;
    }
  }
};

// Byte length of the UTF-8 sequence starting with `c` (1 for stray bytes).
std::size_t utf8_length(unsigned char c) { return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

bool is_line_terminator_at(std::string_view f, std::size_t i) {
  if (f[i] == '\n' || f[i] == '\r') return true;
  return f.substr(i, 3) == "\xE2\x80\xA8" || f.substr(i, 3) == "\xE2\x80\xA9";
}

}  // namespace

void format_moment(const Moment& m, std::string_view format, std::string& out) {
  if (!m.valid) {
    out += "Invalid date";
    return;
  }
  std::string expanded;
  if (format.find_first_of("Ll") != std::string_view::npos) {
    expanded = expand_long_dates(format);
    format = expanded;
  }
  Printer p{m, fields_of(m.wall_ms), out};
  for (std::size_t i = 0; i < format.size();) {
    if (format[i] == '[') {
      if (std::size_t n = bracket_length(format, i)) {
        out.append(format.substr(i + 1, n - 2));  // removeFormattingTokens: strip ^[ and ]$
        i += n;
        continue;
      }
    }
    // `.` in the token regex does not match line terminators: String#match skips them.
    if (is_line_terminator_at(format, i)) {
      i += format[i] == '\n' || format[i] == '\r' ? 1 : 3;
      continue;
    }
    if (format[i] == '\\') {
      // (\\)?TOKEN is not a format key: printed with its backslashes removed.
      if (i + 1 < format.size() && !is_line_terminator_at(format, i + 1)) {
        const std::size_t n = format[i + 1] == '\\' ? 1 : token_length(format, i + 1);
        const std::size_t len = format[i + 1] == '\\' ? 1 : std::max(n, utf8_length(static_cast<unsigned char>(format[i + 1])));
        for (char ch : format.substr(i + 1, len))
          if (ch != '\\') out += ch;
        i += 1 + len;
      } else {
        ++i;  // a lone backslash prints nothing
      }
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(format[i]);
    if (c >= 0x80) {
      const std::size_t len = utf8_length(c);
      out.append(format.substr(i, len));
      i += len;
      continue;
    }
    const std::size_t n = token_length(format, i);
    if (!p.token(format.substr(i, n))) out.append(format.substr(i, n));
    i += n;
  }
}

std::string format_moment(const Moment& m, std::string_view format) {
  std::string out;
  format_moment(m, format, out);
  return out;
}

}  // namespace calllog::timeutil
