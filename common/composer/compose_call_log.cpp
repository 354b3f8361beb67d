// composeCallLog (APPCONNECT.md §1): the sections in App Connect's order, each an "upsert" — the
// first regex match in the body so far is replaced (with JavaScript's $-expansion), otherwise the
// text is appended (the agent note: prepended).
#include <string>

#include "common/composer/composer.hpp"
#include "common/composer/composer_parts.hpp"
#include "common/composer/js_semantics.hpp"
#include "common/composer/section_matchers.hpp"
#include "common/json.hpp"

namespace calllog {
namespace {

using composer::RegexMatch;
using rapidjson::Value;

// One composition: the body so far and the format's section texts.
class Composition {
 public:
  Composition(LogFormat f, std::string& body) : f_(f), body_(body) {}

  // upsertCallAgentNote. The body is still empty when the note comes first, so App Connect's
  // note regexes cannot match and the note is always prepended.
  void note(const std::string& note) {
    switch (f_) {
      case LogFormat::html: body_.insert(0, "<b>Agent notes</b><br>" + note + "<br><br><b>Call details</b><br>"); break;
      case LogFormat::markdown: body_.insert(0, "## Agent notes\n" + note + "\n\n## Call details\n"); break;
      case LogFormat::plain: body_.insert(0, "- Note: " + note + "\n"); break;
    }
  }

  // The one-line fields (Session Id, Summary, RC number, Date/time, Duration, Result, contact).
  // html_label: lowercase label for the /i <li> regex; text: the value.
  void html_item(std::string_view html_label, std::string_view shown_label, std::string_view text) {
    const std::string item = "<li><b>" + std::string(shown_label) + "</b>: " + std::string(text) + "</li>";
    upsert(composer::match_html_item(body_, html_label), item, item);
  }
  void field_line(std::string_view prefix, bool ignore_case, std::string_view text) {
    const std::string line = std::string(prefix) + std::string(text) + "\n";
    upsert(composer::match_field_line(body_, prefix, ignore_case, false), line, line);
  }
  // /- LABEL: ([^\n-]+)(?=\n-|\n|$)/; `newline_on_replace`: the replacement ends in "\n".
  void dash_value(std::string_view prefix, std::string_view text, bool newline_on_replace) {
    const std::string line = std::string(prefix) + std::string(text);
    upsert(composer::match_dash_value(body_, prefix), newline_on_replace ? line + "\n" : line, line + "\n");
  }

  void session_id(const std::string& id) {
    switch (f_) {
      case LogFormat::html: html_item("session id", "Session Id", id); break;
      case LogFormat::markdown: field_line("**Session Id**: ", false, id); break;
      case LogFormat::plain: field_line("- Session Id: ", false, id); break;
    }
  }

  // upsertRingCentralUserName: an existing value is replaced only when it is "(pending...)".
  void ringcentral_user_name(const std::string& name) {
    RegexMatch m;
    std::string text;
    switch (f_) {
      case LogFormat::html:
        m = composer::match_html_item(body_, "ringcentral user name");
        text = "<li><b>RingCentral user name</b>: " + name + "</li>";
        break;
      case LogFormat::markdown:
        m = composer::match_field_line(body_, "**RingCentral user name**: ", true, true);
        text = "**RingCentral user name**: " + name + "\n";
        break;
      case LogFormat::plain:
        m = composer::match_field_line(body_, "- RingCentral user name: ", false, true);
        text = "- RingCentral user name: " + name + "\n";
        break;
    }
    if (!m.found()) {
      body_ += text;
      return;
    }
    const auto& cap = m.captures[0];
    if (js::trim(std::string_view(body_).substr(cap.begin, cap.end - cap.begin)) == "(pending...)")
      body_ = js::replace_match(body_, m, text);
  }

  void ringcentral_number(const std::string& number_and_extension) {
    switch (f_) {
      case LogFormat::html:
        html_item("ringcentral number and extension", "RingCentral number and extension", number_and_extension);
        break;
      case LogFormat::markdown: field_line("**RingCentral number and extension**: ", true, number_and_extension); break;
      case LogFormat::plain: field_line("- RingCentral number and extension: ", false, number_and_extension); break;
    }
  }

  void subject(const std::string& subject) {
    switch (f_) {
      case LogFormat::html: html_item("summary", "Summary", subject); break;
      case LogFormat::markdown: field_line("**Summary**: ", false, subject); break;
      case LogFormat::plain: field_line("- Summary: ", false, subject); break;
    }
  }

