// MockCrm: runs mock-crm as a child process and parses its record and stats files.
#include "tests/support/mock_crm.hpp"

#include <stdexcept>
#include <thread>

#include <rapidjson/document.h>

#include "common/json.hpp"

namespace calllog::test {

void sleep_briefly() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

MockCrm::MockCrm(const CertFiles& cert, MockCrmOptions opts)
    : record_(dir_.file("requests.jsonl")), stats_(dir_.file("stats.json")) {
  std::vector<std::string> argv = {mock_crm_bin(), "--port", std::to_string(opts.port),
                                   "--cert", cert.cert, "--key", cert.key, "--record", record_,
                                   "--stats", stats_, "--latency-ms",
                                   std::to_string(opts.latency_ms), "--exit-with-parent", "1"};
  argv.insert(argv.end(), opts.extra_args.begin(), opts.extra_args.end());
  const std::string out = dir_.file("stdout"), err = dir_.file("stderr");
  process_ = Process(argv, {}, out, err);
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < end) {
    std::string text = read_file(out);
    if (text.rfind("listening ", 0) == 0 && text.find('\n') != std::string::npos) {
      port_ = static_cast<uint16_t>(std::stoi(text.substr(10)));
      return;
    }
    if (!process_.running()) break;
    sleep_briefly();
  }
  throw std::runtime_error("mock-crm did not start: " + read_file(err));
}

std::vector<RecordedRequest> MockCrm::requests() const { return read_recorded(record_); }

MockStats MockCrm::stats() const {
  MockStats s;
  rapidjson::Document d;
  if (!json::parse(d, read_file(stats_)).empty() || !d.IsObject()) return s;
  s.handshakes = d["handshakes"].GetUint64();
  s.connections = d["connections"].GetUint64();
  s.open = d["open"].GetUint64();
  return s;
}

}  // namespace calllog::test
