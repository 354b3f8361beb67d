#pragma once
// The JavaScript rules App Connect's composer relies on, each in one named helper. Strings are
// UTF-8 (WTF-8 once NetSuite's truncation has split a surrogate pair); "UTF-16 units" below are
// what JavaScript's String#length counts.
#include <cstddef>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace calllog::js {

// JS truthiness (`if (x)`): null/undefined, false, 0, NaN and "" are false; objects and arrays true.
// `v == nullptr` stands for undefined.
bool truthy(const rapidjson::Value* v);

// `v ?? fallback` then truthiness: a null or undefined value takes the default.
bool truthy_or(const rapidjson::Value* v, bool fallback);

// JS Number(v) (ToNumber): strings per StringToNumber (trimmed, "" → 0, 0x/0o/0b, Infinity),
// null → 0, booleans → 0/1, undefined and objects → NaN, arrays via their String().
double to_number(const rapidjson::Value* v);
double string_to_number(std::string_view s);

// JS String(v) — also what `${v}` in a template literal writes ("undefined" for nullptr).
std::string to_string(const rapidjson::Value* v);
void append_string(std::string& out, const rapidjson::Value* v);

// JS Number.prototype.toString() for a double (shortest round-trip form).
std::string number_to_string(double d);

// JS regex \s: WhiteSpace and LineTerminator code points. `cp` is a code point.
bool is_whitespace(char32_t cp);
// JS LineTerminator (what `.` does not match and where multiline ^/$ break): \n \r U+2028 U+2029.
bool is_line_terminator(char32_t cp);

// Decodes the code point at byte i (UTF-8 or WTF-8); sets `len` to its byte length.
char32_t decode_at(std::string_view s, std::size_t i, std::size_t& len);

// String#length: UTF-16 code units.
std::size_t utf16_length(std::string_view s);

// String#substring(0, n) in UTF-16 units (n < 0 → ""). A cut inside a surrogate pair keeps the
// lone high surrogate, as JavaScript does, encoded as WTF-8 (ED A0..AF xx).
std::string utf16_prefix(std::string_view s, double n);

// String#trim(): strips \s from both ends.
std::string_view trim(std::string_view s);

// The $-patterns of String#replace's replacement text (GetSubstitution): $$ → $, $& → the match,
// $` → the text before it, $' → the text after it, $n/$nn → capture n (1 ≤ n ≤ capture_count;
// an unmatched capture gives ""), anything else literally.
struct Capture {
  std::size_t begin = std::string_view::npos;  // npos: the capture did not participate
  std::size_t end = 0;
};
struct RegexMatch {
  std::size_t begin = std::string_view::npos;  // npos: no match
  std::size_t end = 0;
  int capture_count = 0;  // the pattern's number of capturing groups
  Capture captures[2];
  bool found() const { return begin != std::string_view::npos; }
};
void append_substitution(std::string& out, std::string_view subject, const RegexMatch& m,
                         std::string_view replacement);

// subject.replace(regex, replacement) for a (non-global) match `m`: the first match replaced with
// the expanded replacement text. Returns the new string.
std::string replace_match(std::string_view subject, const RegexMatch& m, std::string_view replacement);

// Well-formed UTF-8 check (invalid input is an invalid_event).
bool is_valid_utf8(std::string_view s);

}  // namespace calllog::js
