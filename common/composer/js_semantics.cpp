// JavaScript semantics used by the composer (see js_semantics.hpp).
#include "common/composer/js_semantics.hpp"

#include <cmath>
#include <charconv>
#include <system_error>
#include <cstdlib>
#include <limits>

#include "common/json.hpp"

namespace calllog::js {
namespace {
// strtod without the C locale's decimal separator (tr_TR writes "12,75"): std::from_chars.
double locale_free_strtod(std::string_view s) {
  double v = 0;
  if (std::from_chars(s.data(), s.data() + s.size(), v).ec == std::errc::result_out_of_range) {
    const bool tiny = s.find("e-") != std::string_view::npos || s.find("E-") != std::string_view::npos;
    v = tiny ? 0.0 : INFINITY;  // JS rounds to 0 or Infinity
  }
  return v;
}
}  // namespace

bool truthy(const rapidjson::Value* v) {
  if (v == nullptr || v->IsNull()) return false;
  if (v->IsBool()) return v->GetBool();
  if (v->IsNumber()) {
    const double d = v->GetDouble();
    return d != 0 && !std::isnan(d);
  }
  if (v->IsString()) return v->GetStringLength() > 0;
  return true;  // objects and arrays, even empty ones
}

bool truthy_or(const rapidjson::Value* v, bool fallback) {
  if (v == nullptr || v->IsNull()) return fallback;  // `??`: only null/undefined fall back
  return truthy(v);
}

double string_to_number(std::string_view s) {
  s = trim(s);
  if (s.empty()) return 0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X' || s[1] == 'o' || s[1] == 'O' || s[1] == 'b' || s[1] == 'B')) {
    const int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
    double v = 0;
    for (char c : s.substr(2)) {
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
      if (d >= base) return nan;
      v = v * base + d;
    }
    return v;
  }
  std::size_t i = 0;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    i = 1;
  }
  if (s.substr(i) == "Infinity") return negative ? -INFINITY : INFINITY;
  // StrUnsignedDecimalLiteral: digits [. digits] [e[+-]digits], at least one digit in the mantissa.
  std::size_t j = i, mantissa_digits = 0;
  while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j, ++mantissa_digits;
  if (j < s.size() && s[j] == '.') {
    ++j;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return nan;
  if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
    std::size_t k = j + 1;
    if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
    std::size_t exp_digits = 0;
    while (k < s.size() && s[k] >= '0' && s[k] <= '9') ++k, ++exp_digits;
    if (exp_digits == 0) return nan;
    j = k;
  }
  if (j != s.size()) return nan;
  return locale_free_strtod(s.substr(s[0] == '+' ? 1 : 0));
}

double to_number(const rapidjson::Value* v) {
  if (v == nullptr) return std::numeric_limits<double>::quiet_NaN();
  if (v->IsNull()) return 0;
  if (v->IsBool()) return v->GetBool() ? 1 : 0;
  if (v->IsNumber()) return v->GetDouble();
  if (v->IsString()) return string_to_number({v->GetString(), v->GetStringLength()});
  if (v->IsArray()) return string_to_number(to_string(v));
  return std::numeric_limits<double>::quiet_NaN();  // "[object Object]"
}

void append_string(std::string& out, const rapidjson::Value* v) {
  if (v != nullptr && v->IsString()) {
    out.append(v->GetString(), v->GetStringLength());
  } else if (v != nullptr && v->IsArray()) {
    // Array#join(","), with null/undefined elements as "".
    bool first = true;
    for (const auto& e : v->GetArray()) {
      if (!first) out += ',';
      first = false;
      if (!e.IsNull()) append_string(out, &e);
    }
  } else if (v != nullptr && v->IsObject()) {
    out += "[object Object]";
  } else {
    out += json::js_string(v);
  }
}

std::string to_string(const rapidjson::Value* v) {
  std::string out;
  append_string(out, v);
  return out;
}

std::string number_to_string(double d) { return json::js_number(d); }

