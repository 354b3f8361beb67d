#include "tests/support/golden_requests.hpp"

#include <fstream>
#include <stdexcept>

#include "adapters/appconnect/js_value.hpp"
#include "common/json.hpp"
#include "tests/support/e2e_helpers.hpp"

namespace calllog::test {
namespace {

const std::string kOpenssl = "/usr/bin/openssl";

void must_run(const std::vector<std::string>& argv) {
  auto r = run(argv);  // argv[0] must be a path (execve)
  if (r.exit_code != 0) throw std::runtime_error("failed: " + argv[0] + " " + argv[1] + ": " + r.err);
}

// "https://HOST:P/path?q" → {"HOST:P", "/path?q"}
std::pair<std::string, std::string> split_url(const std::string& url) {
  const std::string rest = url.substr(url.find("://") + 3);
  const auto slash = rest.find('/');
  return {rest.substr(0, slash), slash == std::string::npos ? "/" : rest.substr(slash)};
}

std::string show(const std::optional<std::string>& v) { return v ? "\"" + *v + "\"" : "(absent)"; }

}  // namespace

const std::vector<std::string>& golden_hosts() {
  static const std::vector<std::string> hosts = {
      "acme-sales.pipedrive.com", "globex.pipedrive.com", "initech-eu.pipedrive.com",
      "app.clio.com", "eu.app.clio.com", "au.app.clio.com", "ca.app.clio.com",
      "api.na1.insightly.com", "api.eu1.insightly.com", "smf.crm3.redtailtechnology.com",
      "rest91.bullhornstaffing.com", "rest-east.bullhornstaffing.com",
      "auth-east.bullhornstaffing.com", "1234567.restlets.api.netsuite.com",
      "1234567.suitetalk.api.netsuite.com", "1234567-sb1.restlets.api.netsuite.com",
      "1234567-sb1.suitetalk.api.netsuite.com"};
  return hosts;
}

std::vector<GoldenCase> load_golden(const std::string& path, const std::string& platform,
                                    uint16_t port) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<GoldenCase> out;
  std::string line;
  const std::string p = std::to_string(port);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    rapidjson::Document doc;
    if (!json::parse(doc, line).empty()) throw std::runtime_error("bad corpus line");
    const auto& ev = doc["event"];
    if (json::js_string(json::find(ev, "platform")) != platform) continue;
    GoldenCase c;
    c.id = json::js_string(json::find(ev, "id"));
    c.platform = platform;
    c.event_json = replace_all(json::to_string(ev), "{port}", p);
    c.expected_requests = replace_all(json::to_string(doc["requests"]), "{port}", p);
    c.expected_log_id = json::js_string(json::find_path(doc, {"reply", "logId"}));
    out.push_back(std::move(c));
  }
  return out;
}

