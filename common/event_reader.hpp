#pragma once
// Reads queue elements from a file the way `enqueue` and `compose` take them (CONTRACT §6):
// one JSON object, a JSON array of objects, or JSON lines (one object per line).
#include <istream>
#include <string>
#include <vector>

namespace calllog {

struct EventFile {
  std::vector<std::string> elements;  // each element's JSON text, compact
  std::string error;                  // non-empty: the file is malformed ("line 7: ...")
};

EventFile read_event_file(std::istream& in);
// "-" reads standard input.
EventFile read_event_file(const std::string& path);

}  // namespace calllog
