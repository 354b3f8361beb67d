// bench_worker_pipedrive: the real calllog-worker against the TLS mock CRM (issue 5 benchmark).
//   bench_worker_pipedrive [--events N] [--quick] [--concurrency C] [--only pd0|pd20|sandbox]
//                          [--worker PATH] [--mock PATH] [--keep DIR] [--wrap "CMD ARGS"]
// --wrap runs the timed worker under a tool, e.g. --wrap "/usr/bin/valgrind --tool=callgrind
// --callgrind-out-file=/tmp/cg.out" (absolute path; the figures then measure the tool too).
// Scenarios: N Pipedrive events at 0 ms and 20 ms of mock latency, and N sandbox (SQLite) events.
// All events are queued before the worker starts; the clock runs from its start until N replies.
// Figures: events/s, worker CPU ms per event (/proc utime+stime), peak RSS (VmHWM), p50/p99 of
// the worker's own take→reply time (the "ms" of its "event" log lines), and at 20 ms the share
// of the limit concurrency / (2 × latency) (two CRM requests per event).
// Binaries: --worker/--mock, else CALLLOG_BIN/MOCK_CRM_BIN, else ../calllog-worker and
// ../tests/mock_crm/mock-crm next to this program.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "common/json.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/tls_certs.hpp"
#include "tests/support/worker_process.hpp"

namespace t = calllog::test;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// A Pipedrive host behind the mock's honest token bucket with a budget far above what one worker
// can use (1,000,000 per second), so the figures measure the worker, not a rate limit.
constexpr const char* kHost = "rlbucket-1000000-1000.pipedrive.com";
constexpr auto kScenarioLimit = 5min;

struct Options {
  long events = 20000;
  int concurrency = 64;
  std::string only;
  std::string worker, mock, keep;
  std::vector<std::string> wrap;  // --wrap "valgrind --tool=callgrind ...": the timed worker only
};

struct Figures {
  std::string name;
  long events = 0, replies = 0, logged = 0, failed = 0;
  bool gave_up = false;
  double seconds = 0, cpu_ms = 0, rss_mib = 0, p50 = 0, p99 = 0, max = 0;
  double mock_cpu_ms = 0, redis_cpu_ms = 0, sys_ms = 0;
  double redis_commands_per_event = 0;
  std::string redis_commands;  // per event, by command
  long crm_requests = -1, handshakes = -1;
  long throttled = 0, retries = 0;  // "crm host throttled" / "retry scheduled" log lines
  int latency_ms = -1;
  double eps() const { return seconds > 0 ? static_cast<double>(replies) / seconds : 0; }
  double cpu_per_event() const { return replies > 0 ? cpu_ms / static_cast<double>(replies) : 0; }
};

std::string self_dir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

std::string load_avg() {
  std::string s = t::read_file("/proc/loadavg");
  auto parts = std::istringstream(s);
  std::string a, b, c;
  parts >> a >> b >> c;
  return a + " " + b + " " + c;
}

// utime + stime of a process in ms, from /proc/<pid>/stat (fields 14 and 15); *sys_ms: stime.
double cpu_ms_of(pid_t pid, double* sys_ms = nullptr) {
  std::string s = t::read_file("/proc/" + std::to_string(pid) + "/stat");
  auto close = s.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(s.substr(close + 2));
  std::string field;
  double ticks = 0;
  const double ms_per_tick = 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
    if (i == 15 && sys_ms) *sys_ms = std::stod(field) * ms_per_tick;
  }
  return ticks * ms_per_tick;
}

// Redis INFO commandstats: calls per command name ("cmdstat_get:calls=12,...").
std::map<std::string, long> redis_calls(const t::RedisServer& redis) {
  std::map<std::string, long> out;
  std::istringstream lines(redis.command({"INFO", "commandstats"}));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("cmdstat_", 0) != 0) continue;
    auto colon = line.find(':'), calls = line.find("calls=");
    if (colon == std::string::npos || calls == std::string::npos) continue;
    out[line.substr(8, colon - 8)] = std::stol(line.substr(calls + 6));
  }
  return out;
}