  void contact_number(const std::string& phone, bool outbound) {
    switch (f_) {
      case LogFormat::html:
        if (outbound) html_item("recipient phone number", "Recipient phone number", phone);
        else html_item("caller phone number", "Caller phone number", phone);
        break;
      case LogFormat::markdown: field_line("**Contact Number**: ", false, phone); break;
      case LogFormat::plain: dash_value("- Contact Number: ", phone, true); break;
    }
  }

  void date_time(const std::string& text) {
    switch (f_) {
      case LogFormat::html: html_item("date/time", "Date/time", text); break;
      case LogFormat::markdown: field_line("**Date/Time**: ", false, text); break;
      case LogFormat::plain: {
        const std::string line = "- Date/Time: " + text;
        upsert(composer::match_line_starting(body_, "- Date/Time:"), line, line + "\n");
        break;
      }
    }
  }

  void duration(const std::string& text) {
    switch (f_) {
      case LogFormat::html: html_item("duration", "Duration", text); break;
      case LogFormat::markdown: field_line("**Duration**: ", false, text); break;
      case LogFormat::plain: dash_value("- Duration: ", text, false); break;
    }
  }

  void result(const std::string& text) {
    switch (f_) {
      case LogFormat::html: html_item("result", "Result", text); break;
      case LogFormat::markdown: field_line("**Result**: ", false, text); break;
      case LogFormat::plain: dash_value("- Result: ", text, false); break;
    }
  }

  void recording(const std::string& link) {
    switch (f_) {
      case LogFormat::html: {
        const std::string item = link.starts_with("http")
                                     ? "<li><b>Call recording link</b>: <a target=\"_blank\" href=\"" + link + "\">open</a></li>"
                                     : std::string("<li><b>Call recording link</b>: (pending...)</li>");
        const RegexMatch m = composer::match_html_link(body_, "call recording link");
        if (m.found()) {
          body_ = js::replace_match(body_, m, item);
        } else if (const std::size_t ul = body_.find("</ul>"); ul == std::string::npos) {
          body_ += item;
        } else {  // result.replace('</ul>', `${text}</ul>`): a string pattern still expands $
          RegexMatch at;
          at.begin = ul;
          at.end = ul + 5;
          body_ = js::replace_match(body_, at, item + "</ul>");
        }
        break;
      }
      case LogFormat::markdown: field_line("**Call recording link**: ", false, link); break;
      case LogFormat::plain: {
        const std::string line = "- Call recording link: " + link + "\n";
        const RegexMatch m = composer::match_field_line(body_, "- Call recording link: ", false, false);
        if (m.found()) {
          body_ = js::replace_match(body_, m, line);
        } else {
          if (!body_.empty() && body_.back() != '\n') body_ += '\n';
          body_ += line;
        }
        break;
      }
    }
  }

  // AI note, transcript and call journey: a div, a "### " block or a "- X:" … "--- END" block.
  void block(std::string_view label, const std::string& text, std::string_view plain_end) {
    switch (f_) {
      case LogFormat::html: {
        const std::string div = "<div><b>" + std::string(label) + "</b><br>" + html_newlines(text) + "</div>";
        const bool journey = label == "Call journey";
        upsert(composer::match_html_div(body_, label), div, journey ? div : div + "<br>");
        break;
      }
      case LogFormat::markdown: {
        const std::string head = "### " + std::string(label) + "\n";
        const std::string section = head + text + "\n";
        upsert(composer::match_markdown_block(body_, head), section, section);
        break;
      }
      case LogFormat::plain: {
        const std::string open = "- " + std::string(label) + ":";
        const std::string section = open + "\n" + text + "\n" + std::string(plain_end);
        const bool journey = label == "Call journey";
        upsert(composer::match_block(body_, open, plain_end), section, journey ? section + "\n" : "\n" + section + "\n");
        break;
      }
    }
  }

 private:
  void upsert(const RegexMatch& m, std::string_view replacement, std::string_view appended) {
    if (m.found()) body_ = js::replace_match(body_, m, replacement);
    else body_.append(appended);
  }

  // JS: text.replace(/(?:\r\n|\r|\n)/g, '<br>')
  static std::string html_newlines(const std::string& s) {
    std::string out;
    out.reserve(s.size() + 16);
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\r') {
        out += "<br>";
        if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
      } else if (s[i] == '\n') {
        out += "<br>";
      } else {
        out += s[i];
      }
    }
    return out;
  }

  LogFormat f_;
  std::string& body_;
};

const Value* setting(const Value* settings, std::string_view name) {
  return settings ? json::find_path(*settings, {name, "value"}) : nullptr;
}

