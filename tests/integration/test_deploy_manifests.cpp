// deploy/ checked as far as this machine can (no Docker, no Kubernetes): manifests parse and
// carry what an operator needs, every flag and env var they name is in CONTRACT §6 and in the
// worker's --help, the systemd unit passes `systemd-analyze verify`, the image installs the
// runtime libraries `ldd` names, and the dashboard queries only the worker's metrics.
// The checks live in check_manifests.py (PyYAML, installed by deploy/setup-debian.sh).
#define BOOST_TEST_MODULE deploy_manifests
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"

namespace t = calllog::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> python() {
  if (fs::exists("/usr/bin/python3")) return {"/usr/bin/python3"};
  return {"/usr/bin/env", "python3"};
}

t::RunResult check(const std::string& section, const std::string& deploy_dir,
                   std::vector<std::string> extra = {}) {
  auto argv = python();
  argv.insert(argv.end(), {t::source_dir() + "/tests/integration/check_manifests.py",
                           "--section", section, "--deploy", deploy_dir, "--contract",
                           t::shared_dir() + "/spec/CONTRACT.md", "--worker-bin", t::worker_bin()});
  argv.insert(argv.end(), extra.begin(), extra.end());
  return t::run(argv, {}, {}, std::chrono::seconds(120));
}

void expect_clean(const std::string& section) {
  auto r = check(section, t::source_dir() + "/deploy");
  BOOST_TEST_MESSAGE(r.out);  // SKIP lines and measured figures show with --log_level=message
  BOOST_TEST(r.exit_code == 0, section << " check failed:\n" << r.out << r.err);
}

void replace_in(const std::string& path, const std::string& from, const std::string& to) {
  auto text = t::read_file(path);
  auto at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, path << " no longer contains " << from);
  t::write_file(path, text.replace(at, from.size(), to));
}

}  // namespace

BOOST_AUTO_TEST_CASE(manifests_parse_and_have_required_fields) { expect_clean("yaml"); }
BOOST_AUTO_TEST_CASE(flags_and_env_vars_are_in_the_contract) { expect_clean("contract"); }
BOOST_AUTO_TEST_CASE(flags_and_env_vars_are_in_worker_help) { expect_clean("help"); }
BOOST_AUTO_TEST_CASE(systemd_unit_is_hardened_and_verifies) { expect_clean("systemd"); }
BOOST_AUTO_TEST_CASE(dockerfile_is_multistage_slim_nonroot) { expect_clean("dockerfile"); }
BOOST_AUTO_TEST_CASE(grafana_dashboard_queries_worker_metrics) { expect_clean("grafana"); }

// The image's HEALTHCHECK command and the pod's probe paths, against a real worker.
BOOST_AUTO_TEST_CASE(healthcheck_and_probes_answer_on_a_running_worker) {
  t::RedisServer redis;
  t::TempDir tmp;
  auto port = std::to_string(t::free_port());
  t::Process worker({t::worker_bin(), "run", "--redis-url", redis.url(), "--http-listen",
                     "127.0.0.1:" + port, "--sandbox-db", tmp.file("sandbox.db")},
                    {}, tmp.file("out.log"), tmp.file("err.log"));
  if (!t::wait_for_port(static_cast<uint16_t>(std::stoi(port)), std::chrono::seconds(5))) {
    BOOST_TEST(worker.running(), "worker exited: " << t::read_file(tmp.file("err.log")));
    BOOST_TEST_MESSAGE("SKIP: the worker does not serve --http-listen yet; HEALTHCHECK not run");
    return;
  }
  auto r = check("healthcheck", t::source_dir() + "/deploy", {"--port", port});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  worker.signal(SIGTERM);
  BOOST_TEST(worker.wait(std::chrono::seconds(40)) == 0);
}

// The checker itself must catch what it claims to: break a copy of deploy/ in one place per
// section and expect each break to be reported.
BOOST_AUTO_TEST_CASE(checker_reports_broken_manifests) {
  t::TempDir tmp;
  auto copy = tmp.file("deploy");
  auto cp = t::run({"/bin/cp", "-r", t::source_dir() + "/deploy", copy});
  BOOST_REQUIRE_EQUAL(cp.exit_code, 0);

  replace_in(copy + "/kubernetes/deployment.yaml", "terminationGracePeriodSeconds: 45",
             "terminationGracePeriodSeconds: 20");
  replace_in(copy + "/kubernetes/overlays/redis-cluster/scaledobject-patch.yaml",
             "listName: \"{calllog}:events\"", "listName: \"calllog:events\"");
  replace_in(copy + "/systemd/calllog-worker.service", "calllog-worker run",
             "calllog-worker run --no-such-flag");
  replace_in(copy + "/systemd/calllog-worker.service", "TimeoutStopSec=45s", "TimeoutStopSec=20s");
  replace_in(copy + "/Dockerfile", "USER 10001:10001", "USER root");
  replace_in(copy + "/grafana/calllog-worker.json", "calllog_in_flight", "calllog_inflight");

  struct Expect {
    std::string section, message;
  };
  for (const auto& e : std::vector<Expect>{
           {"yaml", "base: terminationGracePeriodSeconds must exceed"},
           {"yaml", "redis-cluster overlay: listName 'calllog:events' != '{calllog}:events'"},
           {"contract", "flag --no-such-flag (run) is not in CONTRACT"},
           {"systemd", "TimeoutStopSec must exceed"},
           {"dockerfile", "non-root USER"},
           {"grafana", "unknown metric calllog_inflight"},
       }) {
    auto r = check(e.section, copy);
    BOOST_TEST(r.exit_code == 1, e.section << ": exit " << r.exit_code << "\n" << r.out << r.err);
    BOOST_TEST(r.out.find(e.message) != std::string::npos,
               e.section << ": expected \"" << e.message << "\" in:\n" << r.out << r.err);
  }
}
