#pragma once
// Writes a JSON object the way JSON.stringify writes a JavaScript object literal: keys in the
// order they are added, numbers in JavaScript's shortest form (NaN → null), strings escaped as
// JSON.stringify escapes them. Used for request bodies and App Connect's reply objects.
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace calllog::appconnect {

class JsonObject {
 public:
  JsonObject() : out_("{") {}

  JsonObject& string(std::string_view key, std::string_view value);
  JsonObject& number(std::string_view key, double value);
  JsonObject& integer(std::string_view key, long long value);
  JsonObject& boolean(std::string_view key, bool value);
  JsonObject& null(std::string_view key);
  // A JSON value copied as JSON.stringify would write it.
  JsonObject& value(std::string_view key, const rapidjson::Value& value);
  // Already-serialized JSON (an object or array built by another JsonObject, say).
  JsonObject& raw(std::string_view key, std::string_view json);

  // The finished object; the builder must not be used afterwards.
  std::string str();

 private:
  void key(std::string_view k);
  std::string out_;
  bool first_ = true;
};

}  // namespace calllog::appconnect