TestCerts make_test_certs(const TempDir& dir, const std::vector<std::string>& hosts) {
  TestCerts t{dir.file("ca.pem"), dir.file("server.pem"), dir.file("server.key")};
  const std::string ca_key = dir.file("ca.key"), csr = dir.file("server.csr"),
                    ext = dir.file("server.ext");
  must_run({kOpenssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", ca_key, "-out", t.ca_file, "-days", "2", "-subj",
            "/CN=calllog golden test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
            "keyUsage=critical,keyCertSign,cRLSign"});
  must_run({kOpenssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", t.key_file, "-out", csr, "-subj", "/CN=mock-crm"});
  std::string san = "subjectAltName=IP:127.0.0.1";
  for (const auto& h : hosts) san += ",DNS:" + h;
  write_file(ext, san + "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  must_run({kOpenssl, "x509", "-req", "-in", csr, "-CA", t.ca_file, "-CAkey", ca_key,
            "-CAcreateserial", "-out", t.cert_file, "-days", "2", "-extfile", ext});
  return t;
}

std::string canonical_json(const std::string& text) {
  rapidjson::Document d;
  if (!json::parse(d, text).empty()) return "(invalid JSON) " + text;
  return appconnect::js_json(d);
}

std::string diff_requests(const std::string& expected_json,
                          const std::vector<RecordedRequest>& recorded_all) {
  std::vector<const RecordedRequest*> recorded;
  for (const auto& r : recorded_all) {
    if (r.method == "GET" && r.target.rfind("/v1/activityTypes", 0) == 0) continue;
    recorded.push_back(&r);
  }
  rapidjson::Document exp;
  if (!json::parse(exp, expected_json).empty() || !exp.IsArray()) return "bad expected JSON";
  std::string diff;
  if (exp.Size() != recorded.size()) {
    diff += "  request count: expected " + std::to_string(exp.Size()) + ", got " +
            std::to_string(recorded.size()) + "\n";
  }
  const std::size_t n = std::min<std::size_t>(exp.Size(), recorded.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto& e = exp[static_cast<rapidjson::SizeType>(i)];
    const auto& r = *recorded[i];
    const std::string at = "  request " + std::to_string(i + 1) + ": ";
    const auto [host, target] = split_url(json::js_string(json::find(e, "url")));
    const std::string method = json::js_string(json::find(e, "method"));
    if (method != r.method) diff += at + "method " + method + " != " + r.method + "\n";
    if (target != r.target) diff += at + "target\n    want " + target + "\n    got  " + r.target + "\n";
    if (host != r.host) diff += at + "Host " + host + " != " + r.host + "\n";
    const auto* eh = json::find(e, "headers");
    for (const char* name : {"Authorization", "BhRestToken", "Prefer", "Content-Type"}) {
      std::optional<std::string> want, got;
      if (const auto* v = eh ? json::find(*eh, name) : nullptr) want = json::js_string(v);
      got = r.header(name);
      if (want != got) diff += at + name + " want " + show(want) + " got " + show(got) + "\n";
    }
    const auto* eb = json::find(e, "body");
    const std::string want_body = eb ? appconnect::js_json(*eb) : "null";
    if (want_body != r.body) diff += at + "body\n    want " + want_body + "\n    got  " + r.body + "\n";
  }
  return diff;
}

CrmStack::CrmStack(std::vector<std::string> extra_worker_args,
                   std::vector<std::string> extra_mock_args)
    : port_(free_port()), certs_(make_test_certs(dir_, golden_hosts())), record_(dir_.file("requests.jsonl")) {
  std::vector<std::string> mock_argv = {mock_crm_bin(), "--cert", certs_.cert_file, "--key",
                                        certs_.key_file, "--port", std::to_string(port_),
                                        "--record", record_};
  for (auto& a : extra_mock_args) mock_argv.push_back(a);
  mock_ = Process(mock_argv, {}, dir_.file("mock.out"), dir_.file("mock.err"));
  if (!wait_for_port(port_)) throw std::runtime_error("mock-crm did not start: " + read_file(dir_.file("mock.err")));
  const std::string p = std::to_string(port_);
  std::vector<std::string> args = {
      "--ca-file", certs_.ca_file,
      "--redtail-api-url", "https://smf.crm3.redtailtechnology.com:" + p + "/api/public/v1",
      "--redtail-api-key", "rtk-appconnect-test-7f3a91"};
  for (const auto& h : golden_hosts()) {
    args.push_back("--resolve");
    args.push_back(h + ":" + p + ":127.0.0.1");
  }
  for (auto& a : extra_worker_args) args.push_back(a);
  worker_ = std::make_unique<WorkerProcess>(redis_, dir_, args);
}

std::string CrmStack::run_event(const std::string& event_json,
                                std::vector<RecordedRequest>* requests,
                                std::chrono::milliseconds timeout) {
  const std::size_t before = read_recorded(record_).size();
  redis_.lpush("calllog:events", event_json);
  const long long want = replies_ + 1;
  if (wait_for_length(redis_, "calllog:replies", want, timeout) < want) {
    throw std::runtime_error("no reply within the timeout; worker log:\n" + worker_log());
  }
  replies_ = want;
  auto all = read_recorded(record_);
  if (requests) {
    for (std::size_t i = before; i < all.size(); ++i) requests->push_back(std::move(all[i]));
  }
  return redis_.lrange("calllog:replies")[0];
}

}  // namespace calllog::test
