#pragma once
// Hand-written equivalents of the regular expressions App Connect's composer and connectors run
// over the whole body (APPCONNECT.md §1.4, §3.4, §3.6). Each returns the first (leftmost) match the
// JavaScript regex would find, with its capture groups, so String#replace can be reproduced.
#include <string_view>

#include "common/composer/js_semantics.hpp"

namespace calllog::composer {

using js::RegexMatch;

// /(?:<li>)?<b>LABEL<\/b>:\s*([^<\n]+)(?:<\/li>|(?=<|$))/i   (label: lowercase ASCII)
RegexMatch match_html_item(std::string_view body, std::string_view label);

// /(?:<li>)?<b>LABEL<\/b>:\s*(?:<a[^>]*>[^<]*<\/a>|[^<]+)(?:<\/li>|(?=<|$))/i
RegexMatch match_html_link(std::string_view body, std::string_view label);

// /<div><b>LABEL<\/b><br>(.+?)<\/div>/
RegexMatch match_html_div(std::string_view body, std::string_view label);

// /PREFIX[^\n]*\n*/ (optionally /i), e.g. PREFIX "- Summary: " or "**Summary**: ".
// `capture_value` makes [^\n]* capture group 1, as the RingCentral-user-name patterns do.
RegexMatch match_field_line(std::string_view body, std::string_view prefix, bool ignore_case, bool capture_value);

// /- LABEL: ([^\n-]+)(?=\n-|\n|$)/   (prefix = "- LABEL: ")
RegexMatch match_dash_value(std::string_view body, std::string_view prefix);

// /^(PREFIX).*$/m — a line that starts with PREFIX, up to the next line terminator.
RegexMatch match_line_starting(std::string_view body, std::string_view prefix);

// /OPEN([\s\S]*?)CLOSE/ (with `optional_newline`: /OPEN[\s\S]*?CLOSE\n?/, no capture).
RegexMatch match_block(std::string_view body, std::string_view open, std::string_view close,
                       bool optional_newline = false);

// /### LABEL\n([\s\S]*?)(?=\n### |\n$|$)/   (head = "### LABEL\n")
RegexMatch match_markdown_block(std::string_view body, std::string_view head);

// Redtail: /(<li><b>Date\/[Tt]ime<\/b>:\s*)[^<]+(<\/li>)/i
RegexMatch match_redtail_date_item(std::string_view body);

// Case-insensitive (ASCII) search for a lowercase needle, as the /i flag compares letters.
std::size_t find_icase(std::string_view hay, std::string_view lower_needle, std::size_t from = 0);

}  // namespace calllog::composer
