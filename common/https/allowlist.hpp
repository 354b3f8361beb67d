#pragma once
// Which CRM hosts an adapter may contact (SSRF defence). Patterns: "host" (any port),
// "host:port", "*.domain" (any subdomain, any port), "*.domain:port". IP literals (v4 in any
// spelling the resolver would accept, e.g. "2130706433", "127.1", "0x7f.1", and v6 "[::1]")
// match only a pattern that names the same literal explicitly.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace calllog::https {

class AllowList {
 public:
  AllowList() = default;
  explicit AllowList(std::vector<std::string> patterns);
  void add(std::string pattern);
  // host is lowercase without brackets; port is the effective port.
  bool allows(std::string_view host, uint16_t port) const;
  const std::vector<std::string>& patterns() const { return patterns_; }

 private:
  std::vector<std::string> patterns_;
};

// True when `host` is an IP literal in any form inet_aton/inet_pton accepts (or bracketed v6).
bool is_ip_literal(std::string_view host);

}  // namespace calllog::https