// "name calls/event, ..." for the commands the run sent (after minus before), most first.
std::string redis_calls_per_event(const std::map<std::string, long>& before,
                                  const std::map<std::string, long>& after, long events,
                                  double* total_per_event) {
  std::vector<std::pair<long, std::string>> diff;
  long total = 0;
  for (const auto& [name, n] : after) {
    auto it = before.find(name);
    long d = n - (it == before.end() ? 0 : it->second);
    if (d > 0 && name != "info") diff.emplace_back(d, name), total += d;
  }
  std::sort(diff.rbegin(), diff.rend());
  std::string text;
  char buf[64];
  for (const auto& [d, name] : diff) {
    std::snprintf(buf, sizeof buf, "%s%s %.2f", text.empty() ? "" : ", ", name.c_str(),
                  static_cast<double>(d) / static_cast<double>(std::max(1L, events)));
    text += buf;
  }
  *total_per_event = static_cast<double>(total) / static_cast<double>(std::max(1L, events));
  return text;
}

double vm_hwm_mib(pid_t pid) {
  std::istringstream lines(t::read_file("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(lines, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  return -1;
}

double redis_cpu_ms(const t::RedisServer& redis) {
  std::string info = redis.command({"INFO", "cpu"});
  double total = 0;
  for (const char* key : {"used_cpu_sys:", "used_cpu_user:"}) {
    auto at = info.find(key);
    if (at != std::string::npos) total += std::stod(info.substr(at + std::strlen(key)));
  }
  return total * 1000.0;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  auto k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// Events as JSON lines: the sample with `count` unique ids/session ids starting at `first`.
std::string make_events(const std::string& sample_file, const std::string& hostname, long first,
                        long count, bool pipedrive) {
  rapidjson::Document doc;
  auto err = calllog::json::parse(doc, t::read_file(sample_file));
  if (!err.empty() || !doc.IsObject()) throw std::runtime_error(sample_file + ": " + err);
  auto& a = doc.GetAllocator();
  std::string out;
  for (long i = first; i < first + count; ++i) {
    const std::string n = std::to_string(i);
    doc["id"].SetString(("evt-bench-" + n).c_str(), a);
    doc["user"]["hostname"].SetString(hostname.c_str(), a);
    doc["callLog"]["sessionId"].SetString(std::to_string(7000000000 + i).c_str(), a);
    if (pipedrive) {
      doc["callLog"]["id"].SetString(("bench-call-" + n).c_str(), a);
      doc["contactInfo"]["id"].SetString(std::to_string(2000 + i % 1000).c_str(), a);
    }
    out += calllog::json::to_string(doc) + "\n";
  }
  return out;
}

void enqueue(const Options& o, const t::RedisServer& redis, const std::string& file) {
  auto r = t::run({o.worker, "enqueue", "--redis-url", redis.url(), file}, {}, {}, 120s);
  if (r.exit_code != 0) throw std::runtime_error("enqueue failed: " + r.err);
}

// Polls LLEN every 10 ms until n replies, the deadline, or 60 s without a new reply (a stall:
// e.g. events parked on the retry schedule); returns the last length seen.
long wait_replies(const t::RedisServer& redis, long n, Clock::time_point deadline) {
  long len = 0, last = -1;
  auto last_progress = Clock::now();
  while ((len = redis.llen("calllog:replies")) < n && Clock::now() < deadline) {
    if (len != last) last = len, last_progress = Clock::now();
    if (Clock::now() - last_progress > 60s) break;
    std::this_thread::sleep_for(10ms);
  }
  return len;
}

// The "ms" and status of every "event" line of the worker's log.
void read_event_log(const std::string& log, Figures& f, std::vector<double>& ms) {
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("\"msg\":\"crm host throttled\"") != std::string::npos) ++f.throttled;
    if (line.find("\"msg\":\"retry scheduled\"") != std::string::npos) ++f.retries;
    if (line.find("\"msg\":\"event\"") == std::string::npos) continue;
    rapidjson::Document d;
    if (!calllog::json::parse(d, line).empty() || !d.IsObject()) continue;
    if (d.HasMember("ms") && d["ms"].IsNumber()) ms.push_back(d["ms"].GetDouble());
    std::string status = d.HasMember("status") && d["status"].IsString() ? d["status"].GetString() : "";
    if (status == "logged") ++f.logged;
    else ++f.failed;
  }
}

struct Mock {
  t::Process proc;
  uint16_t port = 0;
  std::string stats_file;
};

Mock start_mock(const Options& o, const t::TempDir& dir, const t::CertFiles& cert, int latency_ms) {
  Mock m;
  m.stats_file = dir.file("mock-stats.json");
  const std::string out = dir.file("mock.out");
  // No --record: the mock shares the 2 cores with the worker; its per-request fflush would
  // only slow the system under test.
  m.proc = t::Process({o.mock, "--port", "0", "--cert", cert.cert, "--key", cert.key, "--stats",
                       m.stats_file, "--latency-ms", std::to_string(latency_ms),
                       "--exit-with-parent", "1"},
                      {}, out, dir.file("mock.err"));
  for (auto end = Clock::now() + 10s; Clock::now() < end; std::this_thread::sleep_for(20ms)) {
    std::string text = t::read_file(out);
    if (text.rfind("listening ", 0) == 0 && text.find('\n') != std::string::npos) {
      m.port = static_cast<uint16_t>(std::stoi(text.substr(10)));
      return m;
    }
  }
  throw std::runtime_error("mock-crm did not start: " + t::read_file(dir.file("mock.err")));
}

long mock_stat(const Mock& m, const char* key) {
  rapidjson::Document d;
  if (!calllog::json::parse(d, t::read_file(m.stats_file)).empty() || !d.IsObject() ||
      !d.HasMember(key))
    return -1;
  return d[key].GetInt64();
}

std::vector<std::string> worker_argv(const Options& o, const t::RedisServer& redis,
                                     const t::TempDir& dir, const std::string& ca, uint16_t port) {
  std::vector<std::string> argv = {o.worker, "run", "--redis-url", redis.url(), "--http-listen",
                                   "off", "--concurrency", std::to_string(o.concurrency),
                                   "--log-level", "info", "--sandbox-db", dir.file("sandbox.db")};
  if (port) {
    argv.insert(argv.end(), {"--ca-file", ca, "--resolve",
                             std::string(kHost) + ":" + std::to_string(port) + ":127.0.0.1"});
  }
  return argv;
}

// Runs one timed worker over `n` queued events; fills the worker-side figures.
void timed_run(const t::RedisServer& redis, const std::vector<std::string>& wrap,
               const std::vector<std::string>& argv,
               const std::string& log_file, long n, Figures& f) {
  const double redis_before = redis_cpu_ms(redis);
  const auto calls_before = redis_calls(redis);
  const auto t0 = Clock::now();
  std::vector<std::string> wrapped = wrap;
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  t::Process worker(wrapped, {}, log_file + ".out", log_file);
  f.replies = wait_replies(redis, n, t0 + kScenarioLimit);
  f.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  f.gave_up = f.replies < n;
  f.cpu_ms = cpu_ms_of(worker.pid(), &f.sys_ms);
  f.rss_mib = vm_hwm_mib(worker.pid());
  f.redis_cpu_ms = redis_cpu_ms(redis) - redis_before;
  f.redis_commands = redis_calls_per_event(calls_before, redis_calls(redis), f.replies,
                                           &f.redis_commands_per_event);
  worker.signal(SIGTERM);
  if (worker.wait(40s) < 0) worker.kill_and_wait();
  std::vector<double> ms;
  read_event_log(t::read_file(log_file), f, ms);
  f.p50 = percentile(ms, 0.50);
  f.p99 = percentile(ms, 0.99);
  f.max = ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end());
}

