// URL parsing for the HTTPS client (https only), and the Response header lookup.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/https/https_client.hpp"

namespace calllog::https {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

}  // namespace

std::string Url::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (explicit_port) h += ":" + std::to_string(port);
  return h;
}

std::optional<Url> parse_url(std::string_view url) {
  constexpr std::string_view scheme = "https://";
  if (url.size() < scheme.size() || !iequals(url.substr(0, scheme.size()), scheme))
    return std::nullopt;
  url.remove_prefix(scheme.size());
  auto authority_end = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, authority_end);
  std::string_view rest = authority_end == std::string_view::npos ? "" : url.substr(authority_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;

  Url out;
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
      out.explicit_port = true;
    }
  } else if (auto colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    out.explicit_port = true;
  }
  if (out.explicit_port) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc{} || p != port.data() + port.size() || v == 0 || v > 65535)
      return std::nullopt;
    out.port = static_cast<uint16_t>(v);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return std::nullopt;
  out.host.reserve(host.size());
  for (unsigned char c : host) out.host += static_cast<char>(std::tolower(c));

  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  if (rest.empty() || rest.front() != '/') out.target = "/";
  for (char c : rest) {
    if (c == ' ')
      out.target += "%20";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return std::nullopt;  // control characters cannot go on the request line
    else
      out.target += c;
  }
  return out;
}

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return std::string_view(v);
  return std::nullopt;
}

}  // namespace calllog::https
