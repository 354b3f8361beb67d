// NetSuite's answers (golden/README.md "The mock's answers"). `acct` is the Host's first label;
// account "1234567" has the App Connect folder and the placeholder company, the sandbox
// "1234567-sb1" has neither. CRED is Authorization.
// Restlets, *.restlets.api.netsuite.com, GET/POST /app/site/hosting/restlet.nl?script=…:
//   customscript_gettimezone                200 {"userTimezone": zone by netsuite/timezone|CRED}
//   customscript_getappconnectfolderbyname  folder found (1234567) or "No folder found with name"
//   customscript_createappconnectfolder     {"success":true,"folderId":<netsuite/folder|acct>}
//   customscript_createappconnectfile       {"success":true,"fileId":<netsuite/file|CRED|fileName>}
//   customscript_attachfilewithphonecalls   {"success":true,"message":…}
//   an exhausted limit (CRED contains "mock-sss-limit") → 400 SSS_REQUEST_LIMIT_EXCEEDED
// SuiteTalk, *.suitetalk.api.netsuite.com/services/rest:
//   GET   /record/v1/contact/{id}      200 the contact; company {"id":"<netsuite/company|acct|id>"}
//                                      unless id % 3 == 0; a non-numeric id → 404
//   POST  /query/v1/suiteql            (Prefer: transient) placeholder found in 1234567, count 0 else
//   POST  /record/v1/customer          204 Location …/customer/<netsuite/customer|acct|companyName>
//   PATCH /record/v1/contact/{id}      204
//   POST  /record/v1/phonecall         204 Location …/phonecall/<netsuite/phonecall|CRED|startDate|startTime>
//   CRED containing "mock-ns-429" → 429 (SuiteTalk's concurrency limit)
// No Authorization → 401. "mock-once-<step>" markers: fail_once.hpp (steps: phonecall, folder,
// file, attach).
#include <charconv>

#include "common/json.hpp"
#include "fail_once.hpp"
#include "mock.hpp"

namespace mock {
namespace {

constexpr const char* kRestlets = "*.restlets.api.netsuite.com";
constexpr const char* kSuiteTalk = "*.suitetalk.api.netsuite.com";
constexpr const char* kPlaceholder = "RingCentral_CRM_Extension_Placeholder_Company";
constexpr const char* kFolder = "App Connect Phone Calls";
constexpr const char* kZones[] = {
    "America/Los_Angeles", "America/New_York", "America/Chicago",  "America/Denver",
    "America/Phoenix",     "America/Sao_Paulo", "America/St_Johns", "Europe/London",
    "Europe/Berlin",       "Europe/Moscow",    "Asia/Kolkata",     "Asia/Kathmandu",
    "Asia/Tokyo",          "Asia/Shanghai",    "Asia/Singapore",   "Australia/Sydney",
    "Australia/Adelaide",  "Australia/Lord_Howe", "Pacific/Auckland", "Pacific/Chatham", "UTC"};

bool sandbox(const MockRequest& req) { return req.first_label() != "1234567"; }

MockResponse suitetalk_error(int status, std::string_view title, std::string_view detail,
                             std::string_view code) {
  return MockResponse::json(status, R"({"type":"https://www.rfc-editor.org/rfc/rfc9110.html","title":)" +
                                        json_quote(title) + R"(,"status":)" + std::to_string(status) +
                                        R"(,"o:errorDetails":[{"detail":)" + json_quote(detail) +
                                        R"(,"o:errorCode":)" + json_quote(code) + "}]}");
}

MockResponse restlet_error(int status, std::string_view code, std::string_view message) {
  return MockResponse::json(status, R"({"error":{"code":)" + json_quote(code) + R"(,"message":)" +
                                        json_quote(message) + "}}");
}

std::optional<MockResponse> suitetalk_auth(const MockRequest& req) {
  auto cred = req.header("authorization");
  if (!cred)
    return suitetalk_error(401, "Unauthorized", "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.", "INVALID_LOGIN_ATTEMPT");
  if (cred->find("mock-ns-429") != std::string::npos)
    return suitetalk_error(429, "Too Many Requests", "Concurrency limit exceeded. Try again later.", "CONCURRENCY_LIMIT_EXCEEDED");
  return std::nullopt;
}

MockResponse created(const MockRequest& req, std::string_view record, uint64_t id) {
  MockResponse r;
  r.status = 204;
  r.with_header("Location", "https://" + req.host_header + "/services/rest/record/v1/" +
                                std::string(record) + "/" + std::to_string(id));
  return r;
}

MockResponse no_content() {
  MockResponse r;
  r.status = 204;
  return r;
}

std::string body_string(const MockRequest& req, std::string_view key) {
  return js_string_at(req, {key});
}

MockResponse restlet(const MockRequest& req) {
  auto cred = req.header("authorization");
  if (!cred) return restlet_error(401, "INVALID_LOGIN_ATTEMPT", "Invalid login attempt.");
  if (cred->find("mock-sss-limit") != std::string::npos)
    return restlet_error(400, "SSS_REQUEST_LIMIT_EXCEEDED", "Request limit exceeded for this account.");
  auto it = req.query.find("script");
  const std::string script = it == req.query.end() ? "" : it->second;
  const std::string acct = req.first_label();
  if (script == "customscript_gettimezone" && req.method == "GET") {
    const auto zone = kZones[fnv1a32("netsuite/timezone|" + *cred) % std::size(kZones)];
    return MockResponse::json(200, R"({"userTimezone":)" + json_quote(zone) + "}");
  }
  if (script == "customscript_getappconnectfolderbyname" && req.method == "GET") {
    if (auto f = fail_once(req, *cred, "folder")) return *f;
    if (sandbox(req))
      return MockResponse::json(200, R"({"success":false,"message":"No folder found with name App Connect Phone Calls"})");
    return MockResponse::json(200, R"({"success":true,"results":[{"id":")" +
                                       std::to_string(mock_id({"netsuite/folder", acct})) +
                                       R"(","name":")" + kFolder + R"("}]})");
  }
  if (script == "customscript_createappconnectfolder" && req.method == "POST") {
    if (auto f = fail_once(req, *cred, "folder")) return *f;
    return MockResponse::json(200, R"({"success":true,"folderId":)" +
                                       std::to_string(mock_id({"netsuite/folder", acct})) + "}");
  }
  if (script == "customscript_createappconnectfile" && req.method == "POST") {
    if (auto f = fail_once(req, *cred, "file")) return *f;
    return MockResponse::json(200, R"({"success":true,"fileId":)" +
                                       std::to_string(mock_id({"netsuite/file", *cred, body_string(req, "fileName")})) + "}");
  }
  if (script == "customscript_attachfilewithphonecalls" && req.method == "POST") {
    if (auto f = fail_once(req, *cred, "attach")) return *f;
    return MockResponse::json(200, R"({"success":true,"message":"File attached to phone call"})");
  }
  return restlet_error(400, "SSS_INVALID_SCRIPTLET_ID", "That Suitelet is invalid, disabled, or no longer exists.");
}

