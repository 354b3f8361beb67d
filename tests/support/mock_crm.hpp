#pragma once
// Starts the mock-crm binary (MOCK_CRM_BIN) on a free 127.0.0.1 port and reads what it saw:
// the request record (one JSON line per request) and its connection/handshake counters.
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/recorded_request.hpp"
#include "tests/support/tls_certs.hpp"

namespace calllog::test {

struct MockCrmOptions {
  int latency_ms = 0;              // --latency-ms
  uint16_t port = 0;               // 0: the mock picks one (restarts can reuse an old port)
  std::vector<std::string> extra_args;
};

struct MockStats {
  uint64_t handshakes = 0;   // completed TLS handshakes
  uint64_t connections = 0;  // accepted TCP connections
  uint64_t open = 0;         // open right now (count requests with requests().size())
};

class MockCrm {
 public:
  // Throws std::runtime_error when the mock does not come up within 10 s.
  explicit MockCrm(const CertFiles& cert, MockCrmOptions opts = {});
  MockCrm(const MockCrm&) = delete;
  MockCrm& operator=(const MockCrm&) = delete;

  uint16_t port() const { return port_; }
  const std::string& record_file() const { return record_; }
  std::vector<RecordedRequest> requests() const;
  MockStats stats() const;
  // Polls stats() until pred holds or the timeout passes; returns the last stats seen.
  template <class Pred>
  std::pair<bool, MockStats> wait_for_stats(Pred pred, std::chrono::milliseconds timeout) const;
  void stop() { process_.kill_and_wait(); }

 private:
  TempDir dir_;
  std::string record_, stats_;
  Process process_;
  uint16_t port_ = 0;
};

void sleep_briefly();  // one polling interval (20 ms)

template <class Pred>
std::pair<bool, MockStats> MockCrm::wait_for_stats(Pred pred, std::chrono::milliseconds timeout) const {
  auto end = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto s = stats();
    if (pred(s)) return {true, s};
    if (std::chrono::steady_clock::now() >= end) return {false, s};
    sleep_briefly();
  }
}

}  // namespace calllog::test
