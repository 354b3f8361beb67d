#include "common/redis/cluster_redirect.hpp"

#include <charconv>

namespace calllog::redis {

namespace {

// CRC16-CCITT, polynomial 0x1021, initial value 0 (the XMODEM variant Redis Cluster uses).
uint16_t crc16(std::string_view data) {
  uint16_t crc = 0;
  for (unsigned char c : data) {
    crc ^= static_cast<uint16_t>(c) << 8;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021) : static_cast<uint16_t>(crc << 1);
  }
  return crc;
}

template <class T>
bool parse_number(std::string_view text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::optional<Redirect> parse_redirect(std::string_view text) {
  Redirect r;
  if (text.starts_with("MOVED ")) {
    r.kind = Redirect::Kind::moved;
    text.remove_prefix(6);
  } else if (text.starts_with("ASK ")) {
    r.kind = Redirect::Kind::ask;
    text.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  if (!parse_number(text.substr(0, space), &r.slot) || r.slot < 0 || r.slot >= 16384) return std::nullopt;
  const auto address = text.substr(space + 1);
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  if (!parse_number(address.substr(colon + 1), &r.port) || r.port == 0) return std::nullopt;
  r.host = std::string(address.substr(0, colon));
  if (r.host.find(' ') != std::string::npos) return std::nullopt;
  return r;
}

std::optional<Redirect> parse_redirect(const Reply& reply) {
  if (!reply.is_error()) return std::nullopt;
  return parse_redirect(std::string_view(reply.str));
}

uint16_t key_slot(std::string_view key) {
  const auto open = key.find('{');
  if (open != std::string_view::npos) {
    const auto close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) key = key.substr(open + 1, close - open - 1);
  }
  return crc16(key) & 16383;
}

}  // namespace calllog::redis
