#pragma once
// Test support: child processes, free loopback ports, temp dirs. Every server a test starts binds
// 127.0.0.1 on a port from free_port().
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace calllog::test {

// A free TCP port on 127.0.0.1 (bind to port 0, read it back, close).
uint16_t free_port();

// Waits until something accepts TCP connections on 127.0.0.1:port; false on timeout.
bool wait_for_port(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A child process with stdout/stderr redirected to files (or inherited when empty).
class Process {
 public:
  Process() = default;
  Process(std::vector<std::string> argv, std::map<std::string, std::string> extra_env = {},
          std::string stdout_file = {}, std::string stderr_file = {}, std::string stdin_file = {});
  ~Process();  // kills (SIGKILL) and reaps if still running
  Process(Process&& o) noexcept;
  Process& operator=(Process&& o) noexcept;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  // Waits for exit; returns the exit code (128+signal when killed), or -1 on timeout.
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  void kill_and_wait();

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv to completion (bounded by timeout), feeding `input` on stdin; captures both streams.
RunResult run(std::vector<std::string> argv, const std::string& input = {},
              std::map<std::string, std::string> extra_env = {},
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

// Environment variable or fallback.
std::string env_or(const char* name, const std::string& fallback);
// The worker binary (CALLLOG_BIN), the mock CRM binary (MOCK_CRM_BIN), ../shared.
std::string worker_bin();
std::string mock_crm_bin();
std::string shared_dir();
std::string source_dir();

}  // namespace calllog::test
