#include "adapters/appconnect/json_object.hpp"

#include "adapters/appconnect/js_value.hpp"
#include "common/json.hpp"

namespace calllog::appconnect {

void JsonObject::key(std::string_view k) {
  if (!first_) out_.push_back(',');
  first_ = false;
  json::append_quoted(out_, k);
  out_.push_back(':');
}

JsonObject& JsonObject::string(std::string_view k, std::string_view v) {
  key(k);
  json::append_quoted(out_, v);
  return *this;
}

JsonObject& JsonObject::number(std::string_view k, double v) {
  key(k);
  append_js_number(out_, v);
  return *this;
}

JsonObject& JsonObject::integer(std::string_view k, long long v) {
  key(k);
  out_ += std::to_string(v);
  return *this;
}

JsonObject& JsonObject::boolean(std::string_view k, bool v) {
  key(k);
  out_ += v ? "true" : "false";
  return *this;
}

JsonObject& JsonObject::null(std::string_view k) {
  key(k);
  out_ += "null";
  return *this;
}

JsonObject& JsonObject::value(std::string_view k, const rapidjson::Value& v) {
  key(k);
  append_js_json(out_, v);
  return *this;
}

JsonObject& JsonObject::raw(std::string_view k, std::string_view json) {
  key(k);
  out_ += json;
  return *this;
}

std::string JsonObject::str() {
  out_.push_back('}');
  return std::move(out_);
}

}  // namespace calllog::appconnect
