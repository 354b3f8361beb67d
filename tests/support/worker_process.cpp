#include "tests/support/worker_process.hpp"

#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <thread>

namespace calllog::test {

WorkerProcess::WorkerProcess(const RedisServer& redis, const TempDir& dir, std::vector<std::string> extra_args,
                             std::map<std::string, std::string> env)
    : WorkerProcess(redis.url(), dir, std::move(extra_args), std::move(env)) {}

WorkerProcess::WorkerProcess(const std::string& redis_url, const TempDir& dir, std::vector<std::string> extra_args,
                             std::map<std::string, std::string> env)
    : log_file_(dir.file("worker-" + std::to_string(free_port()) + ".log")), db_(dir.file("sandbox.db")) {
  std::vector<std::string> argv = {worker_bin(), "run", "--redis-url", redis_url, "--sandbox-db", db_};
  if (std::find(extra_args.begin(), extra_args.end(), "--http-listen") == extra_args.end()) {
    argv.push_back("--http-listen");
    argv.push_back("off");
  }
  for (auto& a : extra_args) argv.push_back(a);
  proc_ = Process(argv, env, log_file_ + ".out", log_file_);
}

WorkerProcess::~WorkerProcess() { proc_.kill_and_wait(); }

std::string WorkerProcess::log() const { return read_file(log_file_); }

int WorkerProcess::stop(std::chrono::milliseconds timeout) {
  proc_.signal(SIGTERM);
  return proc_.wait(timeout);
}

long long wait_for_length(const RedisServer& redis, const std::string& key, long long n,
                          std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  long long len = 0;
  while ((len = redis.llen(key)) < n && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return len;
}

long long sqlite_count(const std::string& db, const std::string& table) {
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return -1;
  }
  sqlite3_busy_timeout(h, 5000);
  sqlite3_stmt* st = nullptr;
  long long n = -1;
  std::string sql = "SELECT COUNT(*) FROM " + table;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return n;
}

}  // namespace calllog::test
