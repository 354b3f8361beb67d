#include "adapters/appconnect/moment_time.hpp"

#include "common/composer/composer_parts.hpp"
#include "common/time/civil.hpp"
#include "common/time/moment.hpp"

namespace calllog::appconnect {
namespace {

std::optional<int64_t> epoch_ms(const timeutil::Moment& m) {
  if (!m.valid) return std::nullopt;
  return static_cast<int64_t>(m.value_of());
}

std::string utc_format(int64_t ms, std::string_view format) {
  return timeutil::format_moment(timeutil::moment_from_epoch_ms(static_cast<double>(ms)), format);
}

}  // namespace

std::optional<int64_t> parse_iso_ms(std::string_view s) {
  return epoch_ms(timeutil::moment_from_string(s));
}

std::optional<int64_t> moment_ms(const rapidjson::Value* v, int64_t now) {
  if (!v) return now;
  return epoch_ms(composer::start_moment(v));
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string utc_date(int64_t ms) { return utc_format(ms, "YYYY-MM-DD"); }

std::string utc_hhmm(int64_t ms) { return utc_format(ms, "HH:mm"); }

std::string utc_iso(int64_t ms) {
  // moment's toISOString(): Date#toISOString for years 0..9999, else the six-digit signed year.
  const int64_t year = timeutil::civil_from_days(timeutil::floor_div(ms, 86400000)).year;
  const bool four_digit_year = year >= 0 && year <= 9999;
  return utc_format(ms, four_digit_year ? "YYYY-MM-DD[T]HH:mm:ss.SSS[Z]" : "YYYYYY-MM-DD[T]HH:mm:ss.SSS[Z]");
}

}  // namespace calllog::appconnect
