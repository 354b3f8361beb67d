#include "adapters/appconnect/call_times.hpp"

#include <cmath>

#include "adapters/appconnect/js_value.hpp"
#include "adapters/appconnect/moment_time.hpp"
#include "common/json.hpp"

namespace calllog::appconnect {

std::optional<int64_t> call_start_ms(const rapidjson::Value& event, int64_t now_ms) {
  return moment_ms(json::find_path(event, {"callLog", "startTime"}), now_ms);
}

std::optional<int64_t> call_end_ms(const rapidjson::Value& event, std::optional<int64_t> start_ms) {
  if (!start_ms) return std::nullopt;
  const auto* duration = json::find_path(event, {"callLog", "duration"});
  if (!duration) return start_ms;
  const double seconds = js_to_number(duration);
  if (!std::isfinite(seconds)) return start_ms;
  const double end = static_cast<double>(*start_ms) + seconds * 1000.0;
  if (std::fabs(end) > 8.64e15) return std::nullopt;
  return static_cast<int64_t>(std::trunc(end));
}

std::string iso_json(std::optional<int64_t> ms) {
  if (!ms) return "null";
  return json::quoted(utc_iso(*ms));
}

}  // namespace calllog::appconnect
