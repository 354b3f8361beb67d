// bench_worker_chaos: the chaos benchmark of issue 6. N Pipedrive events (default 10,000) through
// three real workers against the TLS mock CRM in chaos mode (20% 500/502/503, 5% connection
// resets after the mock handled the request, 0–50 ms random latency); one worker is SIGKILLed and
// restarted with the same --worker-id every few seconds; the persistent redis-server (AOF,
// fsync always) is SIGKILLed and restarted once. Gives up after --limit seconds and says so.
//   bench_worker_chaos [--events N] [--kill-every S] [--limit S] [--companies K] [--seed S]
// Prints: events, final replies, events without a reply (must be 0), events with more than one
// reply (must be 0), CRM writes per session (sessions written twice, by cause), dead letters,
// elapsed time. Exit 1 when a must-be-0 figure is not 0 or it gave up.
// Binaries: CALLLOG_BIN and MOCK_CRM_BIN, else ../calllog-worker and ../tests/mock_crm/mock-crm
// next to this program.
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <algorithm>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/chaos_tally.hpp"
#include "tests/support/golden_requests.hpp"  // make_test_certs
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"

namespace t = calllog::test;
namespace chaos = calllog::test::chaos;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct Options {
  int events = 10000;
  double kill_every_s = 3;
  double limit_s = 300;
  int companies = 32;  // 32 x Pipedrive's 40 requests/s per company: the CRM's budget is not the bound
  std::string seed = "6";
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) throw std::runtime_error("missing value for " + a);
    std::string v = argv[++i];
    if (a == "--events") o.events = std::stoi(v);
    else if (a == "--kill-every") o.kill_every_s = std::stod(v);
    else if (a == "--limit") o.limit_s = std::stod(v);
    else if (a == "--companies") o.companies = std::stoi(v);
    else if (a == "--seed") o.seed = v;
    else throw std::runtime_error("unknown option " + a);
  }
  return o;
}

// CALLLOG_BIN / MOCK_CRM_BIN for the test support helpers, defaulting to this build's binaries.
void default_binaries() {
  std::error_code ec;
  auto dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path().parent_path();
  setenv("CALLLOG_BIN", (dir / "calllog-worker").c_str(), 0);
  setenv("MOCK_CRM_BIN", (dir / "tests/mock_crm/mock-crm").c_str(), 0);
}

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// LLEN / ZCARD that survive Redis being away (-1 then).
long long llen_or(const t::RedisServer& redis, const std::string& key) {
  try {
    return redis.llen(key);
  } catch (const std::exception&) {
    return -1;
  }
}

