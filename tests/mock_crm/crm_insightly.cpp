// Insightly's answers (golden/README.md "The mock's answers"), on *.insightly.com, any API
// version segment:
//   POST /{version}/events             201 the event, EVENT_ID from insightly/event|CRED|START_DATE_UTC
//   POST /{version}/events/{id}/links  201 the link (LINK_ID, OBJECT_NAME, OBJECT_ID,
//                                      LINK_OBJECT_NAME, LINK_OBJECT_ID)
// No rate-limit headers. No Authorization → 401. "mock-once-event" / "mock-once-link" in the
// credential fail that request once with 503 (fail_once; per target, so each event's links path).
#include "common/json.hpp"
#include "fail_once.hpp"
#include "mock.hpp"

namespace mock {
namespace {

constexpr const char* kHost = "*.insightly.com";

std::optional<MockResponse> refused(const MockRequest& req, std::string_view step) {
  auto cred = req.header("authorization");
  if (!cred) return MockResponse::json(401, R"({"Message":"Authentication failed"})");
  if (auto once = fail_once(req, *cred, step)) return once;
  if (!req.json_ok || !req.json.IsObject())
    return MockResponse::json(400, R"({"Message":"Invalid JSON"})");
  return std::nullopt;
}

// The posted object with `id_key` first, as Insightly echoes a created record.
std::string echo_with_id(const MockRequest& req, const char* id_key, uint64_t id,
                         std::initializer_list<std::pair<const char*, std::string>> extra = {}) {
  rapidjson::Document out;
  out.SetObject();
  auto& a = out.GetAllocator();
  out.AddMember(rapidjson::StringRef(id_key), rapidjson::Value(id), a);
  for (const auto& [k, v] : extra)
    out.AddMember(rapidjson::StringRef(k), rapidjson::Value(v.c_str(), a), a);
  for (const auto& m : req.json.GetObject())
    if (m.name != id_key) out.AddMember(rapidjson::Value(m.name, a), rapidjson::Value(m.value, a), a);
  return calllog::json::to_string(out);
}

MockResponse post_event(const MockRequest& req) {
  if (auto no = refused(req, "event")) return *no;
  const uint64_t id = mock_id({"insightly/event", *req.header("authorization"),
                               js_string_at(req, {"START_DATE_UTC"})});
  return MockResponse::json(201, echo_with_id(req, "EVENT_ID", id));
}

MockResponse post_link(const MockRequest& req) {
  if (auto no = refused(req, "link")) return *no;
  const std::string& event_id = req.params.at("id");
  const uint64_t id = mock_id({"insightly/link", *req.header("authorization"), event_id,
                               js_string_at(req, {"LINK_OBJECT_NAME"}),
                               js_string_at(req, {"LINK_OBJECT_ID"})});
  return MockResponse::json(
      201, echo_with_id(req, "LINK_ID", id, {{"OBJECT_NAME", "Event"}, {"OBJECT_ID", event_id}}));
}

}  // namespace

void register_insightly(Router& r) {
  r.add(kHost, "POST", "/{version}/events", post_event);
  r.add(kHost, "POST", "/{version}/events/{id}/links", post_link);
}

}  // namespace mock
