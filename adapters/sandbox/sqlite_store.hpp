#pragma once
// The sandbox CRM: a local SQLite database (WAL mode) with contacts and call logs. All SQLite
// calls run on one dedicated thread, so they never stall the io_context's other events.
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

namespace calllog::sandbox {

struct CallLogRow {
  std::string contact_id, contact_name, contact_phone, contact_type;
  std::string subject, body, format, direction, start_time, session_id;
  std::optional<double> duration;
};

struct InsertResult {
  std::optional<long long> log_id;   // the call_logs row id
  std::string error;                 // SQLite's message when it failed
};

class SqliteStore {
 public:
  // Opens (creating if needed) the database on the store's own thread.
  explicit SqliteStore(std::string path);
  ~SqliteStore();
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Creates the contact if missing, then inserts the call log; one transaction.
  boost::asio::awaitable<InsertResult> insert_call_log(CallLogRow row);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace calllog::sandbox
