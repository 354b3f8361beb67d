// bench_redis: throughput and latency of the pipelined Redis client against a running server.
//   bench_redis [redis://127.0.0.1:6379/0] [total_commands=200000]
// For each concurrency level, `total` SETs of a 200-byte value are issued by that many
// coroutines on one connection; prints commands/s and p50/p99/max latency.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/redis/command.hpp"
#include "common/redis/redis_client.hpp"

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using calllog::redis::cmd;

namespace {

struct Run {
  int concurrency;
  long total;
  std::vector<double> latencies_us;
  long failures = 0;
  double seconds = 0;
};

asio::awaitable<void> one_worker(calllog::redis::RedisClient& client, Run& run, long count, int id) {
  const std::string value(200, 'v');
  for (long i = 0; i < count; ++i) {
    auto t0 = Clock::now();
    auto r = co_await client.exec(cmd("SET", "bench:" + std::to_string(id), value));
    run.latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (!r || r->is_error()) ++run.failures;
  }
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  auto k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  std::string url = argc > 1 ? argv[1] : "redis://127.0.0.1:6379/0";
  long total = argc > 2 ? std::stol(argv[2]) : 200000;
  std::string error;
  auto cfg = calllog::redis::parse_redis_url(url, &error);
  if (!cfg) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 2;
  }
  std::printf("%-12s %12s %10s %10s %10s %8s\n", "concurrency", "commands/s", "p50 us", "p99 us",
              "max us", "failed");
  for (int concurrency : {1, 8, 64, 256, 1024}) {
    asio::io_context ctx(1);
    calllog::redis::RedisClient client(ctx.get_executor(), *cfg);
    Run run{concurrency, total, {}};
    run.latencies_us.reserve(static_cast<size_t>(total));
    bool connected = false;
    asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
      auto c = co_await client.connect();
      if (!c) {
        std::fprintf(stderr, "connect: %s\n", c.error->message.c_str());
        co_return;
      }
      connected = true;
      auto t0 = Clock::now();
      int done = 0;
      asio::steady_timer all(ctx, Clock::time_point::max());
      for (int w = 0; w < concurrency; ++w)
        asio::co_spawn(ctx, [&, w]() -> asio::awaitable<void> {
          co_await one_worker(client, run, total / concurrency, w);
          if (++done == concurrency) all.cancel();
        }, asio::detached);
      co_await all.async_wait(asio::as_tuple(asio::use_awaitable));
      run.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      client.close();
    }, asio::detached);
    ctx.run();
    if (!connected) return 1;
    auto n = static_cast<double>(run.latencies_us.size());
    std::printf("%-12d %12.0f %10.0f %10.0f %10.0f %8ld\n", concurrency, n / run.seconds,
                percentile(run.latencies_us, 0.50), percentile(run.latencies_us, 0.99),
                *std::max_element(run.latencies_us.begin(), run.latencies_us.end()), run.failures);
  }
  return 0;
}
