#pragma once
// `calllog-worker compose FILE|-` (CONTRACT §6): one JSON line per event with the body its adapter
// would send, or the reason the event is invalid. No network, no Redis.
#include <ostream>
#include <string>

namespace calllog {

// Reads events like `enqueue` (a JSON object, an array of objects, or JSON lines) from the file or
// "-" (standard input) and prints {"id","platform","format","body"} or {"id","error"} per event.
// Returns 0, or 1 when the input cannot be read at all.
int run_compose_command(const std::string& path_or_dash, std::ostream& out, std::ostream& err);

// The output line (without newline) for one raw queue element.
std::string compose_line(const std::string& raw_element);

}  // namespace calllog
