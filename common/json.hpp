#pragma once
// JSON helpers shared by the composer, the adapters and the worker (RapidJSON underneath).
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace calllog::json {

// Appends `s` as a JSON string literal the way JavaScript's JSON.stringify writes it:
// `"` and `\` escaped, \b \f \n \r \t, other control characters as \u00xx (lowercase hex),
// `/` and non-ASCII left raw, and a lone surrogate carried as WTF-8 (ED A0..BF xx) written as
// \udxxx — so a body truncated inside a surrogate pair (NetSuite) is still valid JSON.
void append_quoted(std::string& out, std::string_view s);
std::string quoted(std::string_view s);

// Byte offset of the first invalid UTF-8 sequence (overlong, surrogate, > U+10FFFF, truncated),
// or npos when `s` is valid UTF-8.
std::size_t invalid_utf8_offset(std::string_view s);
// `s` with each invalid byte replaced by U+FFFD (for echoing undecodable input in JSON).
std::string to_valid_utf8(std::string_view s);

// Serializes a RapidJSON value compactly (keys in insertion order).
std::string to_string(const rapidjson::Value& v);

// Member lookup that tolerates a non-object `v`; nullptr when absent.
const rapidjson::Value* find(const rapidjson::Value& v, std::string_view key);
// find() then a path of keys: find_path(ev, {"user", "platformAdditionalInfo", "apiUrl"}).
const rapidjson::Value* find_path(const rapidjson::Value& v,
                                  std::initializer_list<std::string_view> keys);
// The string value, when `v` is a string.
std::optional<std::string_view> string_at(const rapidjson::Value* v);
// JavaScript's String(v) for a JSON scalar: strings as is, numbers in JS's shortest form
// (1 → "1", 1.5 → "1.5", 1e21 → "1e+21"), true/false, null → "null"; nullptr → "undefined".
std::string js_string(const rapidjson::Value* v);
// JavaScript's number-to-string (Number.prototype.toString) for a double.
std::string js_number(double d);

// Parses text into `doc` (UTF-8 validated); returns an error message or empty on success.
std::string parse(rapidjson::Document& doc, std::string_view text);
// The same for text already checked to be valid UTF-8 (skips RapidJSON's slower validation).
std::string parse_valid_utf8(rapidjson::Document& doc, std::string_view text);

}  // namespace calllog::json
