#pragma once
// Test support: a real redis-server on a free 127.0.0.1 port, no persistence, in a temp dir.
#include <cstdint>
#include <memory>
#include <string>

#include "tests/support/process.hpp"

namespace calllog::test {

class RedisServer {
 public:
  // password: when non-empty, requirepass is set.
  // persistent: an append-only file fsynced on every write, so a kill and restart keeps the data.
  explicit RedisServer(std::string password = {}, bool persistent = false);
  ~RedisServer();
  uint16_t port() const { return port_; }
  std::string url() const;          // redis://[:password@]127.0.0.1:port/0
  void stop();                      // SIGKILL
  void start();                     // (re)start on the same port
  // redis-cli-free helper: runs a command through a short blocking connection, returns the
  // raw RESP reply text ("$3\r\nfoo\r\n"); for simple assertions in tests.
  std::string command(const std::vector<std::string>& argv) const;
  long long llen(const std::string& key) const;
  std::string command_once(const std::vector<std::string>& argv) const;
  // LRANGE key 0 -1, each element as a string (newest first for LPUSHed lists).
  std::vector<std::string> lrange(const std::string& key) const;
  void lpush(const std::string& key, const std::string& value) const;

 private:
  uint16_t port_;
  std::string password_;
  bool persistent_ = false;
  TempDir dir_;
  Process proc_;
};

}  // namespace calllog::test
