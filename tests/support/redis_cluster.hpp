#pragma once
// Test support: a real Redis Cluster of three masters (no replicas) on free 127.0.0.1 ports, no
// persistence, in a temp dir. Each node gets an explicit cluster bus port (--cluster-port), so
// neither port can fall outside the range. The constructor returns once CLUSTER INFO says
// cluster_state:ok on every node, or throws std::runtime_error (all waits bounded).
// Assertions go through `redis-cli -c`, which follows MOVED/ASK itself: independent of our client.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace calllog::test {

class RedisCluster {
 public:
  RedisCluster();
  ~RedisCluster();
  RedisCluster(const RedisCluster&) = delete;
  RedisCluster& operator=(const RedisCluster&) = delete;

  size_t size() const { return ports_.size(); }
  uint16_t port(size_t node) const { return ports_[node]; }
  std::string url(size_t node) const;          // redis://127.0.0.1:port/0
  std::string node_id(size_t node) const;      // CLUSTER MYID

  // The node serving `key`'s slot, and one that does not.
  size_t owner_of(const std::string& key) const;
  size_t non_owner_of(const std::string& key) const;
  int slot_of(const std::string& key) const;   // CLUSTER KEYSLOT, asked of the server

  // `redis-cli -p <node> [-c] <argv...>` (raw output, trailing newline removed).
  std::string cli(size_t node, const std::vector<std::string>& argv, bool follow = false) const;
  // Through any node, following redirects.
  long long llen(const std::string& key) const;
  std::vector<std::string> lrange(const std::string& key) const;  // one element per line of output

  // Polls until `key` holds at least n elements; returns the last length (bounded by timeout).
  long long wait_for_length(const std::string& key, long long n, std::chrono::milliseconds timeout) const;

 private:
  TempDir dir_;
  std::vector<uint16_t> ports_;
  std::vector<Process> nodes_;
};

}  // namespace calllog::test
