// `stats`: queue depth, processing lists per worker (alive or dead), retries scheduled and due,
// dead letters by error code, workers alive with their heartbeat age. Fast on a queue of millions:
// only LLEN/ZCARD/ZCOUNT on the big keys, SMEMBERS of the worker set, and a bounded LRANGE sample
// (the newest kDeadSample dead letters) for the error-code breakdown.
#include <chrono>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "common/json.hpp"
#include "common/redis/redis_client.hpp"
#include "worker/commands.hpp"
#include "worker/redis_scripts.hpp"
#include "worker/sync_run.hpp"

namespace calllog {
namespace asio = boost::asio;

namespace {

constexpr long long kDeadSample = 1000;

struct WorkerRow {
  std::string id;
  long long in_flight = 0;
  long long heartbeat_age_ms = -1;  // -1: no heartbeat (dead)
};

struct Stats {
  long long queue = 0, replies = 0, dead = 0, retries = 0, retries_due = 0;
  std::vector<WorkerRow> workers;
  std::map<std::string, long long> dead_codes;  // in the sample
  long long dead_sampled = 0;
};

long long integer(const redis::Reply& r) { return r.type == redis::Reply::Type::integer ? r.integer : 0; }

std::string to_json(const Config& cfg, const Stats& s) {
  std::string out = fmt::format(
      R"({{"queue":{{"name":{},"length":{}}},"replies":{{"name":{},"length":{}}},"dead":{{"name":{},"length":{},"sampled":{},"byCode":{{)",
      json::quoted(cfg.queue), s.queue, json::quoted(cfg.reply_queue), s.replies, json::quoted(cfg.dead_queue), s.dead,
      s.dead_sampled);
  bool first = true;
  for (auto& [code, n] : s.dead_codes) {
    out += fmt::format("{}{}:{}", first ? "" : ",", json::quoted(code), n);
    first = false;
  }
  out += fmt::format(R"(}}}},"retries":{{"scheduled":{},"due":{}}},"workers":[)", s.retries, s.retries_due);
  for (std::size_t i = 0; i < s.workers.size(); ++i) {
    const auto& w = s.workers[i];
    out += fmt::format(R"({}{{"id":{},"alive":{},"heartbeatAgeMs":{},"inFlight":{}}})", i ? "," : "", json::quoted(w.id),
                       w.heartbeat_age_ms >= 0 ? "true" : "false",
                       w.heartbeat_age_ms >= 0 ? std::to_string(w.heartbeat_age_ms) : "null", w.in_flight);
  }
  return out + "]}";
}

void print_table(const Config& cfg, const Stats& s) {
  std::cout << fmt::format("{:<34} {:>12}\n", "queue " + cfg.queue, s.queue)
            << fmt::format("{:<34} {:>12}\n", "replies " + cfg.reply_queue, s.replies)
            << fmt::format("{:<34} {:>12}\n", "dead " + cfg.dead_queue, s.dead)
            << fmt::format("{:<34} {:>12}\n", "retries scheduled", s.retries)
            << fmt::format("{:<34} {:>12}\n", "retries due", s.retries_due);
  if (!s.dead_codes.empty()) {
    std::cout << fmt::format("dead letters by error code (newest {}):\n", s.dead_sampled);
    for (auto& [code, n] : s.dead_codes) std::cout << fmt::format("  {:<32} {:>12}\n", code, n);
  }
  std::cout << fmt::format("workers ({}):\n", s.workers.size());
  for (auto& w : s.workers)
    std::cout << fmt::format("  {:<32} {:>5} in flight  {}\n", w.id, w.in_flight,
                             w.heartbeat_age_ms >= 0 ? fmt::format("alive, heartbeat {:.1f} s ago", w.heartbeat_age_ms / 1000.0)
                                                     : std::string("DEAD (no heartbeat; its events return to the queue)"));
}

asio::awaitable<int> collect_and_print(asio::io_context& io, const Config& cfg, redis::RedisConfig rc) {
  redis::RedisClient client(io.get_executor(), rc);
  if (auto c = co_await client.connect(); !c) {
    std::cerr << "calllog-worker stats: " << c.error->message << "\n";
    co_return 1;
  }
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<std::vector<std::string>> depth;
  depth.push_back(cmd("LLEN", cfg.queue));
  depth.push_back(cmd("LLEN", cfg.reply_queue));
  depth.push_back(cmd("LLEN", cfg.dead_queue));
  depth.push_back(cmd("ZCARD", cfg.retry_key()));
  depth.push_back(cmd("ZCOUNT", cfg.retry_key(), "-inf", std::to_string(now_ms)));
  depth.push_back(cmd("SMEMBERS", cfg.workers_key()));
  depth.push_back(cmd("LRANGE", cfg.dead_queue, "0", std::to_string(kDeadSample - 1)));
  auto r = co_await client.exec_pipeline(std::move(depth));
  if (!r) {
    std::cerr << "calllog-worker stats: " << r.error->message << "\n";
    co_return 1;
  }
  Stats s;
  s.queue = integer((*r)[0]);
  s.replies = integer((*r)[1]);
  s.dead = integer((*r)[2]);
  s.retries = integer((*r)[3]);
  s.retries_due = integer((*r)[4]);
  for (const auto& d : (*r)[6].elements) {
    rapidjson::Document doc;
    std::string code = "(unreadable)";
    if (json::parse(doc, d.str).empty())
      if (auto c = json::string_at(json::find_path(doc, {"error", "code"}))) code = std::string(*c);
    ++s.dead_codes[code];
    ++s.dead_sampled;
  }
  // Each registered worker: its processing list and heartbeat.
  std::vector<std::vector<std::string>> per_worker;
  for (const auto& w : (*r)[5].elements) {
    per_worker.push_back(cmd("LLEN", cfg.processing_key(w.str)));
    per_worker.push_back(cmd("GET", cfg.heartbeat_key(w.str)));
    s.workers.push_back(WorkerRow{w.str});
  }
  if (!per_worker.empty()) {
    auto pw = co_await client.exec_pipeline(std::move(per_worker));
    if (pw) {
      for (std::size_t i = 0; i < s.workers.size(); ++i) {
        s.workers[i].in_flight = integer((*pw)[2 * i]);
        const auto& beat = (*pw)[2 * i + 1];
        if (beat.type == redis::Reply::Type::string) {  // "<incarnation>:<ms>"
          const auto colon = beat.str.rfind(':');
          const long long at = std::atoll(beat.str.c_str() + (colon == std::string::npos ? 0 : colon + 1));
          s.workers[i].heartbeat_age_ms = std::max(0LL, now_ms - at);
        }
      }
    }
  }
  if (cfg.stats_json) std::cout << to_json(cfg, s) << "\n";
  else print_table(cfg, s);
  client.close();
  co_return 0;
}

}  // namespace

int stats_command(const Config& cfg) {
  std::string err;
  auto rc = *redis::parse_redis_url(cfg.redis_url, &err);
  return run_sync<int>([&](asio::io_context& io) { return collect_and_print(io, cfg, rc); });
}

}  // namespace calllog