long long zcard_or(const t::RedisServer& redis, const std::string& key) {
  try {
    auto r = redis.command({"ZCARD", key});
    return !r.empty() && r[0] == ':' ? std::stoll(r.substr(1)) : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

void progress(const t::RedisServer& redis, double at) {
  std::printf("  [%6.1f s] replies %lld, queue %lld, retry set %lld, processing: victim %lld a %lld b %lld\n", at,
              llen_or(redis, "calllog:replies"), llen_or(redis, "calllog:events"), zcard_or(redis, "calllog:retry"),
              llen_or(redis, "calllog:processing:chaos-victim"), llen_or(redis, "calllog:processing:chaos-a"),
              llen_or(redis, "calllog:processing:chaos-b"));
  std::fflush(stdout);
}

struct ChaosMock {
  t::Process proc;
  uint16_t port = t::free_port();
  std::string record;
  t::TestCerts certs;
};

void start_mock(ChaosMock& m, const t::TempDir& dir, const std::vector<std::string>& hosts, const Options& o) {
  m.certs = t::make_test_certs(dir, hosts);
  m.record = dir.file("crm-requests.jsonl");
  m.proc = t::Process({t::mock_crm_bin(), "--cert", m.certs.cert_file, "--key", m.certs.key_file, "--port",
                       std::to_string(m.port), "--record", m.record, "--chaos-5xx", "0.2", "--chaos-reset",
                       "0.05", "--latency-jitter-ms", "50", "--seed", o.seed, "--exit-with-parent", "1"},
                      {}, dir.file("mock.out"), dir.file("mock.err"));
  if (!t::wait_for_port(m.port)) throw std::runtime_error("mock-crm did not start");
}

std::vector<std::string> worker_args(const ChaosMock& m, const std::vector<std::string>& hosts,
                                     const std::string& id) {
  std::vector<std::string> a = {"--ca-file", m.certs.ca_file, "--worker-id", id, "--concurrency", "64",
                                "--heartbeat", "1", "--retry-base", "0.05", "--retry-cap", "1",
                                "--max-attempts", "8"};
  for (const auto& h : hosts) {
    a.push_back("--resolve");
    a.push_back(h + ":" + std::to_string(m.port) + ":127.0.0.1");
  }
  return a;
}

void enqueue(const t::RedisServer& redis, const ChaosMock& m, const std::vector<std::string>& hosts, int n) {
  for (int first = 0; first < n; first += 1000) {
    std::vector<std::string> push = {"RPUSH", "calllog:events"};
    for (int i = first; i < std::min(n, first + 1000); ++i)
      push.push_back(chaos::pipedrive_event(hosts[static_cast<std::size_t>(i) % hosts.size()], m.port, i));
    auto r = redis.command(push);
    if (r.empty() || r[0] != ':') throw std::runtime_error("RPUSH failed: " + r);
  }
}

// For each event still on a processing list: who holds its session's dedupe claim, for how
// much longer, and whether that holder's worker id has a heartbeat.
void explain_stuck(const t::RedisServer& redis) {
  for (const char* w : {"chaos-victim", "chaos-a", "chaos-b"}) {
    std::vector<std::string> items;
    try {
      items = redis.lrange(std::string("calllog:processing:") + w);
    } catch (const std::exception&) {
      continue;
    }
    for (const auto& raw : items) {
      rapidjson::Document d;
      if (!calllog::json::parse(d, raw).empty() || !d.IsObject()) continue;
      const std::string session = d["callLog"]["sessionId"].GetString();
      const std::string claim = "calllog:claim:pipedrive:" + session;
      std::string holder = redis.command({"GET", claim});
      auto nl = holder.find("\r\n");
      holder = holder[0] == '$' && holder != "$-1\r\n" ? holder.substr(nl + 2, holder.size() - nl - 4) : "(none)";
      const std::string owner = holder.substr(0, holder.find('|'));
      std::printf("  stuck on %s: %s; claim held by %s (PTTL %s ms), heartbeat of %s exists: %s\n", w,
                  d["id"].GetString(), holder.c_str(), redis.command({"PTTL", claim}).substr(1, 6).c_str(),
                  owner.c_str(), redis.command({"EXISTS", "calllog:heartbeat:" + owner}).substr(1, 1).c_str());
    }
  }
  std::fflush(stdout);
}

// The workers' own account of recoveries (every log file of every incarnation in dir): dead-worker
// recoveries (which worker was declared dead, how many events moved) and claim take-overs.
void print_recoveries(const t::TempDir& dir) {
  long takeovers = 0, own = 0;
  std::vector<std::string> lines;
  for (const auto& f : std::filesystem::directory_iterator(dir.path())) {
    const std::string name = f.path().filename().string();
    if (name.rfind("worker-", 0) != 0 || name.size() < 4 || name.substr(name.size() - 4) != ".log") continue;
    std::istringstream in(t::read_file(f.path().string()));
    for (std::string line; std::getline(in, line);) {
      if (line.find("recovered a dead worker") != std::string::npos) lines.push_back(line);
      takeovers += line.find("took over a dead worker's dedupe claim") != std::string::npos;
      own += line.find("recovered own processing list") != std::string::npos;
    }
  }
  std::sort(lines.begin(), lines.end());  // by their "ts"
  std::printf("  worker logs: %zu dead-worker recoveries, %ld own-list recoveries on restart, %ld dedupe claims "
              "taken over\n", lines.size(), own, takeovers);
  for (const auto& l : lines) std::printf("    %s\n", l.c_str());
}

// The worker binary as `run`, its log (stderr) in dir under a name unique to this incarnation.
std::unique_ptr<t::Process> start_worker(const t::RedisServer& redis, const t::TempDir& dir,
                                         std::vector<std::string> args, const std::string& id) {
  static int incarnation = 0;
  const std::string log = dir.file("worker-" + id + "-" + std::to_string(++incarnation) + ".log");
  std::vector<std::string> argv = {t::worker_bin(), "run", "--redis-url", redis.url(), "--http-listen", "off",
                                   "--sandbox-db", dir.file("sandbox.db")};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<t::Process>(argv, std::map<std::string, std::string>{}, log + ".out", log);
}

void stop_worker(t::Process& p) {
  p.signal(SIGTERM);
  if (p.wait(40s) < 0) p.kill_and_wait();
}

struct Run {
  int kills = 0;
  double redis_down_at = -1, redis_up_at = -1;
  double elapsed = 0;
  double longest_stall_s = 0;  // longest time without a new reply while some were missing
  long long replies_seen = 0;
  bool gave_up = false;
};

// Three workers until n replies (or the limit): the victim is SIGKILLed and restarted every
// kill_every seconds; Redis is SIGKILLed once a third of the replies are in, back 2 s later.
Run run_storm(const Options& o, t::RedisServer& redis, const t::TempDir& dir, const ChaosMock& m,
              const std::vector<std::string>& hosts) {
  Run run;
  const auto t0 = Clock::now();
  std::vector<std::unique_ptr<t::Process>> steady;
  for (const char* id : {"chaos-a", "chaos-b"}) steady.push_back(start_worker(redis, dir, worker_args(m, hosts, id), id));
  auto victim = start_worker(redis, dir, worker_args(m, hosts, "chaos-victim"), "chaos-victim");
  auto next_kill = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.kill_every_s));
  const auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.limit_s));
  bool redis_restarted = false;
  auto next_progress = t0 + 5s;
  long long last_replies = -1;
  auto last_change = Clock::now();
  bool stall_explained = false;
  while (Clock::now() < deadline) {
    if (Clock::now() >= next_progress) {
      progress(redis, since(t0));
      next_progress += 5s;
    }
    const long long replies = llen_or(redis, "calllog:replies");
    if (replies >= 0) run.replies_seen = replies;
    if (replies >= o.events) break;
    run.longest_stall_s = std::max(run.longest_stall_s, since(last_change));
    if (replies != last_replies) {
      last_replies = replies;
      last_change = Clock::now();
    } else if (!stall_explained && Clock::now() - last_change > 10s) {
      std::printf("  [%6.1f s] no new reply for 10 s; what the events still in flight wait for:\n", since(t0));
      explain_stuck(redis);
      stall_explained = true;
    }
    if (!redis_restarted && replies >= o.events / 3) {
      run.redis_down_at = since(t0);
      redis.stop();
      std::this_thread::sleep_for(2s);
      redis.start();
      run.redis_up_at = since(t0);
      redis_restarted = true;
      std::printf("  [%6.1f s] redis-server SIGKILLed at %lld replies, restarted at %.1f s\n", run.redis_down_at,
                  replies, run.redis_up_at);
    }
    if (Clock::now() >= next_kill) {
      victim->signal(SIGKILL);
      victim->wait(5s);
      ++run.kills;
      std::this_thread::sleep_for(300ms);
      victim = start_worker(redis, dir, worker_args(m, hosts, "chaos-victim"), "chaos-victim");
      next_kill = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.kill_every_s));
    }
    std::this_thread::sleep_for(50ms);
  }
  run.elapsed = since(t0);
  run.gave_up = run.replies_seen < o.events;
  if (run.gave_up) explain_stuck(redis);
  std::this_thread::sleep_for(3s);  // a late second reply (or a straggler) shows up now
  for (auto& w : steady) stop_worker(*w);
  stop_worker(*victim);
  return run;
}

