#pragma once
// What the mock CRM saw: its --record file, one JSON object per request and line
// ({"seq","method","target","host","headers","body"}), read back for the tests.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace calllog::test {

struct RecordedRequest {
  std::string method;
  std::string target;  // path?query as sent
  std::string host;    // the Host header as received ("acme.pipedrive.com:PORT")
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;    // canonical JSON text (JSON.stringify of the parsed body), or "null"
  uint64_t seq = 0;    // the mock's request number
  std::string path{};  // target before '?'
  // Header value by case-insensitive name.
  std::optional<std::string> header(const std::string& name) const;
};

// The requests recorded so far. A last line the mock is still writing (no newline yet) is left
// for the next read; any other line that is not a JSON object throws std::runtime_error.
std::vector<RecordedRequest> read_recorded(const std::string& record_file);

}  // namespace calllog::test
