#include "tests/support/redis_cluster.hpp"

#include <sstream>
#include <stdexcept>
#include <thread>

namespace calllog::test {

namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(20);

std::string trim_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

RedisCluster::RedisCluster() {
  for (int i = 0; i < 3; ++i) {
    const uint16_t port = free_port();
    uint16_t bus = free_port();
    while (bus == port) bus = free_port();
    ports_.push_back(port);
    const std::string n = std::to_string(i + 1);
    std::vector<std::string> argv = {
        "/usr/bin/redis-server", "--port", std::to_string(port), "--cluster-port", std::to_string(bus),
        "--cluster-enabled", "yes", "--cluster-config-file", dir_.file("nodes-" + n + ".conf"),
        "--cluster-node-timeout", "5000", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", dir_.path(), "--dbfilename", "dump-" + n + ".rdb", "--daemonize", "no"};
    nodes_.emplace_back(argv, std::map<std::string, std::string>{}, dir_.file("redis-" + n + ".out"),
                        dir_.file("redis-" + n + ".err"));
  }
  for (auto port : ports_)
    if (!wait_for_port(port)) throw std::runtime_error("redis-server (cluster node) did not start on " + std::to_string(port));

  std::vector<std::string> create = {"/usr/bin/redis-cli", "--cluster", "create"};
  for (auto port : ports_) create.push_back("127.0.0.1:" + std::to_string(port));
  create.insert(create.end(), {"--cluster-replicas", "0", "--cluster-yes"});
  auto made = run(create, "", {}, std::chrono::seconds(30));
  if (made.exit_code != 0)
    throw std::runtime_error("redis-cli --cluster create failed: " + made.out + made.err);

  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  for (size_t i = 0; i < ports_.size(); ++i) {
    while (cli(i, {"CLUSTER", "INFO"}).find("cluster_state:ok") == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("cluster_state not ok on node " + std::to_string(ports_[i]));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  // Every node must also agree on who serves the slots (the config epochs settle after "ok").
  for (size_t i = 0; i < ports_.size(); ++i) {
    while (cli(i, {"CLUSTER", "SLOTS"}).empty()) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("CLUSTER SLOTS empty");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

RedisCluster::~RedisCluster() {
  for (auto& p : nodes_) p.kill_and_wait();
}

std::string RedisCluster::url(size_t node) const {
  return "redis://127.0.0.1:" + std::to_string(ports_[node]) + "/0";
}

std::string RedisCluster::cli(size_t node, const std::vector<std::string>& argv, bool follow) const {
  std::vector<std::string> full = {"/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", std::to_string(ports_[node])};
  if (follow) full.push_back("-c");
  full.insert(full.end(), argv.begin(), argv.end());
  return trim_newline(run(full, "", {}, std::chrono::seconds(10)).out);
}

std::string RedisCluster::node_id(size_t node) const { return cli(node, {"CLUSTER", "MYID"}); }

int RedisCluster::slot_of(const std::string& key) const {
  return std::stoi(cli(0, {"CLUSTER", "KEYSLOT", key}));
}

// CLUSTER NODES lines: <id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <state> <slots...>
size_t RedisCluster::owner_of(const std::string& key) const {
  const int slot = slot_of(key);
  std::istringstream lines(cli(0, {"CLUSTER", "NODES"}));
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string id, address, field;
    f >> id >> address;
    for (int skip = 0; skip < 6; ++skip) f >> field;
    while (f >> field) {
      if (field.front() == '[') continue;  // a migrating/importing marker
      const auto dash = field.find('-');
      const int lo = std::stoi(field.substr(0, dash));
      const int hi = dash == std::string::npos ? lo : std::stoi(field.substr(dash + 1));
      if (slot < lo || slot > hi) continue;
      const auto port = std::stoi(address.substr(address.rfind(':') + 1));
      for (size_t i = 0; i < ports_.size(); ++i)
        if (ports_[i] == port) return i;
    }
  }
  throw std::runtime_error("no node serves the slot of " + key);
}

size_t RedisCluster::non_owner_of(const std::string& key) const { return (owner_of(key) + 1) % ports_.size(); }

long long RedisCluster::llen(const std::string& key) const {
  auto out = cli(0, {"LLEN", key}, true);
  try {
    return std::stoll(out);
  } catch (const std::exception&) {
    return -1;
  }
}

std::vector<std::string> RedisCluster::lrange(const std::string& key) const {
  std::vector<std::string> items;
  std::istringstream lines(cli(0, {"LRANGE", key, "0", "-1"}, true));
  std::string line;
  while (std::getline(lines, line)) items.push_back(line);
  return items;
}

long long RedisCluster::wait_for_length(const std::string& key, long long n,
                                        std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  long long len = 0;
  while ((len = llen(key)) < n && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return len;
}

}  // namespace calllog::test
