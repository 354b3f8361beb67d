// Host allow-list (SSRF defence): which CRM hosts an adapter may contact. Names match patterns
// case-insensitively, a trailing dot ignored; IP literals match only a pattern naming the very
// same literal, never a wildcard.
#include "common/https/allowlist.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace calllog::https {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Lowercase, brackets of an IPv6 literal removed, one trailing dot dropped.
std::string normalise_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return lower(host);
}

// Characters a DNS host name may hold; anything else (%, @, /, spaces, ...) is never allowed
// except as an exact IP-literal pattern.
bool is_plain_name(std::string_view host) {
  if (host.empty()) return false;
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

struct Pattern {
  std::string host;               // normalised; "*.domain" keeps its "*."
  std::optional<uint16_t> port;   // absent: any port
};

std::optional<uint16_t> parse_port(std::string_view s) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v == 0 || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

// "host", "host:port", "*.domain[:port]", "[v6]", "[v6]:port", bare "v6" (no port then).
std::optional<Pattern> parse_pattern(std::string_view text) {
  Pattern p;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      p.port = parse_port(rest.substr(1));
      if (!p.port) return std::nullopt;
    }
    p.host = normalise_host(text.substr(0, close + 1));
    return p;
  }
  auto colon = text.rfind(':');
  if (colon != std::string_view::npos && text.find(':') == colon) {
    p.port = parse_port(text.substr(colon + 1));
    if (!p.port) return std::nullopt;
    text = text.substr(0, colon);
  }
  p.host = normalise_host(text);
  if (p.host.empty()) return std::nullopt;
  return p;
}

bool wildcard_matches(std::string_view domain, std::string_view host) {
  // "*.domain": a strict subdomain of domain, i.e. host ends with ".domain" and has more before.
  if (host.size() <= domain.size() + 1) return false;
  if (host.substr(host.size() - domain.size()) != domain) return false;
  return host[host.size() - domain.size() - 1] == '.';
}

}  // namespace

bool is_ip_literal(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[' || host.find(':') != std::string_view::npos ||
      host.find('%') != std::string_view::npos)
    return true;  // IPv6 (bracketed, bare or with a zone) — never a host name
  std::string h(host);
  if (h.back() == '.') h.pop_back();
  in_addr v4{};
  if (inet_aton(h.c_str(), &v4) != 0) return true;
  in6_addr v6{};
  return inet_pton(AF_INET6, h.c_str(), &v6) == 1;
}

AllowList::AllowList(std::vector<std::string> patterns) {
  for (auto& p : patterns) add(std::move(p));
}

void AllowList::add(std::string pattern) { patterns_.push_back(std::move(pattern)); }

bool AllowList::allows(std::string_view host_in, uint16_t port) const {
  const std::string host = normalise_host(host_in);
  const bool literal = is_ip_literal(host);
  if (!literal && !is_plain_name(host)) return false;
  for (const auto& text : patterns_) {
    auto p = parse_pattern(text);
    if (!p) continue;
    if (p->port && *p->port != port) continue;
    if (literal) {
      if (p->host == host) return true;  // the exact literal, never a wildcard
      continue;
    }
    if (p->host.size() > 2 && p->host.compare(0, 2, "*.") == 0) {
      if (wildcard_matches(std::string_view(p->host).substr(2), host)) return true;
    } else if (p->host == host) {
      return true;
    }
  }
  return false;
}

}  // namespace calllog::https
