// Beast request → MockRequest.
#include "request_parse.hpp"

#include <cctype>

#include "common/json.hpp"

namespace mock {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

void to_mock_request(boost::beast::http::request<boost::beast::http::string_body>& msg,
                     MockRequest& out, std::string& headers_json) {
  out.method = std::string(msg.method_string());
  out.target = std::string(msg.target());
  auto q = out.target.find('?');
  out.path = out.target.substr(0, q);
  if (q != std::string::npos) {
    std::string_view query = std::string_view(out.target).substr(q + 1);
    while (!query.empty()) {
      auto amp = query.find('&');
      auto pair = query.substr(0, amp);
      auto eq = pair.find('=');
      std::string key = percent_decode(pair.substr(0, eq), true);
      std::string value = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
      if (!key.empty()) out.query[key] = std::move(value);
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }

  // Names as received for the record; lowercased (repeats joined) for handlers.
  std::map<std::string, std::string> as_received;
  std::vector<std::string> order;
  for (const auto& f : msg) {
    std::string name(f.name_string());
    auto [it, fresh] = as_received.try_emplace(name, std::string(f.value()));
    if (fresh)
      order.push_back(name);
    else
      it->second += ", " + std::string(f.value());
    auto [lit, lfresh] = out.headers.try_emplace(lower(name), std::string(f.value()));
    if (!lfresh) lit->second += ", " + std::string(f.value());
  }
  headers_json = "{";
  for (size_t i = 0; i < order.size(); ++i) {
    if (i) headers_json += ',';
    headers_json += calllog::json::quoted(order[i]) + ":" + calllog::json::quoted(as_received[order[i]]);
  }
  headers_json += "}";

  out.host_header = out.headers.count("host") ? out.headers["host"] : "";
  std::string_view host = out.host_header;
  if (!host.empty() && host.front() == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  out.host = lower(host);
  if (!out.host.empty() && out.host.back() == '.') out.host.pop_back();

  out.body = std::move(msg.body());
  out.json_ok = !out.body.empty() && calllog::json::parse(out.json, out.body).empty();
  if (!out.json_ok) out.json.SetNull();
}

}  // namespace mock
