#pragma once
// Test support: the TLS mock CRM (mock-crm) on a free loopback port for a list of CRM host names,
// recording every request, and the worker flags (--ca-file, one --resolve per host) that send
// those hosts to it.
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/golden_requests.hpp"
#include "tests/support/process.hpp"

namespace calllog::test {

class MockCrmProcess {
 public:
  // Throws std::runtime_error when the mock does not come up.
  MockCrmProcess(std::vector<std::string> hosts, int latency_ms = 0, std::vector<std::string> extra_args = {});
  uint16_t port() const { return port_; }
  const std::string& record() const { return record_; }
  const std::string& ca_file() const { return certs_.ca_file; }
  std::vector<std::string> worker_args() const;
  // Requests recorded with this method whose target starts with the prefix.
  int count(const std::string& method, const std::string& target_prefix) const;

 private:
  TempDir dir_;
  std::vector<std::string> hosts_;
  uint16_t port_;
  TestCerts certs_;
  std::string record_;
  Process proc_;
};

}  // namespace calllog::test
