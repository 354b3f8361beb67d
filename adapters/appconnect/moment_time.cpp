#include "adapters/appconnect/moment_time.hpp"

#include <cmath>
#include <cstdio>

namespace calllog::appconnect {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil { int64_t y; unsigned m, d; };
Civil civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : dm[m - 1];
}

struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool digits(std::size_t n, int64_t& out) {
    if (i + n > s.size()) return false;
    int64_t v = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const char c = s[i + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    out = v;
    i += n;
    return true;
  }
  bool eat(char c) {
    if (i < s.size() && s[i] == c) { ++i; return true; }
    return false;
  }
  bool at_end() const { return i == s.size(); }
  bool peek_digit() const { return i < s.size() && s[i] >= '0' && s[i] <= '9'; }
};

// Time "HH[:mm[:ss[.f]]]" or "HH[mm[ss[.f]]]"; fills h, mi, sec, ms.
bool parse_time(Cursor& c, int64_t& h, int64_t& mi, int64_t& sec, int64_t& ms) {
  if (!c.digits(2, h)) return false;
  const bool colon = c.i < c.s.size() && c.s[c.i] == ':';
  auto next = [&](int64_t& out) {
    const std::size_t save = c.i;
    if (colon && !c.eat(':')) return false;
    if (!c.digits(2, out)) { c.i = save; return false; }
    return true;
  };
  if (!next(mi)) return true;
  if (!next(sec)) return true;
  if (c.i < c.s.size() && (c.s[c.i] == '.' || c.s[c.i] == ',')) {
    ++c.i;
    if (!c.peek_digit()) return false;
    int64_t frac = 0, n = 0;
    while (c.peek_digit()) {
      if (n < 3) { frac = frac * 10 + (c.s[c.i] - '0'); ++n; }
      ++c.i;
    }
    while (n < 3) { frac *= 10; ++n; }
    ms = frac;
  }
  return true;
}

}  // namespace

std::optional<int64_t> parse_iso_ms(std::string_view s) {
  std::size_t lead = 0;
  while (lead < s.size() && (s[lead] == ' ' || (s[lead] >= '\t' && s[lead] <= '\r'))) ++lead;
  Cursor c{s.substr(lead)};
  int64_t y = 0, mo = 1, d = 1, h = 0, mi = 0, sec = 0, ms = 0;
  int64_t sign_y = 1;
  if (c.eat('+')) {
    if (!c.digits(6, y)) return std::nullopt;
  } else if (c.eat('-')) {
    sign_y = -1;
    if (!c.digits(6, y)) return std::nullopt;
  } else if (!c.digits(4, y)) {
    return std::nullopt;
  }
  y *= sign_y;
  if (!c.eat('-') || !c.digits(2, mo)) return std::nullopt;
  const std::size_t after_month = c.i;
  if (!(c.eat('-') && c.digits(2, d))) {
    c.i = after_month;
    d = 1;
  }
  int64_t offset_min = 0;
  if (!c.at_end()) {
    if (!c.eat('T') && !c.eat(' ')) return std::nullopt;
    if (!parse_time(c, h, mi, sec, ms)) return std::nullopt;
    while (c.i < c.s.size() && c.s[c.i] == ' ') ++c.i;
    if (c.eat('Z')) {
    } else if (c.i < c.s.size() && (c.s[c.i] == '+' || c.s[c.i] == '-')) {
      const int64_t sign = c.s[c.i] == '-' ? -1 : 1;
      ++c.i;
      int64_t oh = 0, om = 0;
      if (!c.digits(2, oh)) return std::nullopt;
      c.eat(':');
      if (c.peek_digit() && !c.digits(2, om)) return std::nullopt;
      offset_min = sign * (oh * 60 + om);
    }
    if (!c.at_end()) return std::nullopt;
  }
  if (mo < 1 || mo > 12) return std::nullopt;
  if (d < 1 || d > days_in_month(y, static_cast<unsigned>(mo))) return std::nullopt;
  if (h > 24 || mi > 59 || sec > 59) return std::nullopt;
  if (h == 24 && (mi || sec || ms)) return std::nullopt;
  const int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
  return secs * 1000 + ms;
}

std::optional<int64_t> moment_ms(const rapidjson::Value* v, int64_t now) {
  if (!v) return now;
  if (v->IsString()) return parse_iso_ms({v->GetString(), v->GetStringLength()});
  if (v->IsNumber()) {
    const double d = v->GetDouble();
    if (!std::isfinite(d) || std::fabs(d) > 8.64e15) return std::nullopt;
    return static_cast<int64_t>(std::trunc(d));
  }
  return std::nullopt;
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {
struct Split { Civil date; int64_t h, mi, sec, ms; };
Split split(int64_t ms) {
  int64_t days = ms / 86400000;
  int64_t rem = ms % 86400000;
  if (rem < 0) { rem += 86400000; --days; }
  return {civil_from_days(days), rem / 3600000, rem / 60000 % 60, rem / 1000 % 60, rem % 1000};
}
std::string year_text(int64_t y) {
  char buf[16];
  if (y >= 0 && y <= 9999) std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(y));
  else std::snprintf(buf, sizeof buf, "%+07lld", static_cast<long long>(y));
  return buf;
}
}  // namespace

std::string utc_date(int64_t ms) {
  const auto p = split(ms);
  char buf[16];
  std::snprintf(buf, sizeof buf, "-%02u-%02u", p.date.m, p.date.d);
  return year_text(p.date.y) + buf;
}

std::string utc_hhmm(int64_t ms) {
  const auto p = split(ms);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(p.h),
                static_cast<long long>(p.mi));
  return buf;
}

std::string utc_iso(int64_t ms) {
  const auto p = split(ms);
  char buf[48];
  std::snprintf(buf, sizeof buf, "-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", p.date.m, p.date.d,
                static_cast<long long>(p.h), static_cast<long long>(p.mi),
                static_cast<long long>(p.sec), static_cast<long long>(p.ms));
  return year_text(p.date.y) + buf;
}

}  // namespace calllog::appconnect
