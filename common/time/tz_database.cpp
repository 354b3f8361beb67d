// TZif (RFC 8536) reader with a process-wide cache of loaded zones.
#include "common/time/tz_database.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>

namespace calllog::timeutil {
namespace {

int64_t read_be(const std::string& d, std::size_t at, int bytes) {
  uint64_t v = 0;
  for (int k = 0; k < bytes; ++k) v = (v << 8) | static_cast<unsigned char>(d[at + k]);
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

bool valid_zone_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
           c == '-' || c == '+';
  });
}

struct Header {
  int64_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

Header read_header(const std::string& d, std::size_t at) {
  return Header{read_be(d, at + 20, 4), read_be(d, at + 24, 4), read_be(d, at + 28, 4),
                read_be(d, at + 32, 4), read_be(d, at + 36, 4), read_be(d, at + 40, 4)};
}

}  // namespace

const TimeZone::Type& TimeZone::type_at(int64_t utc_s) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_s);
  if (it == transitions_.begin()) return types_[initial_type_];
  // Past the last transition the last type stays (zic's "fat" files list them up to 2037).
  return types_[transition_type_[static_cast<std::size_t>(it - transitions_.begin()) - 1]];
}

const TimeZone* load_time_zone(std::string_view name) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<TimeZone>, std::less<>> cache;
  std::lock_guard lock(mu);
  if (auto it = cache.find(name); it != cache.end()) return it->second.get();
  std::unique_ptr<TimeZone> zone;
  if (valid_zone_name(name)) {
    const char* dir = std::getenv("CALLLOG_ZONEINFO_DIR");
    std::ifstream f(std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(name),
                    std::ios::binary);
    std::string d((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (d.size() >= 44 && d.compare(0, 4, "TZif") == 0) {
      Header h = read_header(d, 0);
      std::size_t at = 44;
      int time_size = 4;
      if (d[4] >= '2') {  // skip the 32-bit block; use the 64-bit one
        at += h.timecnt * 5 + h.typecnt * 6 + h.charcnt + h.leapcnt * 8 + h.isstdcnt + h.isutcnt;
        if (d.size() >= at + 44 && d.compare(at, 4, "TZif") == 0) {
          h = read_header(d, at);
          at += 44;
          time_size = 8;
        }
      }
      const std::size_t need = at + h.timecnt * (time_size + 1) + h.typecnt * 6 + h.charcnt;
      if (h.typecnt > 0 && d.size() >= need) {
        zone = std::make_unique<TimeZone>();
        zone->name_ = std::string(name);
        for (int64_t k = 0; k < h.timecnt; ++k) zone->transitions_.push_back(read_be(d, at + k * time_size, time_size));
        at += h.timecnt * time_size;
        for (int64_t k = 0; k < h.timecnt; ++k)
          zone->transition_type_.push_back(std::min<uint8_t>(static_cast<uint8_t>(d[at + k]), h.typecnt - 1));
        at += h.timecnt;
        const std::size_t chars = at + h.typecnt * 6;
        for (int64_t k = 0; k < h.typecnt; ++k) {
          const std::size_t t = at + k * 6;
          const auto idx = static_cast<unsigned char>(d[t + 5]);
          std::string abbr;
          for (std::size_t c = chars + idx; c < chars + h.charcnt && d[c] != '\0'; ++c) abbr += d[c];
          zone->types_.push_back({static_cast<int32_t>(read_be(d, t, 4)), abbr});
        }
      }
    }
  }
  const TimeZone* result = zone.get();
  cache.emplace(std::string(name), std::move(zone));
  return result;
}

Moment to_zone(const Moment& m, const TimeZone& zone) {
  Moment out = m;
  if (!m.valid) return out;
  const double instant = m.value_of();
  const auto utc_s = static_cast<int64_t>(std::floor(instant / 1000));
  const TimeZone::Type& type = zone.type_at(utc_s);
  out.offset_min = type.utc_offset_s / 60.0;
  out.is_utc = true;
  out.wall_ms = instant + type.utc_offset_s * 1000.0;
  out.zone_abbr = type.abbr;
  return out;
}

}  // namespace calllog::timeutil