std::optional<uint64_t> numeric(const std::string& s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

MockResponse get_contact(const MockRequest& req) {
  if (auto p = suitetalk_auth(req)) return *p;
  const std::string& id = req.params.at("id");
  auto n = numeric(id);
  if (!n) return suitetalk_error(404, "Record not found", "The record instance does not exist. Provide a valid record instance ID.", "NONEXISTENT_ID");
  std::string body = R"({"id":)" + json_quote(id) + R"(,"entityId":"Contact )" + id + R"(","isInactive":false)";
  if (*n % 3 != 0)
    body += R"(,"company":{"id":")" + std::to_string(mock_id({"netsuite/company", req.first_label(), id})) + R"("})";
  return MockResponse::json(200, body + "}");
}

MockResponse suiteql(const MockRequest& req) {
  if (auto p = suitetalk_auth(req)) return *p;
  if (req.header("prefer").value_or("") != "transient")
    return suitetalk_error(400, "Bad Request", "The request must include the header Prefer: transient.", "INVALID_HEADER");
  if (sandbox(req)) return MockResponse::json(200, R"({"links":[],"count":0,"hasMore":false,"items":[],"offset":0,"totalResults":0})");
  return MockResponse::json(200, R"({"links":[],"count":1,"hasMore":false,"items":[{"links":[],"companyname":")" +
                                     std::string(kPlaceholder) + R"(","id":")" +
                                     std::to_string(mock_id({"netsuite/placeholder", req.first_label()})) +
                                     R"("}],"offset":0,"totalResults":1})");
}

MockResponse post_customer(const MockRequest& req) {
  if (auto p = suitetalk_auth(req)) return *p;
  return created(req, "customer", mock_id({"netsuite/customer", req.first_label(), body_string(req, "companyName")}));
}

MockResponse patch_contact(const MockRequest& req) {
  if (auto p = suitetalk_auth(req)) return *p;
  if (!numeric(req.params.at("id"))) return suitetalk_error(404, "Record not found", "The record instance does not exist. Provide a valid record instance ID.", "NONEXISTENT_ID");
  return no_content();
}

MockResponse post_phonecall(const MockRequest& req) {
  if (auto p = suitetalk_auth(req)) return *p;
  const std::string cred = *req.header("authorization");
  if (auto f = fail_once(req, cred, "phonecall")) return *f;
  if (!req.json_ok || !req.json.IsObject())
    return suitetalk_error(400, "Bad Request", "Invalid JSON.", "INVALID_CONTENT");
  return created(req, "phonecall", mock_id({"netsuite/phonecall", cred, body_string(req, "startDate"), body_string(req, "startTime")}));
}

}  // namespace

void register_netsuite(Router& r) {
  r.add(kRestlets, "GET", "/app/site/hosting/restlet.nl", restlet);
  r.add(kRestlets, "POST", "/app/site/hosting/restlet.nl", restlet);
  r.add(kSuiteTalk, "GET", "/services/rest/record/v1/contact/{id}", get_contact);
  r.add(kSuiteTalk, "PATCH", "/services/rest/record/v1/contact/{id}", patch_contact);
  r.add(kSuiteTalk, "POST", "/services/rest/query/v1/suiteql", suiteql);
  r.add(kSuiteTalk, "POST", "/services/rest/record/v1/customer", post_customer);
  r.add(kSuiteTalk, "POST", "/services/rest/record/v1/phonecall", post_phonecall);
}

}  // namespace mock
