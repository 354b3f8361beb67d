// Golden corpora (../shared/spec/golden/compose-*.jsonl): every event's format and body must equal
// App Connect's, in-process, under TZ=Pacific/Chatham + a Turkish locale, and through the
// `calllog-worker compose -` binary once it answers `compose --help`.
#define BOOST_TEST_MODULE test_golden_compose
#include <boost/test/unit_test.hpp>

#include <clocale>
#include <map>
#include <optional>
#include <cstdlib>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "worker/compose_command.hpp"

namespace {

struct Case {
  std::string id;
  std::string event;  // the event object's JSON text
  std::string format;
  std::string body;
};

void append_utf8(std::string& out, char32_t cp) {  // lone surrogates come out as WTF-8
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the JSON string literal that follows `"key":` (first occurrence at or after `from`),
// tolerating lone surrogates (RapidJSON rejects them; the expected NetSuite bodies contain them).
std::optional<std::string> string_after_key(const std::string& line, const std::string& key, std::size_t from = 0) {
  const std::string needle = "\"" + key + "\":";
  std::size_t i = line.find(needle, from);
  if (i == std::string::npos) return std::nullopt;
  i += needle.size();
  while (i < line.size() && line[i] == ' ') ++i;
  if (i >= line.size() || line[i] != '"') return std::nullopt;
  std::string out;
  for (++i; i < line.size() && line[i] != '"'; ++i) {
    if (line[i] != '\\') {
      out += line[i];
      continue;
    }
    const char e = line[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        char32_t cp = std::stoul(line.substr(i + 1, 4), nullptr, 16);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && line.compare(i + 1, 2, "\\u") == 0) {
          const char32_t low = std::stoul(line.substr(i + 3, 4), nullptr, 16);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        append_utf8(out, cp);
        break;
      }
      default: out += e;
    }
  }
  return out;
}

std::vector<Case> load(const std::string& file) {
  std::vector<Case> cases;
  std::istringstream in(calllog::test::read_file(calllog::test::shared_dir() + "/spec/golden/" + file));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::size_t expect = line.rfind(",\"expect\":");
    BOOST_REQUIRE(line.rfind("{\"event\":", 0) == 0 && expect != std::string::npos);
    Case c;
    c.event = line.substr(9, expect - 9);
    c.id = string_after_key(c.event, "id").value_or("?");
    c.format = string_after_key(line, "format", expect).value_or("?");
    c.body = string_after_key(line, "body", expect).value_or("?");
    cases.push_back(std::move(c));
  }
  return cases;
}

std::string visible(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n') out += "\\n";
    else if (c < 0x20) out += "\\x" + std::to_string(c);
    else out += static_cast<char>(c);
  }
  return out;
}

// A readable diff: the first differing byte and 60 bytes of context on each side.
std::string diff(const std::string& want, const std::string& got) {
  std::size_t p = 0;
  while (p < want.size() && p < got.size() && want[p] == got[p]) ++p;
  const std::size_t from = p > 60 ? p - 60 : 0;
  std::ostringstream o;
  o << "first difference at byte " << p << " (lengths " << want.size() << " vs " << got.size() << ")\n"
    << "  want: ..." << visible(want.substr(from, p - from)) << "[[" << visible(want.substr(p, 80)) << "]]\n"
    << "  got:  ..." << visible(got.substr(from, p - from)) << "[[" << visible(got.substr(p, 80)) << "]]";
  return o.str();
}

// Compares output lines (one per case, in order) with the expectations; returns the pass count.
std::size_t check(const std::vector<Case>& cases, const std::vector<std::string>& lines, const std::string& how) {
  std::size_t passed = 0;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    if (k >= lines.size()) {
      BOOST_ERROR(how << ": no output line for " << c.id);
      continue;
    }
    const auto format = string_after_key(lines[k], "format");
    const auto body = string_after_key(lines[k], "body");
    if (!format || !body) {
      BOOST_ERROR(how << ": " << c.id << " gave no body: " << lines[k].substr(0, 400));
      continue;
    }
    if (*format != c.format) {
      BOOST_ERROR(how << ": " << c.id << " format " << *format << " != " << c.format);
      continue;
    }
    if (*body != c.body) {
      BOOST_ERROR(how << ": " << c.id << " body differs: " << diff(c.body, *body));
      continue;
    }
    ++passed;
  }
  return passed;
}

std::vector<std::string> compose_in_process(const std::vector<Case>& cases) {
  std::vector<std::string> lines;
  for (const Case& c : cases) lines.push_back(calllog::compose_line(c.event));
  return lines;
}

void run_in_process(const std::string& file) {
  const auto cases = load(file);
  BOOST_REQUIRE(!cases.empty());
  const std::size_t passed = check(cases, compose_in_process(cases), "in-process");
  BOOST_TEST_MESSAGE(file << ": " << passed << "/" << cases.size() << " match");
  BOOST_TEST(passed == cases.size());
}

bool binary_has_compose() {
  const std::string bin = calllog::test::worker_bin();
  if (bin.empty()) return false;
  return calllog::test::run({bin, "compose", "--help"}, "", {}, std::chrono::seconds(20)).exit_code == 0;
}

void run_binary(const std::string& file, std::map<std::string, std::string> env) {
  const auto cases = load(file);
  std::string input;
  for (const Case& c : cases) input += c.event + "\n";
  const auto r = calllog::test::run({calllog::test::worker_bin(), "compose", "-"}, input, std::move(env));
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "compose exited " << r.exit_code << ": " << r.err);
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  BOOST_TEST(lines.size() == cases.size());
  const std::size_t passed = check(cases, lines, "binary");
  BOOST_TEST_MESSAGE(file << " via binary: " << passed << "/" << cases.size() << " match");
  BOOST_TEST(passed == cases.size());
}

const std::map<std::string, std::string> kOddEnvironment{{"TZ", "Pacific/Chatham"}, {"LC_ALL", "tr_TR.UTF-8"}};

}  // namespace

BOOST_AUTO_TEST_CASE(public_corpus_in_process) { run_in_process("compose-public.jsonl"); }

BOOST_AUTO_TEST_CASE(edge_corpus_in_process) { run_in_process("compose-edge.jsonl"); }

BOOST_AUTO_TEST_CASE(same_bytes_under_chatham_time_and_turkish_locale) {
  const auto cases = load("compose-public.jsonl");
  const auto reference = compose_in_process(cases);
  setenv("TZ", "Pacific/Chatham", 1);
  tzset();
  const char* loc = std::setlocale(LC_ALL, "tr_TR.UTF-8");
  BOOST_TEST_MESSAGE("locale: " << (loc ? loc : "(tr_TR.UTF-8 unavailable)"));
  auto edge = load("compose-edge.jsonl");
  const std::size_t passed_edge = check(edge, compose_in_process(edge), "in-process TZ/locale");
  const auto again = compose_in_process(cases);
  std::setlocale(LC_ALL, "C");
  unsetenv("TZ");
  tzset();
  BOOST_TEST(passed_edge == edge.size());
  BOOST_TEST(again == reference, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(binary_compose_matches_when_wired) {
  if (!binary_has_compose()) {
    BOOST_TEST_MESSAGE("CALLLOG_BIN does not answer `compose --help` yet: binary check skipped");
    return;
  }
  run_binary("compose-public.jsonl", {});
  run_binary("compose-edge.jsonl", {});
  run_binary("compose-edge.jsonl", kOddEnvironment);
  run_binary("compose-public.jsonl", kOddEnvironment);
}
