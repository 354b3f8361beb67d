// `stats`: queue depths, processing lists, retries scheduled and due, dead letters. Uses only
// O(1)/O(log n) commands on the big keys (LLEN, ZCOUNT) and a SCAN over this prefix's
// processing lists, so it stays fast on a queue of millions.
#include <chrono>
#include <iostream>

#include <fmt/format.h>

#include "common/json.hpp"
#include "common/redis/redis_client.hpp"
#include "worker/commands.hpp"
#include "worker/redis_scripts.hpp"
#include "worker/sync_run.hpp"

namespace calllog {
namespace asio = boost::asio;

int stats_command(const Config& cfg) {
  std::string err;
  auto rc = *redis::parse_redis_url(cfg.redis_url, &err);
  return run_sync<int>([&](asio::io_context& io) -> asio::awaitable<int> {
    redis::RedisClient client(io.get_executor(), rc);
    auto c = co_await client.connect();
    if (!c) {
      std::cerr << "calllog-worker stats: " << c.error->message << "\n";
      co_return 1;
    }
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
    std::vector<std::vector<std::string>> depth;
    depth.push_back(cmd("LLEN", cfg.queue));
    depth.push_back(cmd("LLEN", cfg.reply_queue));
    depth.push_back(cmd("LLEN", cfg.dead_queue));
    depth.push_back(cmd("ZCARD", cfg.retry_key()));
    depth.push_back(cmd("ZCOUNT", cfg.retry_key(), "-inf", std::to_string(now_ms)));
    auto r = co_await client.exec_pipeline(std::move(depth));
    if (!r) {
      std::cerr << "calllog-worker stats: " << r.error->message << "\n";
      co_return 1;
    }
    auto num = [&](std::size_t i) { return (*r)[i].type == redis::Reply::Type::integer ? (*r)[i].integer : 0LL; };
    // Processing lists of every worker under this prefix.
    std::vector<std::pair<std::string, long long>> processing;
    std::string cursor = "0";
    const std::string pattern = cfg.prefix + ":processing:*";
    do {
      auto s = co_await client.exec(cmd("SCAN", cursor, "MATCH", pattern, "COUNT", "1000", "TYPE", "list"));
      if (!s || s->type != redis::Reply::Type::array || s->elements.size() != 2) break;
      cursor = s->elements[0].str;
      for (auto& k : s->elements[1].elements) {
        auto l = co_await client.exec(cmd("LLEN", k.str));
        processing.emplace_back(k.str.substr(pattern.size() - 1), l ? l->integer : -1);
      }
    } while (cursor != "0");

    if (cfg.stats_json) {
      std::string out = fmt::format(R"({{"queue":{{"name":{},"length":{}}},"replies":{{"name":{},"length":{}}},"dead":{{"name":{},"length":{}}},"retries":{{"scheduled":{},"due":{}}},"processing":{{)",
                                    json::quoted(cfg.queue), num(0), json::quoted(cfg.reply_queue), num(1),
                                    json::quoted(cfg.dead_queue), num(2), num(3), num(4));
      for (std::size_t i = 0; i < processing.size(); ++i)
        out += fmt::format("{}{}:{}", i ? "," : "", json::quoted(processing[i].first), processing[i].second);
      out += "}}";
      std::cout << out << "\n";
    } else {
      std::cout << fmt::format("{:<28} {:>12}\n", "queue " + cfg.queue, num(0))
                << fmt::format("{:<28} {:>12}\n", "replies " + cfg.reply_queue, num(1))
                << fmt::format("{:<28} {:>12}\n", "dead " + cfg.dead_queue, num(2))
                << fmt::format("{:<28} {:>12}\n", "retries scheduled", num(3))
                << fmt::format("{:<28} {:>12}\n", "retries due", num(4));
      for (auto& [w, n] : processing) std::cout << fmt::format("{:<28} {:>12}\n", "in flight " + w, n);
    }
    client.close();
    co_return 0;
  });
}

}  // namespace calllog
