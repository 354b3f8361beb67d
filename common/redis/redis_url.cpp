// parse_redis_url: redis://[[user]:password@]host[:port][/db] and rediss:// (TLS).
// A lone "secret@" (no colon) is taken as the password, as the legacy AUTH form expects.
#include <charconv>

#include "common/redis/redis_client.hpp"

namespace calllog::redis {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

template <class Int>
bool parse_int(std::string_view s, Int* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::optional<RedisConfig> fail(std::string* error, std::string why) {
  if (error != nullptr) *error = "invalid Redis URL: " + std::move(why);
  return std::nullopt;
}

}  // namespace

std::optional<RedisConfig> parse_redis_url(std::string_view url, std::string* error) {
  RedisConfig cfg;
  std::string_view rest;
  if (url.starts_with("redis://")) {
    rest = url.substr(8);
  } else if (url.starts_with("rediss://")) {
    rest = url.substr(9);
    cfg.tls = true;
  } else {
    return fail(error, "the scheme must be redis:// or rediss://");
  }
  if (rest.find_first_of("?#") != std::string_view::npos)
    return fail(error, "query options and fragments are not supported");

  // userinfo: everything before the last '@' of the authority
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  bool has_password = false;
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    std::string_view user_part, pass_part = userinfo;
    if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      user_part = userinfo.substr(0, colon);
      pass_part = userinfo.substr(colon + 1);
    }
    auto user = percent_decode(user_part);
    auto pass = percent_decode(pass_part);
    if (!user) return fail(error, "bad percent-escape in the user name");
    if (!pass) return fail(error, "bad percent-escape in the password");
    cfg.user = std::move(*user);
    cfg.password = std::move(*pass);
    has_password = !pass_part.empty();
    if (!cfg.user.empty() && cfg.password.empty())
      return fail(error, "a user name needs a password (user:password@)");
  }

  // host[:port], host may be a bracketed IPv6 literal
  std::string_view host, port_text;
  if (authority.starts_with("[")) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail(error, "unterminated [IPv6] host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return fail(error, "unexpected text after the [IPv6] host");
      port_text = after.substr(1);
      if (port_text.empty()) return fail(error, "empty port");
    }
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return fail(error, "empty port");
    }
  }
  if (host.empty()) return fail(error, "missing host");
  cfg.host = std::string(host);
  if (!port_text.empty()) {
    unsigned port = 0;
    if (!parse_int(port_text, &port) || port == 0 || port > 65535)
      return fail(error, "port must be a number from 1 to 65535");
    cfg.port = static_cast<uint16_t>(port);
  }

  // /db
  if (path.size() > 1) {
    int db = -1;
    if (!parse_int(path.substr(1), &db) || db < 0)
      return fail(error, "database must be a non-negative number (/0, /1, ...)");
    cfg.db = db;
  }

  std::string shown_host = cfg.host.find(':') != std::string::npos ? "[" + cfg.host + "]" : cfg.host;
  cfg.redacted_url = std::string(cfg.tls ? "rediss://" : "redis://");
  if (has_password) cfg.redacted_url += cfg.user + ":***@";
  cfg.redacted_url += shown_host + ":" + std::to_string(cfg.port) + "/" + std::to_string(cfg.db);
  return cfg;
}

}  // namespace calllog::redis