bool is_line_terminator(char32_t cp) { return cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029; }

bool is_whitespace(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

char32_t decode_at(std::string_view s, std::size_t i, std::size_t& len) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80 || i + 1 >= s.size()) {
    len = 1;
    return c;
  }
  if (c < 0xE0) {
    len = 2;
    return ((c & 0x1F) << 6) | (b(1) & 0x3F);
  }
  if (c < 0xF0 || i + 3 >= s.size() + 0) {
    len = std::min<std::size_t>(3, s.size() - i);
    if (len < 3) return c;
    return ((c & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  }
  len = 4;
  return ((c & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

std::size_t utf16_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;  // one unit per sequence start...
    if (c >= 0xF0) ++n;           // ...and two for astral characters
  }
  return n;
}

std::string utf16_prefix(std::string_view s, double n) {
  if (!(n > 0)) return {};
  std::size_t units = 0, i = 0;
  const double limit = std::floor(n);
  while (i < s.size()) {
    std::size_t len = 0;
    const char32_t cp = decode_at(s, i, len);
    const std::size_t w = cp >= 0x10000 ? 2 : 1;
    if (units + w > limit) {
      std::string out(s.substr(0, i));
      if (units + 1 == limit && w == 2) {  // keep the high surrogate alone, as WTF-8
        const char32_t high = 0xD800 + ((cp - 0x10000) >> 10);
        out += static_cast<char>(0xE0 | (high >> 12));
        out += static_cast<char>(0x80 | ((high >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (high & 0x3F));
      }
      return out;
    }
    units += w;
    i += len;
  }
  return std::string(s);
}

std::string_view trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e) {
    std::size_t len = 0;
    if (!is_whitespace(decode_at(s, b, len))) break;
    b += len;
  }
  while (e > b) {
    std::size_t start = e - 1;
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    std::size_t len = 0;
    if (!is_whitespace(decode_at(s, start, len))) break;
    e = start;
  }
  return s.substr(b, e - b);
}

void append_substitution(std::string& out, std::string_view subject, const RegexMatch& m,
                         std::string_view replacement) {
  for (std::size_t i = 0; i < replacement.size(); ++i) {
    const char c = replacement[i];
    if (c != '$' || i + 1 >= replacement.size()) {
      out += c;
      continue;
    }
    const char n = replacement[i + 1];
    if (n == '$') {
      out += '$';
      ++i;
    } else if (n == '&') {
      out.append(subject.substr(m.begin, m.end - m.begin));
      ++i;
    } else if (n == '`') {
      out.append(subject.substr(0, m.begin));
      ++i;
    } else if (n == '\'') {
      out.append(subject.substr(m.end));
      ++i;
    } else if (n >= '0' && n <= '9') {
      int index = n - '0';
      std::size_t consumed = 1;
      if (i + 2 < replacement.size() && replacement[i + 2] >= '0' && replacement[i + 2] <= '9') {
        const int two = index * 10 + (replacement[i + 2] - '0');
        if (two >= 1 && two <= m.capture_count) {
          index = two;
          consumed = 2;
        }
      }
      if (index >= 1 && index <= m.capture_count) {
        const Capture& cap = m.captures[index - 1];
        if (cap.begin != std::string_view::npos) out.append(subject.substr(cap.begin, cap.end - cap.begin));
        i += consumed;
      } else {
        out += '$';  // "$0", "$7" without such a group: literal
      }
    } else {
      out += '$';  // "$<" without named groups, "$x": literal
    }
  }
}

std::string replace_match(std::string_view subject, const RegexMatch& m, std::string_view replacement) {
  std::string out;
  out.reserve(subject.size() + replacement.size());
  out.append(subject.substr(0, m.begin));
  append_substitution(out, subject, m, replacement);
  out.append(subject.substr(m.end));
  return out;
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    char32_t cp;
    if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07;
    else return false;
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

}  // namespace calllog::js
