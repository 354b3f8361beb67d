#include "adapters/sandbox/sqlite_store.hpp"

#include <sqlite3.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace calllog::sandbox {
namespace asio = boost::asio;

namespace {
constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS contacts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  phone_number TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE IF NOT EXISTS call_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  contact_id TEXT NOT NULL REFERENCES contacts(id),
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  format TEXT NOT NULL,
  direction TEXT NOT NULL DEFAULT '',
  duration REAL,
  start_time TEXT NOT NULL DEFAULT '',
  session_id TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX IF NOT EXISTS call_logs_session ON call_logs(session_id);
)sql";

void bind_text(sqlite3_stmt* st, int i, const std::string& s) {
  sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}
}  // namespace

struct SqliteStore::Impl {
  asio::thread_pool thread{1};   // the one thread that touches SQLite
  sqlite3* db = nullptr;
  std::string open_error;
  sqlite3_stmt* upsert_contact = nullptr;
  sqlite3_stmt* insert_log = nullptr;

  void open(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
      open_error = std::string("cannot open ") + path + ": " + sqlite3_errmsg(db);
      return;
    }
    sqlite3_busy_timeout(db, 5000);
    char* err = nullptr;
    if (sqlite3_exec(db, kSchema, nullptr, nullptr, &err) != SQLITE_OK) {
      open_error = err ? err : "schema failed";
      sqlite3_free(err);
      return;
    }
    sqlite3_prepare_v2(db,
                       "INSERT INTO contacts(id, name, phone_number, type) VALUES(?1, ?2, ?3, ?4) "
                       "ON CONFLICT(id) DO NOTHING",
                       -1, &upsert_contact, nullptr);
    sqlite3_prepare_v2(db,
                       "INSERT INTO call_logs(contact_id, subject, body, format, direction, duration, "
                       "start_time, session_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                       -1, &insert_log, nullptr);
  }

  InsertResult insert(const CallLogRow& r) {
    if (!open_error.empty()) return {std::nullopt, open_error};
    auto fail = [&](const char* what) {
      std::string msg = std::string(what) + ": " + sqlite3_errmsg(db);
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return InsertResult{std::nullopt, msg};
    };
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("begin");
    sqlite3_reset(upsert_contact);
    bind_text(upsert_contact, 1, r.contact_id);
    bind_text(upsert_contact, 2, r.contact_name);
    bind_text(upsert_contact, 3, r.contact_phone);
    bind_text(upsert_contact, 4, r.contact_type);
    if (sqlite3_step(upsert_contact) != SQLITE_DONE) return fail("insert contact");
    sqlite3_reset(insert_log);
    bind_text(insert_log, 1, r.contact_id);
    bind_text(insert_log, 2, r.subject);
    bind_text(insert_log, 3, r.body);
    bind_text(insert_log, 4, r.format);
    bind_text(insert_log, 5, r.direction);
    if (r.duration) sqlite3_bind_double(insert_log, 6, *r.duration);
    else sqlite3_bind_null(insert_log, 6);
    bind_text(insert_log, 7, r.start_time);
    bind_text(insert_log, 8, r.session_id);
    if (sqlite3_step(insert_log) != SQLITE_DONE) return fail("insert call log");
    long long id = sqlite3_last_insert_rowid(db);
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
    return {id, {}};
  }

  ~Impl() {
    thread.join();
    sqlite3_finalize(upsert_contact);
    sqlite3_finalize(insert_log);
    if (db) sqlite3_close(db);
  }
};

SqliteStore::SqliteStore(std::string path) : impl_(std::make_shared<Impl>()) {
  asio::post(impl_->thread, [impl = impl_, path = std::move(path)] { impl->open(path); });
}

SqliteStore::~SqliteStore() = default;

namespace {
// A plain coroutine function (not a capturing lambda: GCC 12 mishandles lambda captures in
// co_spawn'ed coroutine frames); its parameters live in its own frame.
asio::awaitable<InsertResult> insert_on_store_thread(std::shared_ptr<SqliteStore::Impl> impl, CallLogRow row) {
  co_return impl->insert(row);
}
}  // namespace

asio::awaitable<InsertResult> SqliteStore::insert_call_log(CallLogRow row) {
  // Runs on the SQLite thread; the caller resumes on its own executor.
  co_return co_await asio::co_spawn(impl_->thread.get_executor(), insert_on_store_thread(impl_, std::move(row)),
                                    asio::use_awaitable);
}

}  // namespace calllog::sandbox