Figures pipedrive_scenario(const Options& o, int latency_ms) {
  Figures f;
  f.name = "pipedrive " + std::to_string(latency_ms) + " ms";
  f.events = o.events;
  f.latency_ms = latency_ms;
  t::TempDir dir;
  t::RedisServer redis;
  t::TestPki pki;
  auto cert = pki.server_cert({kHost});
  Mock mock = start_mock(o, dir, cert, latency_ms);
  const std::string hostname = std::string(kHost) + ":" + std::to_string(mock.port);
  const std::string sample = t::shared_dir() + "/spec/samples/pipedrive-inbound.json";
  auto argv = worker_argv(o, redis, dir, pki.ca_file(), mock.port);

  // Pre-warm: one event fills the account's activity-type cache (in Redis, shared by the pool).
  t::write_file(dir.file("warm.jsonl"), make_events(sample, hostname, 0, 1, true));
  enqueue(o, redis, dir.file("warm.jsonl"));
  {
    t::Process warm(argv, {}, dir.file("warm.log.out"), dir.file("warm.log"));
    if (wait_replies(redis, 1, Clock::now() + 30s) < 1)
      throw std::runtime_error("pre-warm event got no reply: " + t::read_file(dir.file("warm.log")));
    warm.signal(SIGTERM);
    if (warm.wait(40s) < 0) warm.kill_and_wait();
  }
  const std::string warm_reply = redis.lrange("calllog:replies").at(0);
  if (warm_reply.find("\"logged\"") == std::string::npos)
    throw std::runtime_error("pre-warm event not logged: " + warm_reply);
  redis.command({"DEL", "calllog:replies"});
  const long requests_before = mock_stat(mock, "requests");
  const long handshakes_before = mock_stat(mock, "handshakes");

  t::write_file(dir.file("events.jsonl"), make_events(sample, hostname, 1, o.events, true));
  enqueue(o, redis, dir.file("events.jsonl"));
  const double mock_before = cpu_ms_of(mock.proc.pid());
  timed_run(redis, o.wrap, argv, dir.file("worker.log"), o.events, f);
  f.mock_cpu_ms = cpu_ms_of(mock.proc.pid()) - mock_before;
  f.crm_requests = mock_stat(mock, "requests") - requests_before;
  f.handshakes = mock_stat(mock, "handshakes") - handshakes_before;
  if (!o.keep.empty())
    std::filesystem::copy_file(dir.file("worker.log"), o.keep + "/worker-pd" + std::to_string(latency_ms) + ".log",
                               std::filesystem::copy_options::overwrite_existing);
  return f;
}

