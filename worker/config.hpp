#pragma once
// Everything the command line and environment configure (CONTRACT §6), with the defaults.
#include <chrono>
#include <string>
#include <vector>

#include "adapters/adapter.hpp"

namespace calllog {

struct Config {
  // Redis and keys
  std::string redis_url = "redis://127.0.0.1:6379/0";
  std::string queue = "calllog:events";
  std::string reply_queue = "calllog:replies";
  std::string dead_queue = "calllog:dead";
  std::string prefix = "calllog";
  // run
  int concurrency = 64;
  int max_attempts = 8;
  int max_rate_limited = 50;          // 429 answers retried (spending no attempt) before they count as attempts
  std::vector<std::string> allow_hosts;
  std::string ca_file;
  std::vector<std::string> resolve;   // HOST:PORT:ADDR
  std::string http_listen = "127.0.0.1:9102";
  std::string worker_id;              // default <hostname>-<pid>
  double shutdown_grace_s = 30;
  std::string log_level = "info";
  int dedupe_ttl_days = 30;           // how long a "logged" record blocks duplicates
  double retry_base_s = 1.0;          // retry backoff: base and cap (full jitter)
  double retry_cap_s = 600.0;
  double heartbeat_s = 5.0;           // worker heartbeat interval
  AdapterOptions adapters;
  // replay
  long long replay_count = -1;        // -1: all
  std::vector<std::string> replay_ids;
  std::string replay_platform;
  std::string replay_error_code;
  bool replay_dry_run = false;
  // stats / enqueue / compose
  bool stats_json = false;
  std::string input_file;

  // Key names of internal state, all under --prefix (CONTRACT §2).
  std::string processing_key(const std::string& worker) const { return prefix + ":processing:" + worker; }
  std::string logged_key(std::string_view platform, std::string_view session) const {
    return prefix + ":logged:" + std::string(platform) + ":" + std::string(session);
  }
  std::string claim_key(std::string_view platform, std::string_view session) const {
    return prefix + ":claim:" + std::string(platform) + ":" + std::string(session);
  }
  std::string retry_key() const { return prefix + ":retry"; }
  std::string attempts_key() const { return prefix + ":attempts"; }
  std::string workers_key() const { return prefix + ":workers"; }
  std::string heartbeat_key(const std::string& worker) const { return prefix + ":heartbeat:" + worker; }
};

}  // namespace calllog
