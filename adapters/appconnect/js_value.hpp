#pragma once
// JavaScript value semantics the connectors rely on, applied to JSON values from the event:
// truthiness, Number(), and JSON.stringify of a value (keys in order, numbers in JS form).
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace calllog::appconnect {

// JavaScript truthiness of a JSON value; nullptr (undefined) is false.
// Objects and arrays are truthy; "", 0, NaN, null, false are not.
bool js_truthy(const rapidjson::Value* v);

// `v == null` in JavaScript: absent or null.
inline bool js_nullish(const rapidjson::Value* v) { return !v || v->IsNull(); }

// JavaScript's Number(s) for a string: trimmed, "" → 0, 0x/0o/0b prefixes, Infinity,
// decimal literals; anything else NaN.
double js_number_from_string(std::string_view s);

// JavaScript's Number(v) for a JSON value (undefined → NaN, null → 0, booleans → 0/1,
// arrays through their String(), objects → NaN).
double js_to_number(const rapidjson::Value* v);

// Appends JSON.stringify(x) for a number: NaN and ±Infinity become null.
void append_js_number(std::string& out, double d);

// Appends JSON.stringify(v) for a JSON value: keys in their order, strings escaped as
// JSON.stringify escapes them, numbers in JavaScript's shortest form.
void append_js_json(std::string& out, const rapidjson::Value& v);
std::string js_json(const rapidjson::Value& v);

}  // namespace calllog::appconnect
