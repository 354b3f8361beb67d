#pragma once
// The golden request corpus (golden/README.md "requests-public.jsonl") against the real worker
// and the mock CRM: loading cases, a TLS set-up for the golden host names, the mock's request
// log, and a readable per-event comparison.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "tests/support/process.hpp"
#include "tests/support/recorded_request.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/worker_process.hpp"

namespace calllog::test {

// Host names the corpus uses (golden/README.md "Running it").
const std::vector<std::string>& golden_hosts();

struct GoldenCase {
  std::string id;
  std::string platform;
  std::string event_json;            // {port} replaced
  std::string expected_requests;     // JSON array, {port} replaced
  std::string expected_log_id;       // String(reply.logId)
};

// The corpus lines of `platform`, with {port} replaced by `port`.
std::vector<GoldenCase> load_golden(const std::string& path, const std::string& platform,
                                    uint16_t port);

// A test CA and a server certificate for `hosts` (+ 127.0.0.1), made with the openssl CLI.
struct TestCerts {
  std::string ca_file, cert_file, key_file;
};
TestCerts make_test_certs(const TempDir& dir, const std::vector<std::string>& hosts);

// Differences between what App Connect sent (`expected` array) and what the mock recorded,
// compared as golden/README.md says (method, path+query, Host, Authorization, BhRestToken,
// Prefer, Content-Type, JSON body with key order). Pipedrive's GET /v1/activityTypes is
// ignored. Empty when equal.
std::string diff_requests(const std::string& expected_json,
                          const std::vector<RecordedRequest>& recorded);

// JSON.stringify-style canonical text of a JSON document (key order kept, numbers normalized).
std::string canonical_json(const std::string& text);

// redis-server + the mock CRM (TLS, golden host names, request log) + the real worker with
// --ca-file, one --resolve per golden host, and the Redtail options of the corpus.
class CrmStack {
 public:
  explicit CrmStack(std::vector<std::string> extra_worker_args = {},
                    std::vector<std::string> extra_mock_args = {});
  uint16_t port() const { return port_; }
  RedisServer& redis() { return redis_; }
  const std::string& record_file() const { return record_; }

  // Pushes one event and waits for its reply (the JSON text); the requests it caused are
  // appended to *requests. Events run one at a time, so the mock's log splits per event.
  std::string run_event(const std::string& event_json, std::vector<RecordedRequest>* requests,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));
  std::string worker_log() const { return worker_ ? worker_->log() : std::string(); }

 private:
  TempDir dir_;
  RedisServer redis_;
  uint16_t port_;
  TestCerts certs_;
  std::string record_;
  Process mock_;
  std::unique_ptr<WorkerProcess> worker_;
  long long replies_ = 0;
};

}  // namespace calllog::test
