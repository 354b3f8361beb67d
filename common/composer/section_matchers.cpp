// Hand-written regex matchers (see section_matchers.hpp). Each function documents the backtracking
// it reproduces; all of them scan left to right and return the leftmost match like RegExp#exec.
#include "common/composer/section_matchers.hpp"

#include <cstring>
#include <vector>

namespace calllog::composer {
namespace {

constexpr std::size_t npos = std::string_view::npos;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_icase(std::string_view s, std::size_t at, std::string_view lower_needle) {
  if (at + lower_needle.size() > s.size()) return false;
  for (std::size_t k = 0; k < lower_needle.size(); ++k)
    if (lower(s[at + k]) != lower_needle[k]) return false;
  return true;
}

// Positions after each code point of a greedy \s* starting at `t` (first element: t itself).
std::vector<std::size_t> whitespace_run(std::string_view s, std::size_t t) {
  std::vector<std::size_t> stops{t};
  std::size_t i = t;
  while (i < s.size()) {
    std::size_t len = 0;
    if (!js::is_whitespace(js::decode_at(s, i, len))) break;
    i += len;
    stops.push_back(i);
  }
  return stops;
}

RegexMatch make(std::size_t b, std::size_t e, int captures) {
  RegexMatch m;
  m.begin = b;
  m.end = e;
  m.capture_count = captures;
  return m;
}

// The start of a /(?:<li>)?<b>…/i match whose "<b>" is at q.
std::size_t with_optional_li(std::string_view body, std::size_t q) {
  return (q >= 4 && starts_icase(body, q - 4, "<li>")) ? q - 4 : q;
}

// The tail (?:<\/li>|(?=<|$)) at e (already known to be '<' or the end): the match end.
std::size_t item_end(std::string_view body, std::size_t e) { return starts_icase(body, e, "</li>") ? e + 5 : e; }

std::string html_label_head(std::string_view label) {
  std::string head = "<b>";
  head.append(label);
  head += "</b>:";
  return head;
}

}  // namespace

std::size_t find_icase(std::string_view hay, std::string_view lower_needle, std::size_t from) {
  if (lower_needle.empty()) return from <= hay.size() ? from : npos;
  const char first = lower_needle[0];
  const bool letter = first >= 'a' && first <= 'z';
  for (std::size_t i = from; i + lower_needle.size() <= hay.size();) {
    if (!letter) {
      const void* p = std::memchr(hay.data() + i, first, hay.size() - lower_needle.size() + 1 - i);
      if (p == nullptr) return npos;
      i = static_cast<std::size_t>(static_cast<const char*>(p) - hay.data());
    }
    if (starts_icase(hay, i, lower_needle)) return i;
    ++i;
  }
  return npos;
}

RegexMatch match_html_item(std::string_view body, std::string_view label) {
  const std::string head = html_label_head(label);
  for (std::size_t q = find_icase(body, head); q != npos; q = find_icase(body, head, q + 1)) {
    const std::vector<std::size_t> stops = whitespace_run(body, q + head.size());
    // Backtrack \s* from its longest run; [^<\n]+ runs greedily to the first '<' or '\n' and
    // the tail needs '<' (or </li>) or the end of input right there.
    for (auto it = stops.rbegin(); it != stops.rend(); ++it) {
      const std::size_t k = *it;
      const std::size_t e = std::min(body.find_first_of("<\n", k), body.size());
      if (e > k && (e == body.size() || body[e] == '<')) {
        RegexMatch m = make(with_optional_li(body, q), item_end(body, e), 1);
        m.captures[0] = {k, e};
        return m;
      }
    }
  }
  return {};
}

RegexMatch match_html_link(std::string_view body, std::string_view label) {
  const std::string head = html_label_head(label);
  for (std::size_t q = find_icase(body, head); q != npos; q = find_icase(body, head, q + 1)) {
    const std::vector<std::size_t> stops = whitespace_run(body, q + head.size());
    for (auto it = stops.rbegin(); it != stops.rend(); ++it) {
      const std::size_t k = *it;
      if (k < body.size() && body[k] == '<') {
        // <a[^>]*>[^<]*<\/a> then the tail; each part is deterministic.
        if (!starts_icase(body, k, "<a")) continue;
        const std::size_t gt = body.find('>', k + 2);
        if (gt == npos) continue;
        const std::size_t lt = body.find('<', gt + 1);
        if (lt == npos || !starts_icase(body, lt, "</a>")) continue;
        const std::size_t after = lt + 4;
        if (after == body.size() || body[after] == '<') return make(with_optional_li(body, q), item_end(body, after), 0);
        continue;
      }
      if (k < body.size()) {  // [^<]+ to the next '<' or the end: the tail always holds there
        const std::size_t e = std::min(body.find('<', k), body.size());
        return make(with_optional_li(body, q), item_end(body, e), 0);
      }
    }
  }
  return {};
}

RegexMatch match_html_div(std::string_view body, std::string_view label) {
  std::string head = "<div><b>";
  head.append(label);
  head += "</b><br>";
  for (std::size_t q = body.find(head); q != npos; q = body.find(head, q + 1)) {
    const std::size_t c = q + head.size();
    // (.+?) lazily: at least one non-terminator, then the first "</div>".
    for (std::size_t i = c; i < body.size();) {
      if (i > c && body.compare(i, 6, "</div>") == 0) {
        RegexMatch m = make(q, i + 6, 1);
        m.captures[0] = {c, i};
        return m;
      }
      std::size_t len = 0;
      if (js::is_line_terminator(js::decode_at(body, i, len))) break;
      i += len;
    }
  }
  return {};
}

RegexMatch match_field_line(std::string_view body, std::string_view prefix, bool ignore_case, bool capture_value) {
  std::string lowered;
  if (ignore_case) {
    lowered.reserve(prefix.size());
    for (char c : prefix) lowered += lower(c);
  }
  const std::size_t q = ignore_case ? find_icase(body, lowered) : body.find(prefix);
  if (q == npos) return {};
  const std::size_t v = q + prefix.size();
  const std::size_t nl = std::min(body.find('\n', v), body.size());
  std::size_t e = nl;
  while (e < body.size() && body[e] == '\n') ++e;
  RegexMatch m = make(q, e, capture_value ? 1 : 0);
  if (capture_value) m.captures[0] = {v, nl};
  return m;
}

RegexMatch match_dash_value(std::string_view body, std::string_view prefix) {
  for (std::size_t q = body.find(prefix); q != npos; q = body.find(prefix, q + 1)) {
    const std::size_t v = q + prefix.size();
    const std::size_t e = std::min(body.find_first_of("\n-", v), body.size());
    // [^\n-]+ then (?=\n-|\n|$): only the greedy end can be followed by '\n' or the end.
    if (e > v && (e == body.size() || body[e] == '\n')) {
      RegexMatch m = make(q, e, 1);
      m.captures[0] = {v, e};
      return m;
    }
  }
  return {};
}

RegexMatch match_line_starting(std::string_view body, std::string_view prefix) {
  for (std::size_t q = body.find(prefix); q != npos; q = body.find(prefix, q + 1)) {
    // ^ in multiline mode: start of input or right after \n, \r, U+2028, U+2029.
    bool line_start = q == 0 || body[q - 1] == '\n' || body[q - 1] == '\r';
    if (!line_start && q >= 3) {
      const std::string_view prev = body.substr(q - 3, 3);
      line_start = prev == "\xE2\x80\xA8" || prev == "\xE2\x80\xA9";
    }
    if (!line_start) continue;
    std::size_t e = q + prefix.size();
    while (e < body.size()) {
      std::size_t len = 0;
      if (js::is_line_terminator(js::decode_at(body, e, len))) break;
      e += len;
    }
    RegexMatch m = make(q, e, 1);
    m.captures[0] = {q, q + prefix.size()};
    return m;
  }
  return {};
}

RegexMatch match_block(std::string_view body, std::string_view open, std::string_view close, bool optional_newline) {
  // The first OPEN with a CLOSE after it; a later OPEN cannot do better than the first.
  const std::size_t q = body.find(open);
  if (q == npos) return {};
  const std::size_t c = body.find(close, q + open.size());
  if (c == npos) return {};
  std::size_t e = c + close.size();
  if (optional_newline) {
    if (e < body.size() && body[e] == '\n') ++e;
    return make(q, e, 0);
  }
  RegexMatch m = make(q, e, 1);
  m.captures[0] = {q + open.size(), c};
  return m;
}

RegexMatch match_markdown_block(std::string_view body, std::string_view head) {
  const std::size_t q = body.find(head);
  if (q == npos) return {};
  const std::size_t c = q + head.size();
  // Lazy [\s\S]*? up to the first "\n### ", a "\n" that ends the input, or the end.
  std::size_t e = c;
  for (; e < body.size(); ++e) {
    if (body[e] == '\n' && (e + 1 == body.size() || body.compare(e, 5, "\n### ") == 0)) break;
  }
  RegexMatch m = make(q, e, 1);
  m.captures[0] = {c, e};
  return m;
}

RegexMatch match_redtail_date_item(std::string_view body) {
  constexpr std::string_view head = "<li><b>date/time</b>:";  // [Tt] under /i: any case
  for (std::size_t q = find_icase(body, head); q != npos; q = find_icase(body, head, q + 1)) {
    const std::size_t t = q + head.size();
    const std::vector<std::size_t> stops = whitespace_run(body, t);
    const std::size_t lt = body.find('<', t);
    if (lt == npos || !starts_icase(body, lt, "</li>")) continue;
    // \s* gives back whitespace until [^<]+ has at least one character before the '<'.
    std::size_t k = npos;
    for (auto it = stops.rbegin(); it != stops.rend(); ++it)
      if (*it < lt) {
        k = *it;
        break;
      }
    if (k == npos) continue;
    RegexMatch m = make(q, lt + 5, 2);
    m.captures[0] = {q, k};
    m.captures[1] = {lt, lt + 5};
    return m;
  }
  return {};
}

}  // namespace calllog::composer
