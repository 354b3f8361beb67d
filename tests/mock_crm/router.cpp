// Router matching and the helpers CRM files share (ids, JSON bits).
#include <algorithm>
#include <cctype>

#include "common/json.hpp"
#include "mock.hpp"

namespace mock {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool host_matches(std::string_view pattern, std::string_view host) {
  if (pattern.empty()) return true;
  if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
    auto domain = pattern.substr(1);  // ".pipedrive.com"
    return host.size() > domain.size() && host.substr(host.size() - domain.size()) == domain;
  }
  return pattern == host;
}

bool path_matches(const std::vector<std::string>& pattern, const std::vector<std::string>& segs,
                  std::map<std::string, std::string>& params) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    const auto& pat = pattern[i];
    if (pat == "*" && i + 1 == pattern.size()) {  // the rest of the path, maybe nothing
      if (i > segs.size()) return false;
      std::string rest;
      for (size_t k = i; k < segs.size(); ++k) rest += (k > i ? "/" : "") + segs[k];
      params["*"] = std::move(rest);
      return true;
    }
    if (i >= segs.size()) return false;
    if (pat.size() > 2 && pat.front() == '{' && pat.back() == '}')
      params[pat.substr(1, pat.size() - 2)] = segs[i];
    else if (pat != segs[i])
      return false;
  }
  return pattern.size() == segs.size();
}

}  // namespace

std::optional<std::string> MockRequest::header(std::string_view name) const {
  std::string key(name);
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = headers.find(key);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::string MockRequest::first_label() const { return host.substr(0, host.find('.')); }

MockResponse MockResponse::json(int status, std::string body) {
  MockResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  return r;
}

MockResponse& MockResponse::with_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

void Router::add(std::string host_pattern, std::string method, std::string path_pattern,
                 Handler h) {
  routes_.push_back(Route{std::move(host_pattern), std::move(method), split_path(path_pattern),
                          std::move(h)});
}

std::optional<MockResponse> Router::route(MockRequest& req) const {
  const auto segments = split_path(req.path);
  for (const auto& r : routes_) {
    if (r.method != req.method || !host_matches(r.host, req.host)) continue;
    std::map<std::string, std::string> params;
    if (!path_matches(r.segments, segments, params)) continue;
    req.params = std::move(params);
    return r.handler(req);
  }
  return std::nullopt;
}

uint32_t fnv1a32(std::string_view bytes) {
  uint32_t h = 0x811c9dc5u;
  for (unsigned char b : bytes) {
    h ^= b;
    h *= 0x01000193u;
  }
  return h;
}

uint64_t mock_id(const std::vector<std::string>& parts) {
  std::string key;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) key += '|';
    key += parts[i];
  }
  return 100000000ull + fnv1a32(key) % 900000000ull;
}

uint64_t mock_id(std::initializer_list<std::string_view> parts) {
  return mock_id(std::vector<std::string>(parts.begin(), parts.end()));
}

std::string js_string_at(const MockRequest& req, std::initializer_list<std::string_view> keys) {
  if (!req.json_ok) return "undefined";
  return calllog::json::js_string(calllog::json::find_path(req.json, keys));
}

std::string json_quote(std::string_view s) { return calllog::json::quoted(s); }

}  // namespace mock