int report(const Options& o, const Run& run, const t::RedisServer& redis, const ChaosMock& m) {
  auto replies = chaos::tally_replies(redis.lrange("calllog:replies"));
  auto dead = chaos::tally_dead(redis.lrange("calllog:dead"));
  auto crm = chaos::tally_record(m.record);
  long no_reply = 0, many = 0, logged = 0, failed = 0, duplicate = 0, other = 0, dead_not_at_max = 0;
  long written[4] = {0, 0, 0, 0};  // sessions with 0, 1, 2, 3+ writes
  long twice_by_reset = 0, twice_by_crash = 0, logged_without_write = 0;
  for (int i = 0; i < o.events; ++i) {
    const std::string id = chaos::event_id(i);
    auto c = replies.count.find(id);
    const int n = c == replies.count.end() ? 0 : c->second;
    no_reply += n == 0;
    many += n > 1;
    if (n > 0) {
      const auto& r = replies.last[id];
      if (r.status == "logged") ++logged;
      else if (r.status == "failed") ++failed, dead_not_at_max += r.attempts != 8;
      else if (r.status == "duplicate") ++duplicate;
      else ++other;
    }
    const auto& p = crm.by_person[chaos::person_id(i)];
    written[std::min(p.writes(), 3)]++;
    if (p.writes() > 1) (p.ok_writes > 1 ? twice_by_crash : twice_by_reset)++;
    if (n > 0 && replies.last[id].status == "logged" && p.ok_writes == 0) ++logged_without_write;
  }
  auto pct = [&](long x) { return crm.requests ? 100.0 * static_cast<double>(x) / static_cast<double>(crm.requests) : 0.0; };
  std::printf("\n== chaos benchmark%s\n", run.gave_up ? "  ** GAVE UP: not all replies within the limit **" : "");
  std::printf("  events                              %d\n", o.events);
  std::printf("  final replies                       %zu  (logged %ld, failed %ld, duplicate %ld, other %ld)\n",
              replies.count.size(), logged, failed, duplicate, other);
  std::printf("  reply elements on the reply queue   %lld\n", llen_or(redis, "calllog:replies"));
  std::printf("  events without a reply (must be 0)  %ld\n", no_reply);
  std::printf("  events with >1 reply (must be 0)    %ld\n", many);
  std::printf("  CRM writes per session              0: %ld, 1: %ld, 2: %ld, 3+: %ld\n", written[0], written[1],
              written[2], written[3]);
  std::printf("  sessions written twice              %ld  (reset after a handled POST: %ld; two 200-answered "
              "writes, the kill -9 window: %ld)\n",
              written[2] + written[3], twice_by_reset, twice_by_crash);
  std::printf("  logged replies without a 200 write  %ld\n", logged_without_write);
  std::printf("  dead letters                        %zu  (failed replies not at attempt 8: %ld)\n", dead.size(),
              dead_not_at_max);
  std::printf("  left: queue %lld, retry set %lld, processing lists: victim %lld, a %lld, b %lld\n",
              llen_or(redis, "calllog:events"), zcard_or(redis, "calllog:retry"),
              llen_or(redis, "calllog:processing:chaos-victim"), llen_or(redis, "calllog:processing:chaos-a"),
              llen_or(redis, "calllog:processing:chaos-b"));
  std::printf("  CRM requests %ld: chaos 5xx %ld (%.1f%%), resets %ld (%.1f%%)\n", crm.requests, crm.chaos_5xx,
              pct(crm.chaos_5xx), crm.resets, pct(crm.resets));
  std::printf("  kill -9 of the victim worker         %d times (every %.1f s), redis restarted once at %.1f s (down %.1f s)\n",
              run.kills, o.kill_every_s, run.redis_down_at, run.redis_up_at - run.redis_down_at);
  std::printf("  elapsed                              %.1f s  (%.0f events/s); longest time without a new reply "
              "%.1f s\n", run.elapsed, run.elapsed > 0 ? static_cast<double>(run.replies_seen) / run.elapsed : 0,
              run.longest_stall_s);
  std::fflush(stdout);
  const bool ok = !run.gave_up && no_reply == 0 && many == 0 && replies.unparsable == 0;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    default_binaries();
    t::TempDir dir;
    const auto hosts = chaos::company_hosts(o.companies);
    ChaosMock mock;
    start_mock(mock, dir, hosts, o);
    t::RedisServer redis({}, /*persistent=*/true);
    enqueue(redis, mock, hosts, o.events);
    std::printf("chaos benchmark: %d Pipedrive events over %d companies; mock 20%% 5xx, 5%% resets, 0-50 ms "
                "jitter; 3 workers x 64, one SIGKILLed every %.1f s; redis (AOF always) restarted once; "
                "limit %.0f s\n",
                o.events, o.companies, o.kill_every_s, o.limit_s);
    std::fflush(stdout);
    Run run = run_storm(o, redis, dir, mock, hosts);
    const int rc = report(o, run, redis, mock);
    print_recoveries(dir);
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_worker_chaos: %s\n", e.what());
    return 2;
  }
}
