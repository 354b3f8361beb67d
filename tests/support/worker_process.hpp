#pragma once
// Test support: the real calllog-worker binary running `run` against a test redis-server, with
// its stderr (JSON log lines) captured to a file.
#include <chrono>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"

namespace calllog::test {

class WorkerProcess {
 public:
  // Starts `calllog-worker run --redis-url <redis> --http-listen off --sandbox-db <dir>/sandbox.db
  // <extra args>`.
  WorkerProcess(const RedisServer& redis, const TempDir& dir, std::vector<std::string> extra_args = {},
                std::map<std::string, std::string> env = {});
  // The same against any Redis URL (e.g. one node of a Redis Cluster).
  WorkerProcess(const std::string& redis_url, const TempDir& dir, std::vector<std::string> extra_args = {},
                std::map<std::string, std::string> env = {});
  ~WorkerProcess();
  Process& process() { return proc_; }
  std::string log() const;          // everything it wrote on stderr so far
  std::string sandbox_db() const { return db_; }
  // SIGTERM and wait; returns the exit code.
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(40));

 private:
  std::string log_file_;
  std::string db_;
  Process proc_;
};

// Polls until `key` holds at least n elements; returns the final length (bounded by timeout).
long long wait_for_length(const RedisServer& redis, const std::string& key, long long n,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Rows in a table of a SQLite file (-1 on error).
long long sqlite_count(const std::string& db, const std::string& table);

}  // namespace calllog::test
