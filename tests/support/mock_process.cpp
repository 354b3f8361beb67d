#include "tests/support/mock_process.hpp"

#include <stdexcept>

namespace calllog::test {

MockCrmProcess::MockCrmProcess(std::vector<std::string> hosts, int latency_ms, std::vector<std::string> extra_args)
    : hosts_(std::move(hosts)), port_(free_port()), certs_(make_test_certs(dir_, hosts_)),
      record_(dir_.file("requests.jsonl")) {
  std::vector<std::string> argv = {mock_crm_bin(), "--cert", certs_.cert_file, "--key", certs_.key_file, "--port",
                                   std::to_string(port_), "--record", record_, "--latency-ms", std::to_string(latency_ms)};
  for (auto& a : extra_args) argv.push_back(a);
  proc_ = Process(argv, {}, dir_.file("mock.out"), dir_.file("mock.err"));
  if (!wait_for_port(port_)) throw std::runtime_error("mock-crm did not start: " + read_file(dir_.file("mock.err")));
}

std::vector<std::string> MockCrmProcess::worker_args() const {
  std::vector<std::string> a = {"--ca-file", certs_.ca_file};
  for (const auto& h : hosts_) {
    a.push_back("--resolve");
    a.push_back(h + ":" + std::to_string(port_) + ":127.0.0.1");
  }
  return a;
}

int MockCrmProcess::count(const std::string& method, const std::string& target_prefix) const {
  int n = 0;
  for (auto& r : read_recorded(record_)) n += r.method == method && r.target.rfind(target_prefix, 0) == 0;
  return n;
}

}  // namespace calllog::test
