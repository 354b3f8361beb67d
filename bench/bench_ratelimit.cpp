// bench_ratelimit: a pool of limiter instances (one thread, io_context, Redis connection and
// HTTPS client each, as separate workers) sharing one host's budget on the mock CRM's honest
// token bucket. Prints requests/s achieved vs the bucket's rate, 429s received, and the wait per
// request (p50/p99).
//   bench_ratelimit REDIS_URL MOCK_PORT CA_FILE [instances=3] [concurrency=64] [requests=600]
//                   [limit=40] [window_ms=2000]
// Setup (loopback only): redis-server --port 6390 --save ''; a certificate for
// acme.pipedrive.com signed by CA_FILE; mock-crm --cert C --key K --port MOCK_PORT.
// The bucket state lives in the mock per host: restart the mock between runs.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "common/https/https_client.hpp"
#include "common/ratelimit/limiter.hpp"
#include "common/redis/redis_client.hpp"

namespace asio = boost::asio;
using namespace calllog;
using Clock = std::chrono::steady_clock;

namespace {

const char* kHost = "acme.pipedrive.com";

struct Shared {
  std::string url;
  https::AllowList allowed{std::vector<std::string>{"*.pipedrive.com"}};
  std::atomic<int> left{0};
  std::mutex mu;
  std::vector<double> waits_ms, arrivals_s;
  std::atomic<uint64_t> too_many{0}, failures{0};
  Clock::time_point start;
};

asio::awaitable<void> sender(ratelimit::Limiter* limiter, https::Client* http, Shared* s,
                             int* active) {
  while (s->left.fetch_sub(1) > 0) {
    auto permit = co_await limiter->acquire("pipedrive", kHost);
    if (permit.failure) {
      ++s->failures;
      continue;
    }
    const double sent_s = std::chrono::duration<double>(Clock::now() - s->start).count();
    https::Request req;
    req.url = s->url;
    auto out = co_await http->request(std::move(req), s->allowed);
    const https::Response* resp = out.response ? &*out.response : nullptr;
    co_await limiter->observe(permit, resp);
    if (!resp) ++s->failures;
    if (resp && resp->status == 429) ++s->too_many;
    std::lock_guard lock(s->mu);
    s->waits_ms.push_back(permit.waited_ms);
    s->arrivals_s.push_back(sent_s);
  }
  --*active;
}

void instance(const redis::RedisConfig& rcfg, const https::ClientConfig& hcfg, int concurrency,
              Shared* s) {
  asio::io_context io(1);
  redis::RedisClient redis(io.get_executor(), rcfg);
  https::Client http(io.get_executor(), hcfg);
  ratelimit::Limiter limiter(io.get_executor(), redis, "{calllog-bench}");
  int active = concurrency;
  for (int i = 0; i < concurrency; ++i)
    asio::co_spawn(io, sender(&limiter, &http, s, &active), asio::detached);
  while (active > 0 && Clock::now() - s->start < std::chrono::minutes(5))
    io.run_one_for(std::chrono::milliseconds(100));
  redis.close();
  io.run_for(std::chrono::milliseconds(200));
}

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_ratelimit REDIS_URL MOCK_PORT CA_FILE [instances] "
                         "[concurrency] [requests] [limit] [window_ms]\n");
    return 2;
  }
  const std::string port = argv[2];
  const int instances = argc > 4 ? std::atoi(argv[4]) : 3;
  const int concurrency = argc > 5 ? std::atoi(argv[5]) : 64;
  const int requests = argc > 6 ? std::atoi(argv[6]) : 600;
  const int limit = argc > 7 ? std::atoi(argv[7]) : 40;
  const int window_ms = argc > 8 ? std::atoi(argv[8]) : 2000;

  std::string error;
  auto rcfg = redis::parse_redis_url(argv[1], &error);
  if (!rcfg) {
    std::fprintf(stderr, "bench_ratelimit: %s\n", error.c_str());
    return 2;
  }
  https::ClientConfig hcfg;
  hcfg.ca_file = argv[3];
  hcfg.resolve[std::string(kHost) + ":" + port] = "127.0.0.1";
  hcfg.pool_size_per_host = static_cast<std::size_t>(concurrency);

  Shared s;
  s.url = "https://" + std::string(kHost) + ":" + port + "/__rl/bucket?limit=" +
          std::to_string(limit) + "&window_ms=" + std::to_string(window_ms);
  s.left = requests;
  s.start = Clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < instances; ++i)
    threads.emplace_back(instance, *rcfg, hcfg, concurrency, &s);
  for (auto& t : threads) t.join();

  std::sort(s.arrivals_s.begin(), s.arrivals_s.end());
  const double span = s.arrivals_s.empty() ? 0 : s.arrivals_s.back() - s.arrivals_s.front();
  const double bucket_rate = 1000.0 * limit / window_ms;
  // The bucket starts full: `limit` at once, then its rate.
  const double achieved = span > 0 ? (static_cast<double>(s.arrivals_s.size()) - limit) / span : 0;
  std::printf("instances %d x concurrency %d, %zu requests sent, bucket %d per %d ms (%.1f/s)\n",
              instances, concurrency, s.arrivals_s.size(), limit, window_ms, bucket_rate);
  std::printf("achieved %.2f requests/s after the initial burst = %.1f%% of the bucket's rate\n",
              achieved, 100 * achieved / bucket_rate);
  std::printf("429s received %llu, failures %llu\n", static_cast<unsigned long long>(s.too_many.load()),
              static_cast<unsigned long long>(s.failures.load()));
  std::printf("wait per request: p50 %.0f ms, p99 %.0f ms, max %.0f ms\n", pct(s.waits_ms, 0.5),
              pct(s.waits_ms, 0.99), pct(s.waits_ms, 1.0));
  return 0;
}
