#include "common/ratelimit/signals.hpp"

#include <charconv>
#include <cmath>
#include <ctime>
#include <string>

namespace calllog::ratelimit {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::string_view> header(const https::Response& r, std::string_view prefix,
                                       std::string_view name) {
  if (prefix.empty()) return std::nullopt;
  std::string full(prefix);
  full += name;
  return r.header(full);
}

// `name` under the policy's prefix, or its alternative prefix.
std::optional<std::string_view> budget_header(const Policy& p, const https::Response& r,
                                              std::string_view name) {
  if (auto v = header(r, p.header_prefix, name)) return v;
  return header(r, p.alt_header_prefix, name);
}

std::optional<double> number_header(std::optional<std::string_view> v) {
  if (!v) return std::nullopt;
  return parse_number(*v);
}

}  // namespace

std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.front() == '-' || s.front() == '+') return std::nullopt;
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::optional<double> parse_http_date(std::string_view s) {
  const std::string text(trim(s));
  static constexpr const char* kFormats[] = {"%a, %d %b %Y %H:%M:%S GMT",
                                             "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"};
  for (const char* f : kFormats) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), f, &tm);
    if (end && *end == '\0') return static_cast<double>(timegm(&tm));
  }
  return std::nullopt;
}

std::optional<double> reset_seconds(std::string_view value, ResetKind kind, double now_unix_s) {
  auto v = parse_number(value);
  if (!v) return std::nullopt;
  const bool epoch = kind == ResetKind::epoch || (kind == ResetKind::automatic && *v > 1e9);
  if (epoch) return std::max(0.0, *v - now_unix_s);
  return *v;
}

std::optional<double> retry_after_seconds(std::string_view value, double now_unix_s) {
  if (auto secs = parse_number(value)) return *secs;
  if (auto t = parse_http_date(value)) return std::max(0.0, *t - now_unix_s);
  return std::nullopt;
}

Signals read_signals(const Policy& p, const https::Response& r,
                     std::chrono::system_clock::time_point now) {
  const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  Signals s;
  s.limit = number_header(budget_header(p, r, "limit"));
  s.remaining = number_header(budget_header(p, r, "remaining"));
  if (auto reset = budget_header(p, r, "reset")) s.reset_s = reset_seconds(*reset, p.reset_kind, now_s);
  if (auto ra = r.header("retry-after")) s.retry_after_s = retry_after_seconds(*ra, now_s);
  if (!p.daily_left_header.empty()) s.daily_left = number_header(r.header(p.daily_left_header));
  s.too_many = r.status == 429;
  s.concurrency_refused = p.refused_status != 0 && r.status == p.refused_status &&
                          !p.refused_body_marker.empty() &&
                          r.body.find(p.refused_body_marker) != std::string::npos;
  return s;
}

}  // namespace calllog::ratelimit
