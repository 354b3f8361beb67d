#include "adapters/appconnect/js_value.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/json.hpp"

namespace calllog::appconnect {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ECMAScript WhiteSpace + LineTerminator, as UTF-8 sequences (StrWhiteSpaceChar).
std::size_t js_space_len(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return 1;
  static constexpr std::string_view multi[] = {
      "\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF",
      "\xE2\x81\x9F", "\xE3\x80\x80", "\xEF\xBB\xBF"};
  for (auto m : multi) {
    if (s.substr(i, m.size()) == m) return m.size();
  }
  if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80) {
    const auto c2 = static_cast<unsigned char>(s[i + 2]);
    if (c2 >= 0x80 && c2 <= 0x8A) return 3;  // U+2000..U+200A
  }
  return 0;
}

std::string_view js_trim(std::string_view s) {
  std::size_t b = 0;
  while (b < s.size()) {
    auto n = js_space_len(s, b);
    if (!n) break;
    b += n;
  }
  s.remove_prefix(b);
  // Trailing: scan forward, remember the end of the last non-space character.
  std::size_t i = 0, end = 0;
  while (i < s.size()) {
    auto n = js_space_len(s, i);
    if (n) { i += n; continue; }
    ++i;
    end = i;
  }
  return s.substr(0, end);
}

double parse_radix(std::string_view digits, int radix) {
  if (digits.empty()) return kNaN;
  double v = 0;
  for (char c : digits) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'z') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'Z') d = c - 'A' + 10;
    else return kNaN;
    if (d >= radix) return kNaN;
    v = v * radix + d;
  }
  return v;
}

bool is_decimal_literal(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') { ++i; ++int_digits; }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') { ++i; ++frac_digits; }
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') { ++i; ++exp_digits; }
    if (!exp_digits) return false;
  }
  return i == s.size();
}

}  // namespace

bool js_truthy(const rapidjson::Value* v) {
  if (!v || v->IsNull()) return false;
  if (v->IsBool()) return v->GetBool();
  if (v->IsString()) return v->GetStringLength() > 0;
  if (v->IsNumber()) {
    const double d = v->GetDouble();
    return d != 0 && !std::isnan(d);
  }
  return true;  // objects, arrays
}

double js_number_from_string(std::string_view raw) {
  const std::string_view s = js_trim(raw);
  if (s.empty()) return 0;
  if (s.size() > 2 && s[0] == '0') {
    const char p = s[1];
    if (p == 'x' || p == 'X') return parse_radix(s.substr(2), 16);
    if (p == 'o' || p == 'O') return parse_radix(s.substr(2), 8);
    if (p == 'b' || p == 'B') return parse_radix(s.substr(2), 2);
  }
  if (s == "Infinity" || s == "+Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  if (!is_decimal_literal(s)) return kNaN;
  const std::string copy(s);
  return std::strtod(copy.c_str(), nullptr);
}

double js_to_number(const rapidjson::Value* v) {
  if (!v) return kNaN;
  if (v->IsNull()) return 0;
  if (v->IsBool()) return v->GetBool() ? 1 : 0;
  if (v->IsNumber()) return v->GetDouble();
  if (v->IsString()) return js_number_from_string({v->GetString(), v->GetStringLength()});
  if (v->IsArray()) return js_number_from_string(json::js_string(v));
  return kNaN;
}

void append_js_number(std::string& out, double d) {
  if (std::isnan(d) || std::isinf(d)) {
    out += "null";
    return;
  }
  out += json::js_number(d);
}

void append_js_json(std::string& out, const rapidjson::Value& v) {
  if (v.IsNull()) {
    out += "null";
  } else if (v.IsBool()) {
    out += v.GetBool() ? "true" : "false";
  } else if (v.IsInt64()) {
    out += std::to_string(v.GetInt64());
  } else if (v.IsNumber()) {
    append_js_number(out, v.GetDouble());
  } else if (v.IsString()) {
    json::append_quoted(out, {v.GetString(), v.GetStringLength()});
  } else if (v.IsArray()) {
    out.push_back('[');
    bool first = true;
    for (const auto& e : v.GetArray()) {
      if (!first) out.push_back(',');
      first = false;
      append_js_json(out, e);
    }
    out.push_back(']');
  } else {
    out.push_back('{');
    bool first = true;
    for (const auto& m : v.GetObject()) {
      if (!first) out.push_back(',');
      first = false;
      json::append_quoted(out, {m.name.GetString(), m.name.GetStringLength()});
      out.push_back(':');
      append_js_json(out, m.value);
    }
    out.push_back('}');
  }
}

std::string js_json(const rapidjson::Value& v) {
  std::string out;
  append_js_json(out, v);
  return out;
}

}  // namespace calllog::appconnect
