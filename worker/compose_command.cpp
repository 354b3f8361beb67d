// The `compose` sub-command (see compose_command.hpp).
#include "worker/compose_command.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "common/composer/composer.hpp"
#include "common/event.hpp"
#include "common/event_reader.hpp"
#include "common/json.hpp"

namespace calllog {
namespace {

void append_error(std::string& line, const Failure& f) {
  line += ",\"error\":{\"code\":";
  json::append_quoted(line, f.code);
  line += ",\"httpStatus\":";
  line += f.http_status ? std::to_string(*f.http_status) : "null";
  line += f.retryable ? ",\"retryable\":true" : ",\"retryable\":false";
  line += ",\"detail\":";
  json::append_quoted(line, f.detail);
  line += "}}";
}

void append_id(std::string& line, const std::optional<std::string>& id) {
  line += "{\"id\":";
  if (id) json::append_quoted(line, *id);
  else line += "null";
}

// Splits text into JSON lines, for input that is not valid as a whole (one bad line must not hide
// the others' results).
std::vector<std::string> non_blank_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
  return lines;
}

}  // namespace

std::string compose_line(const std::string& raw_element) {
  ParsedEvent parsed = parse_event(raw_element);
  std::string line;
  append_id(line, parsed.id);
  if (parsed.error) {
    append_error(line, *parsed.error);
    return line;
  }
  ComposeOutcome composed = compose_for_platform(parsed.event->doc);
  if (composed.error) {
    append_error(line, *composed.error);
    return line;
  }
  line += ",\"platform\":";
  json::append_quoted(line, parsed.event->platform);
  line += ",\"format\":";
  json::append_quoted(line, format_name(composed.ok->format));
  line += ",\"body\":";
  json::append_quoted(line, composed.ok->body);
  line += '}';
  return line;
}

int run_compose_command(const std::string& path_or_dash, std::ostream& out, std::ostream& err) {
  std::string text;
  if (path_or_dash == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream f(path_or_dash, std::ios::binary);
    if (!f) {
      err << "compose: cannot open " << path_or_dash << "\n";
      return 1;
    }
    text.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  std::istringstream in(text);
  EventFile file = read_event_file(in);
  // A file that is not readable as a whole (e.g. one line with invalid UTF-8) is taken line by line,
  // each bad line getting its own invalid_event result.
  const std::vector<std::string> elements = file.error.empty() ? std::move(file.elements) : non_blank_lines(text);
  std::string line;
  for (const std::string& raw : elements) {
    line = compose_line(raw);
    line += '\n';
    out << line;
  }
  out.flush();
  return out ? 0 : 1;
}

}  // namespace calllog
