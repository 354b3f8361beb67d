#include "adapters/appconnect/crm_failure.hpp"

#include <cmath>
#include <cstdlib>
#include <ctime>

#include "adapters/appconnect/js_value.hpp"
#include "adapters/appconnect/json_object.hpp"

namespace calllog::appconnect {
namespace {

std::optional<double> parse_seconds(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.')) return std::nullopt;
  }
  const double d = js_number_from_string(s);
  if (std::isnan(d)) return std::nullopt;
  return d;
}

// HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, obsolete RFC 850 and asctime forms.
std::optional<std::time_t> parse_http_date(std::string_view s) {
  const std::string text(s);
  static constexpr const char* formats[] = {"%a, %d %b %Y %H:%M:%S GMT",
                                            "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"};
  for (const char* f : formats) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), f, &tm);
    if (end && *end == '\0') return timegm(&tm);
  }
  return std::nullopt;
}

std::string status_detail(const https::Response& r, std::string_view crm, std::string_view what) {
  std::string d(crm);
  d += " answered HTTP ";
  d += std::to_string(r.status);
  d += " to ";
  d += what;
  return d;
}

}  // namespace

bool retryable_status(int status) { return status == 429 || (status >= 500 && status <= 599); }

std::optional<double> retry_after_seconds(std::optional<std::string_view> retry_after,
                                          std::optional<std::string_view> reset,
                                          std::chrono::system_clock::time_point now) {
  const double now_s =
      std::chrono::duration<double>(now.time_since_epoch()).count();
  if (retry_after) {
    if (auto secs = parse_seconds(*retry_after)) return *secs;
    if (auto t = parse_http_date(*retry_after)) return std::max(0.0, static_cast<double>(*t) - now_s);
  }
  if (reset) {
    if (auto v = parse_seconds(*reset)) {
      if (*v > 1e9) return std::max(0.0, *v - now_s);
      return *v;
    }
  }
  return std::nullopt;
}

std::optional<double> retry_after_seconds(const https::Response& r,
                                          std::chrono::system_clock::time_point now) {
  auto reset = r.header("x-ratelimit-reset");
  if (!reset) reset = r.header("ratelimit-reset");
  return retry_after_seconds(r.header("retry-after"), reset, now);
}

Failure failure_from_response(const https::Response& r, std::string_view crm,
                              std::string_view what) {
  Failure f = make_failure("http_" + std::to_string(r.status), status_detail(r, crm, what),
                           retryable_status(r.status), r.status);
  if (f.retryable) f.retry_after_s = retry_after_seconds(r);
  return f;
}

Failure failure_from_transport(Failure f, std::string_view what) {
  std::string d(what);
  d += ": ";
  d += f.detail;
  f.detail = std::move(d);
  return f;
}

Failure bad_response_failure(const https::Response& r, std::string_view crm, std::string_view what,
                             std::string_view problem) {
  std::string d = status_detail(r, crm, what);
  d += " but ";
  d += problem;
  return make_failure("crm_bad_response", std::move(d), false, r.status);
}

std::string rate_limit_tracking(const https::Response& r, std::string_view prefix) {
  JsonObject o;
  const std::string p(prefix);
  if (auto v = r.header(p + "remaining")) o.string("ratelimitRemaining", *v);
  if (auto v = r.header(p + "limit")) o.string("ratelimitAmount", *v);
  if (auto v = r.header(p + "reset")) o.string("ratelimitReset", *v);
  return o.str();
}

}  // namespace calllog::appconnect