bool direction_is(const Value* call_log, std::string_view d) {
  auto s = json::string_at(call_log ? json::find(*call_log, "direction") : nullptr);
  return s && *s == d;
}

const Value* at(const Value* v, std::initializer_list<std::string_view> path) {
  return v ? json::find_path(*v, path) : nullptr;
}

}  // namespace

bool try_compose_call_log(const Value& event, LogFormat format, std::string& body, std::string& error) {
  body.clear();
  Composition c(format, body);
  const Value* user = json::find(event, "user");
  const Value* settings = at(user, {"userSettings"});
  const Value* call_log = json::find(event, "callLog");
  const bool inbound = direction_is(call_log, "Inbound");

  if (const Value* note = json::find(event, "note"); js::truthy(note) && js::truthy_or(setting(settings, "addCallLogNote"), true))
    c.note(js::to_string(note));

  if (const Value* id = at(call_log, {"sessionId"}); js::truthy(id) && js::truthy_or(setting(settings, "addCallSessionId"), false))
    c.session_id(js::to_string(id));

  if (js::truthy(setting(settings, "addRingCentralUserName"))) {
    const Value* name = at(call_log, {inbound ? "to" : "from", "name"});
    if (js::truthy(name)) c.ringcentral_user_name(js::to_string(name));
  }

  if (js::truthy_or(setting(settings, "addRingCentralNumber"), false)) {
    const Value* number = at(call_log, {inbound ? "to" : "from", "phoneNumber"});
    if (js::truthy(number)) {
      const Value* ext = at(call_log, {inbound ? "from" : "to", "extensionNumber"});  // cross-wired, `?? ''`
      std::string text = js::to_string(number) + " ";
      if (ext && !ext->IsNull()) js::append_string(text, ext);
      c.ringcentral_number(text);
    }
  }

  if (const Value* subject = at(call_log, {"customSubject"});
      js::truthy(subject) && js::truthy_or(setting(settings, "addCallLogSubject"), true))
    c.subject(js::to_string(subject));

  // Core derives the contact number from the call: from.phoneNumber when Inbound, else to.phoneNumber.
  if (const Value* phone = at(call_log, {inbound ? "from" : "to", "phoneNumber"});
      js::truthy(phone) && js::truthy_or(setting(settings, "addCallLogContactNumber"), false))
    c.contact_number(js::to_string(phone), direction_is(call_log, "Outbound"));

  if (const Value* start = at(call_log, {"startTime"});
      js::truthy(start) && js::truthy_or(setting(settings, "addCallLogDateTime"), true)) {
    const Value* fmt = setting(settings, "logDateFormat");
    const std::string format_text = js::truthy(fmt) ? js::to_string(fmt) : std::string();  // `?? d` then `|| d`
    c.date_time(composer::call_date_text(start, at(user, {"timezoneOffset"}), format_text));
  }

  if (const Value* duration = at(call_log, {"duration"});
      duration != nullptr && js::truthy_or(setting(settings, "addCallLogDuration"), true))
    c.duration(composer::duration_text(duration));

  if (const Value* result = at(call_log, {"result"}); js::truthy(result) && js::truthy_or(setting(settings, "addCallLogResult"), true))
    c.result(js::to_string(result));

  if (const Value* link = at(call_log, {"recording", "link"});
      js::truthy(link) && js::truthy_or(setting(settings, "addCallLogRecording"), true))
    c.recording(js::to_string(link));

  if (const Value* ai = json::find(event, "aiNote"); js::truthy(ai) && js::truthy_or(setting(settings, "addCallLogAiNote"), true)) {
    std::string text = js::to_string(ai);
    while (!text.empty() && text.back() == '\n') text.pop_back();  // aiNote.replace(/\n+$/, '')
    c.block("AI Note", text, "--- END");
  }

  if (const Value* t = json::find(event, "transcript"); js::truthy(t) && js::truthy_or(setting(settings, "addCallLogTranscript"), true))
    c.block("Transcript", js::to_string(t), "--- END");

  if (const Value* legs = at(call_log, {"legs"}); js::truthy(legs) && js::truthy_or(setting(settings, "addCallLogLegs"), true)) {
    if (!(legs->IsArray() && legs->Empty())) {
      std::string journey;
      if (!composer::call_journey(*legs, journey, error)) return false;
      c.block("Call journey", journey, "--- JOURNEY END");
    }
  }
  return true;
}

std::string compose_call_log(const Value& event, LogFormat format) {
  std::string body, error;
  if (!try_compose_call_log(event, format, body, error)) return {};
  return body;
}

}  // namespace calllog
