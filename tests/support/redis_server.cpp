#include "tests/support/redis_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace calllog::test {

RedisServer::RedisServer(std::string password, bool persistent)
    : port_(free_port()), password_(std::move(password)), persistent_(persistent) {
  start();
}

RedisServer::~RedisServer() { stop(); }

std::string RedisServer::url() const {
  std::string auth = password_.empty() ? "" : ":" + password_ + "@";
  return "redis://" + auth + "127.0.0.1:" + std::to_string(port_) + "/0";
}

void RedisServer::start() {
  std::vector<std::string> argv = {"/usr/bin/redis-server", "--port", std::to_string(port_),
                                   "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                   persistent_ ? "yes" : "no", "--appendfsync", "always",
                                   "--dir", dir_.path(), "--daemonize", "no"};
  if (!password_.empty()) {
    argv.push_back("--requirepass");
    argv.push_back(password_);
  }
  proc_ = Process(argv, {}, dir_.file("redis.out"), dir_.file("redis.err"));
  if (!wait_for_port(port_)) throw std::runtime_error("redis-server did not start");
}

void RedisServer::stop() { proc_.kill_and_wait(); }

namespace {
// Advances pos past one complete RESP2 reply in buf; false when buf holds only part of it.
bool resp_skip(const std::string& buf, std::size_t& pos) {
  auto eol = buf.find("\r\n", pos);
  if (eol == std::string::npos || pos >= buf.size()) return false;
  char type = buf[pos];
  std::string head = buf.substr(pos + 1, eol - pos - 1);
  pos = eol + 2;
  if (type == '$') {
    long long len = std::stoll(head);
    if (len < 0) return true;
    if (buf.size() < pos + static_cast<std::size_t>(len) + 2) return false;
    pos += static_cast<std::size_t>(len) + 2;
    return true;
  }
  if (type == '*') {
    long long n = std::stoll(head);
    for (long long i = 0; i < n; ++i)
      if (!resp_skip(buf, pos)) return false;
    return true;
  }
  return true;  // + - :
}
}  // namespace

std::string RedisServer::command(const std::vector<std::string>& args) const {
  // Right after a restart Redis answers -LOADING while it reads its append-only file: wait.
  for (int i = 0; i < 200; ++i) {
    auto r = command_once(args);
    if (r.rfind("-LOADING", 0) != 0) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return command_once(args);
}

std::string RedisServer::command_once(const std::vector<std::string>& args) const {
  std::vector<std::vector<std::string>> cmds;
  if (!password_.empty()) cmds.push_back({"AUTH", password_});
  cmds.push_back(args);
  std::string wire;
  for (auto& c : cmds) {
    wire += "*" + std::to_string(c.size()) + "\r\n";
    for (auto& a : c) wire += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  }
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port_);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to redis");
  }
  ::send(fd, wire.data(), wire.size(), 0);
  // Read until every reply is complete (the connection stays open: Redis drops unsent output of a
  // client that half-closes).
  std::string out;
  char buf[65536];
  auto complete = [&] {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < cmds.size(); ++i)
      if (!resp_skip(out, pos)) return false;
    return true;
  };
  while (!complete()) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (!password_.empty()) {
    auto p = out.find("\r\n");  // drop "+OK\r\n" of AUTH
    out = out.substr(p + 2);
  }
  return out;
}

long long RedisServer::llen(const std::string& key) const {
  auto r = command({"LLEN", key});
  if (r.empty() || r[0] != ':') throw std::runtime_error("LLEN failed: " + r);
  return std::stoll(r.substr(1));
}

std::vector<std::string> RedisServer::lrange(const std::string& key) const {
  auto r = command({"LRANGE", key, "0", "-1"});
  std::vector<std::string> out;
  if (r.empty() || r[0] != '*') throw std::runtime_error("LRANGE failed: " + r.substr(0, 200));
  std::size_t pos = r.find("\r\n");
  long long n = std::stoll(r.substr(1, pos - 1));
  pos += 2;
  for (long long i = 0; i < n; ++i) {
    if (r[pos] != '$') throw std::runtime_error("LRANGE: unexpected reply");
    auto eol = r.find("\r\n", pos);
    auto len = static_cast<std::size_t>(std::stoll(r.substr(pos + 1, eol - pos - 1)));
    out.push_back(r.substr(eol + 2, len));
    pos = eol + 2 + len + 2;
  }
  return out;
}

void RedisServer::lpush(const std::string& key, const std::string& value) const {
  auto r = command({"LPUSH", key, value});
  if (r.empty() || r[0] != ':') throw std::runtime_error("LPUSH failed: " + r);
}

}  // namespace calllog::test
