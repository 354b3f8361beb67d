#include "tests/support/recorded_request.hpp"

#include <cctype>
#include <stdexcept>

#include <rapidjson/document.h>

#include "adapters/appconnect/js_value.hpp"
#include "common/json.hpp"
#include "tests/support/process.hpp"

namespace calllog::test {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

RecordedRequest from_record_line(const std::string& line) {
  rapidjson::Document d;
  if (!json::parse(d, line).empty() || !d.IsObject()) throw std::runtime_error("bad record line: " + line);
  RecordedRequest r;
  r.method = json::js_string(json::find(d, "method"));
  r.target = json::js_string(json::find(d, "target"));
  r.host = json::js_string(json::find(d, "host"));
  if (const auto* h = json::find(d, "headers"); h && h->IsObject()) {
    for (const auto& m : h->GetObject()) r.headers[lower(m.name.GetString())] = json::js_string(&m.value);
  }
  const auto* b = json::find(d, "body");
  r.body = b ? appconnect::js_json(*b) : "null";
  if (const auto* s = json::find(d, "seq"); s && s->IsUint64()) r.seq = s->GetUint64();
  r.path = r.target.substr(0, r.target.find('?'));
  return r;
}

}  // namespace

std::optional<std::string> RecordedRequest::header(const std::string& name) const {
  if (auto it = headers.find(lower(name)); it != headers.end()) return it->second;
  return std::nullopt;
}

std::vector<RecordedRequest> read_recorded(const std::string& record_file) {
  const std::string text = read_file(record_file);
  std::vector<RecordedRequest> out;
  for (std::size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1) {
    const std::string line = text.substr(at, end - at);
    if (!line.empty()) out.push_back(from_record_line(line));
  }
  return out;
}

}  // namespace calllog::test
