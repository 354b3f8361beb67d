// The sandbox adapter: a local CRM in SQLite (--sandbox-db) for demos and tests. It composes the
// same text/plain body App Connect would and stores it with the contact (created if missing).
#include <fmt/format.h>

#include "adapters/registry.hpp"
#include "adapters/sandbox/sqlite_store.hpp"
#include "common/composer/composer.hpp"
#include "common/json.hpp"

namespace calllog {
namespace {

class SandboxAdapter final : public Adapter {
 public:
  explicit SandboxAdapter(const AdapterOptions& o) : store_(o.sandbox_db) {}

  std::string_view platform() const override { return "sandbox"; }
  std::vector<std::string> allowed_hosts() const override { return {}; }  // no network at all

  boost::asio::awaitable<CallLogResult> create_call_log(const Event& ev, AdapterContext&) override {
    CallLogResult out;
    auto composed = compose_for_platform(ev.doc);
    if (composed.error) {
      out.failure = composed.error;
      co_return out;
    }
    const auto& ci = ev.contact_info();
    const auto& cl = ev.call_log();
    sandbox::CallLogRow row;
    row.contact_id = json::js_string(json::find(ci, "id"));
    row.contact_name = std::string(json::string_at(json::find(ci, "name")).value_or(""));
    row.contact_phone = std::string(json::string_at(json::find(ci, "phoneNumber")).value_or(""));
    row.contact_type = std::string(json::string_at(json::find(ci, "type")).value_or(""));
    row.direction = std::string(json::string_at(json::find(cl, "direction")).value_or(""));
    // App Connect's default subject, overridden by customSubject whenever it is not null.
    if (auto subj = json::string_at(json::find(cl, "customSubject"))) {
      row.subject = std::string(*subj);
    } else {
      row.subject = fmt::format("{} Call {} {}", row.direction,
                                row.direction == "Outbound" ? "to" : "from", row.contact_name);
    }
    row.body = std::move(composed.ok->body);
    row.format = std::string(format_name(composed.ok->format));
    if (const auto* d = json::find(cl, "duration"); d && d->IsNumber()) row.duration = d->GetDouble();
    if (const auto* st = json::find(cl, "startTime"); st && !st->IsNull()) row.start_time = json::js_string(st);
    row.session_id = ev.session_id;

    auto inserted = co_await store_.insert_call_log(std::move(row));
    if (!inserted.log_id) {
      out.failure = make_failure("sandbox_db", "sandbox database: " + inserted.error, true);
      co_return out;
    }
    out.log_id = std::to_string(*inserted.log_id);
    out.return_message_json = R"({"message":"Call logged","messageType":"success","ttl":2000})";
    out.extra_data_tracking_json = "{}";
    co_return out;
  }

 private:
  sandbox::SqliteStore store_;
};

}  // namespace

std::unique_ptr<Adapter> make_sandbox_adapter(const AdapterOptions& options) {
  return std::make_unique<SandboxAdapter>(options);
}

}  // namespace calllog
