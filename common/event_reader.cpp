#include "common/event_reader.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "common/json.hpp"

namespace calllog {
namespace {

std::size_t line_of(const std::string& text, std::size_t offset) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i)
    if (text[i] == '\n') ++line;
  return line;
}

}  // namespace

EventFile read_event_file(std::istream& in) {
  EventFile out;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return out;  // empty file: nothing to push

  if (text[first] == '[' || text[first] == '{') {
    // A whole-file JSON value (object or array)? Try that first.
    rapidjson::Document doc;
    if (json::parse(doc, text).empty()) {
      if (doc.IsObject()) {
        out.elements.push_back(json::to_string(doc));
        return out;
      }
      for (auto& v : doc.GetArray()) {
        if (!v.IsObject()) {
          out.error = "array element is not a JSON object";
          out.elements.clear();
          return out;
        }
        out.elements.push_back(json::to_string(v));
      }
      return out;
    }
    if (text[first] == '[') {
      doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
      out.error = "line " + std::to_string(line_of(text, doc.GetErrorOffset())) + ": " +
                  json::parse(doc, text);
      return out;
    }
  }
  // JSON lines.
  std::istringstream lines(text);
  std::string line;
  std::size_t n = 0;
  while (std::getline(lines, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    rapidjson::Document doc;
    auto err = json::parse(doc, line);
    if (!err.empty()) {
      out.error = "line " + std::to_string(n) + ": " + err;
      out.elements.clear();
      return out;
    }
    if (!doc.IsObject()) {
      out.error = "line " + std::to_string(n) + ": not a JSON object";
      out.elements.clear();
      return out;
    }
    out.elements.push_back(json::to_string(doc));
  }
  return out;
}

EventFile read_event_file(const std::string& path) {
  if (path == "-") return read_event_file(std::cin);
  std::ifstream f(path, std::ios::binary);
  if (!f) return EventFile{{}, "cannot open " + path};
  return read_event_file(f);
}

}  // namespace calllog