Figures sandbox_scenario(const Options& o) {
  Figures f;
  f.name = "sandbox (SQLite)";
  f.events = o.events;
  t::TempDir dir;
  t::RedisServer redis;
  const std::string sample = t::shared_dir() + "/spec/samples/sandbox-minimal.json";
  t::write_file(dir.file("events.jsonl"), make_events(sample, "sandbox.local", 1, o.events, false));
  enqueue(o, redis, dir.file("events.jsonl"));
  timed_run(redis, o.wrap, worker_argv(o, redis, dir, "", 0), dir.file("worker.log"), o.events, f);
  f.crm_requests = t::sqlite_count(dir.file("sandbox.db"), "call_logs");  // rows written
  return f;
}

void print(const Figures& f, int concurrency) {
  std::printf("\n== %s: %ld events, concurrency %d%s\n", f.name.c_str(), f.events, concurrency,
              f.gave_up ? "  ** GAVE UP (5 min, or 60 s without a reply) **" : "");
  std::printf("  replies %ld (logged %ld, other %ld) in %.2f s  ->  %.0f events/s\n", f.replies,
              f.logged, f.failed, f.seconds, f.eps());
  std::printf("  worker CPU %.0f ms (sys %.0f)  ->  %.3f ms/event;  peak RSS (VmHWM) %.1f MiB\n",
              f.cpu_ms, f.sys_ms, f.cpu_per_event(), f.rss_mib);
  std::printf("  redis commands %.1f/event: %s\n", f.redis_commands_per_event, f.redis_commands.c_str());
  std::printf("  take->reply latency p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", f.p50, f.p99, f.max);
  if (f.latency_ms >= 0) {
    std::printf("  mock CPU %.3f ms/event, redis CPU %.3f ms/event; CRM requests %ld (%.2f/event), TLS handshakes %ld\n",
                f.replies ? f.mock_cpu_ms / static_cast<double>(f.replies) : 0,
                f.replies ? f.redis_cpu_ms / static_cast<double>(f.replies) : 0, f.crm_requests,
                f.replies ? static_cast<double>(f.crm_requests) / static_cast<double>(f.replies) : 0,
                f.handshakes);
  } else {
    std::printf("  redis CPU %.3f ms/event; SQLite call_logs rows %ld\n",
                f.replies ? f.redis_cpu_ms / static_cast<double>(f.replies) : 0, f.crm_requests);
  }
  if (f.throttled || f.retries)
    std::printf("  ** the worker throttled itself %ld times and scheduled %ld retries: its rate limiter "
                "follows the mock's x-ratelimit-* headers, so this run does not measure the worker **\n",
                f.throttled, f.retries);
  if (f.latency_ms > 0) {
    double limit = concurrency / (2.0 * f.latency_ms / 1000.0);
    std::printf("  limit concurrency/(2 x latency) = %.0f events/s  ->  %.1f%% of the limit (target >= 95%%)\n",
                limit, 100.0 * f.eps() / limit);
  }
  if (f.latency_ms == 0)
    std::printf("  targets: CPU <= 0.12 ms/event: %s;  peak RSS <= 30 MiB: %s\n",
                f.cpu_per_event() <= 0.12 ? "met" : "MISSED", f.rss_mib <= 30 ? "met" : "MISSED");
  std::printf("  load average now: %s\n", load_avg().c_str());
  std::fflush(stdout);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value for " + a);
      return argv[++i];
    };
    if (a == "--events") o.events = std::stol(value());
    else if (a == "--quick") o.events = 2000;
    else if (a == "--concurrency") o.concurrency = std::stoi(value());
    else if (a == "--only") o.only = value();
    else if (a == "--worker") o.worker = value();
    else if (a == "--mock") o.mock = value();
    else if (a == "--keep") o.keep = value();
    else if (a == "--wrap") {
      std::istringstream words(value());
      for (std::string w; words >> w;) o.wrap.push_back(w);
    }
    else throw std::runtime_error("unknown option " + a);
  }
  const std::string here = self_dir();
  if (o.worker.empty()) o.worker = t::env_or("CALLLOG_BIN", here + "/../calllog-worker");
  if (o.mock.empty()) o.mock = t::env_or("MOCK_CRM_BIN", here + "/../tests/mock_crm/mock-crm");
  ::setenv("CALLLOG_SHARED_DIR", CALLLOG_BENCH_SHARED_DIR, 0);  // unless already set
  if (o.events < 1) throw std::runtime_error("--events must be >= 1");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o = parse(argc, argv);
    std::printf("bench_worker_pipedrive: worker %s\n  mock %s\n  load average at start: %s, %ld CPUs\n",
                o.worker.c_str(), o.mock.c_str(), load_avg().c_str(), ::sysconf(_SC_NPROCESSORS_ONLN));
    if (o.only.empty() || o.only == "pd0") print(pipedrive_scenario(o, 0), o.concurrency);
    if (o.only.empty() || o.only == "pd20") print(pipedrive_scenario(o, 20), o.concurrency);
    if (o.only.empty() || o.only == "sandbox") print(sandbox_scenario(o), o.concurrency);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_worker_pipedrive: %s\n", e.what());
    return 1;
  }
  return 0;
}
