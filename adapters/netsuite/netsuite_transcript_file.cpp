// Step 4 of NetSuite's createCallLog (APPCONNECT.md §3.6 "Transcript file"): when the message was
// truncated, the whole transcript goes into a file in the "App Connect Phone Calls" folder,
// attached to the phonecall. All four restlet calls send Content-Type: application/json.
#include <rapidjson/document.h>

#include "adapters/appconnect/call_fields.hpp"
#include "adapters/appconnect/json_object.hpp"
#include "adapters/netsuite/netsuite_exchange.hpp"
#include "common/json.hpp"
#include "common/logging.hpp"

namespace calllog::netsuite {
namespace {

using appconnect::JsonObject;

constexpr std::string_view kFolderName = "App Connect Phone Calls";

// `${title} ${logId}` with title = customSubject ?? the default subject.
std::string file_name(const rapidjson::Value& event, const std::string& log_id) {
  const rapidjson::Value* custom = appconnect::custom_subject(event);
  std::string name = custom ? json::js_string(custom) : appconnect::default_subject(event);
  name += ' ';
  name += log_id;
  return name;
}

// A serialized JSON member of a restlet's answer (empty when absent).
std::string member_json(const rapidjson::Value& doc, std::initializer_list<std::string_view> path) {
  const rapidjson::Value* v = json::find_path(doc, path);
  return v ? json::to_string(*v) : std::string();
}

// The id a create restlet answered (`key` of its JSON body; empty when the body is not JSON or
// has none). `made` is a finished exchange that did not fail.
std::string created_id(const https::Outcome& made, std::string_view key) {
  rapidjson::Document created;
  if (!json::parse(created, made.response->body).empty()) return std::string();
  return member_json(created, {key});
}

// Why step 4 stopped: transient failures go back to the worker (retry resumes here); others are
// logged and the call log still counts as logged, as in App Connect.
std::optional<Failure> stopped(std::optional<Failure> f, std::string_view why) {
  if (f && f->retryable) return f;
  log::warn("netsuite transcript file not attached", {{"reason", f ? std::string_view(f->detail) : why}});
  return std::nullopt;
}

}  // namespace

boost::asio::awaitable<std::optional<Failure>> attach_transcript_file(Exchange& ex, const Hosts& hosts,
                                                                       const rapidjson::Value& event,
                                                                       const std::string& log_id,
                                                                       const std::string& session_id,
                                                                       const steps::StepLog& done) {
  if (done.has("attach")) co_return std::nullopt;
  // The folder, by name; created when the account has none.
  std::string folder = done.get("folder").value_or("");
  if (folder.empty()) {
    const std::string url = restlet_url(hosts, "getappconnectfolderbyname") + "&name=App%20Connect%20Phone%20Calls";
    auto got = co_await ex.send("GET", url, std::nullopt, false, true);
    if (auto f = exchange_failure(got, "GET folder restlet")) co_return stopped(std::move(f), "");
    rapidjson::Document doc;
    if (!json::parse(doc, got.response->body).empty()) co_return stopped(std::nullopt, "folder restlet answered no JSON");
    const auto* success = json::find(doc, "success");
    const auto message = json::string_at(json::find(doc, "message"));
    if (success && success->IsBool() && success->GetBool()) {
      const auto* results = json::find(doc, "results");
      folder = results && results->IsArray() && !results->Empty() ? member_json((*results)[0], {"id"}) : "";
    } else if (success && success->IsBool() && message && message->find("No folder found with name") != std::string_view::npos) {
      JsonObject body;
      body.string("folderName", kFolderName);
      auto made = co_await ex.send("POST", restlet_url(hosts, "createappconnectfolder"), body.str(), false, true);
      if (auto f = exchange_failure(made, "POST create folder restlet")) co_return stopped(std::move(f), "");
      folder = created_id(made, "folderId");
    }
    if (folder.empty()) co_return stopped(std::nullopt, "no App Connect folder id");
    co_await steps::record_step(ex.ctx, kPlatform, session_id, "folder", folder);
  }

  // The file with the whole transcript.
  std::string file = done.get("file").value_or("");
  if (file.empty()) {
    JsonObject body;
    body.raw("folderId", folder);
    body.string("fileName", file_name(event, log_id));
    if (const auto* transcript = json::find(event, "transcript")) body.value("content", *transcript);
    body.string("note", "This file was generated via RingCentral App Connect");
    auto made = co_await ex.send("POST", restlet_url(hosts, "createappconnectfile"), body.str(), false, true);
    if (auto f = exchange_failure(made, "POST create file restlet")) co_return stopped(std::move(f), "");
    file = created_id(made, "fileId");
    if (file.empty()) co_return stopped(std::nullopt, "create file restlet answered no fileId");
    co_await steps::record_step(ex.ctx, kPlatform, session_id, "file", file);
  }

  // Attached to the phonecall.
  JsonObject body;
  body.string("phoneCallId", log_id);
  body.raw("fileId", file);
  auto attached = co_await ex.send("POST", restlet_url(hosts, "attachfilewithphonecalls"), body.str(), false, true);
  if (auto f = exchange_failure(attached, "POST attach file restlet")) co_return stopped(std::move(f), "");
  co_await steps::record_step(ex.ctx, kPlatform, session_id, "attach", "done");
  co_return std::nullopt;
}

}  // namespace calllog::netsuite
