#include "common/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <rapidjson/error/en.h>

namespace calllog::json {

// Returns the byte offset of the first invalid UTF-8 sequence, or npos.
std::size_t invalid_utf8_offset(std::string_view s) {
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned char c = p[i];
    std::size_t n;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return i;
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += n + 1;
  }
  return std::string_view::npos;
}

std::string to_valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    auto bad = invalid_utf8_offset(s);
    if (bad == std::string_view::npos) {
      out.append(s);
      break;
    }
    out.append(s.substr(0, bad));
    out += "\xEF\xBF\xBD";  // U+FFFD
    s.remove_prefix(bad + 1);
  }
  return out;
}

void append_quoted(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    if (c < 0x20) {
      out += "\\u00";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    } else if (c == 0xED && i + 2 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0xA0) {
      // WTF-8 surrogate (U+D800..U+DFFF): JSON.stringify writes a lone one as \udxxx.
      const unsigned cp = 0xD000u | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                          (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      out += "\\u";
      out.push_back(hex[(cp >> 12) & 0xF]);
      out.push_back(hex[(cp >> 8) & 0xF]);
      out.push_back(hex[(cp >> 4) & 0xF]);
      out.push_back(hex[cp & 0xF]);
      i += 2;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_quoted(out, s);
  return out;
}

std::string to_string(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

const rapidjson::Value* find(const rapidjson::Value& v, std::string_view key) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
  return it == v.MemberEnd() ? nullptr : &it->value;
}

const rapidjson::Value* find_path(const rapidjson::Value& v,
                                  std::initializer_list<std::string_view> keys) {
  const rapidjson::Value* cur = &v;
  for (auto k : keys) {
    cur = find(*cur, k);
    if (!cur) return nullptr;
  }
  return cur;
}

std::optional<std::string_view> string_at(const rapidjson::Value* v) {
  if (!v || !v->IsString()) return std::nullopt;
  return std::string_view(v->GetString(), v->GetStringLength());
}

std::string js_number(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  // Shortest round-trip digits, then JavaScript's Number::toString layout.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  (void)ec;
  std::string sci(buf, end);  // e.g. "-1.2345e+02"
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  auto epos = sci.find('e');
  std::string mant = sci.substr(0, epos);
  int exp10 = std::stoi(sci.substr(epos + 1));
  std::string digits;
  for (char c : mant) if (c != '.') digits.push_back(c);
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;  // position of the decimal point
  std::string out = neg ? "-" : "";
  if (k <= n && n <= 21) {
    out += digits + std::string(n - k, '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, n) + "." + digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out += "0." + std::string(-n, '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += "e";
    out += (n - 1 >= 0) ? "+" : "-";
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

std::string js_string(const rapidjson::Value* v) {
  if (!v) return "undefined";
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsBool()) return v->GetBool() ? "true" : "false";
  if (v->IsNull()) return "null";
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  if (v->IsUint64()) return js_number(static_cast<double>(v->GetUint64()));
  if (v->IsNumber()) return js_number(v->GetDouble());
  if (v->IsArray()) {  // Array.prototype.join(',')
    std::string out;
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      if (i) out.push_back(',');
      const auto& e = (*v)[i];
      if (!e.IsNull()) out += js_string(&e);
    }
    return out;
  }
  return "[object Object]";
}

std::string parse(rapidjson::Document& doc, std::string_view text) {
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    return std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " at offset " +
           std::to_string(doc.GetErrorOffset());
  }
  return {};
}

std::string parse_valid_utf8(rapidjson::Document& doc, std::string_view text) {
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    return std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " at offset " +
           std::to_string(doc.GetErrorOffset());
  }
  return {};
}

}  // namespace calllog::json
