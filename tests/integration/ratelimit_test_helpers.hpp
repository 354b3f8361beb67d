#pragma once
// Shared by the rate-limiter integration tests: a "pool" of limiter instances (each with its own
// RedisClient and HTTPS client, as separate workers would have) against a real redis-server and
// the TLS mock CRM, many requests run at once with a time bound, and the mock's /__rl/report.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "adapters/adapter.hpp"
#include "adapters/crm_request.hpp"
#include "common/https/https_client.hpp"
#include "common/ratelimit/limiter.hpp"
#include "common/redis/redis_client.hpp"
#include "tests/support/mock_crm.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/tls_certs.hpp"

namespace calllog::test {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline const std::vector<std::string> kRlHosts = {
    "acme.pipedrive.com", "globex.pipedrive.com", "api.na1.insightly.com",
    "1234567.restlets.api.netsuite.com", "1234567.suitetalk.api.netsuite.com"};

struct RlPki {
  TestPki pki;
  CertFiles cert = pki.server_cert(kRlHosts);
};
inline RlPki& rl_pki() {
  static RlPki p;
  return p;
}

inline https::ClientConfig rl_client_config(uint16_t port) {
  https::ClientConfig c;
  c.ca_file = rl_pki().pki.ca_file();
  for (const auto& h : kRlHosts) c.resolve[h + ":" + std::to_string(port)] = "127.0.0.1";
  c.request_timeout = 10s;
  c.pool_size_per_host = 64;
  return c;
}

inline std::string rl_url(const std::string& host, uint16_t port, const std::string& target) {
  return "https://" + host + ":" + std::to_string(port) + target;
}

// One "worker": its own Redis connection, HTTPS client and limiter.
struct RlWorker {
  redis::RedisClient redis;
  https::Client http;
  ratelimit::Limiter limiter;
  AdapterContext ctx;
  RlWorker(asio::io_context& io, const RedisServer& server, uint16_t mock_port,
           const std::string& prefix, ratelimit::Config cfg)
      : redis(io.get_executor(), redis_config(server)),
        http(io.get_executor(), rl_client_config(mock_port)),
        limiter(io.get_executor(), redis, prefix, std::move(cfg)) {
    ctx.http = &http;
    ctx.redis = &redis;
    ctx.prefix = prefix;
    ctx.limiter = &limiter;
  }
  static redis::RedisConfig redis_config(const RedisServer& server) {
    std::string error;
    auto cfg = redis::parse_redis_url(server.url(), &error);
    BOOST_TEST_REQUIRE(cfg.has_value(), error);
    return *cfg;
  }
};

inline const https::AllowList& rl_allowed() {
  static const https::AllowList a({"*.pipedrive.com", "*.insightly.com", "*.netsuite.com"});
  return a;
}

// What one request ended as, and when (ms since the batch started).
struct RlResult {
  int status = 0;          // 0: a failure
  std::string failure;     // its code
  std::string retry_after; // the answer's Retry-After (after crm_request merged the pause)
  double done_ms = 0;
};

inline asio::awaitable<void> rl_one(AdapterContext* ctx, std::string platform, std::string url,
                                    Clock::time_point start, RlResult* out) {
  https::Request req;
  req.url = std::move(url);
  auto o = co_await crm_request(*ctx, platform, std::move(req), rl_allowed());
  if (o.response) {
    out->status = o.response->status;
    out->retry_after = std::string(o.response->header("retry-after").value_or(""));
  } else {
    out->failure = o.failure->code;
  }
  out->done_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct RlJob {
  AdapterContext* ctx;
  std::string platform, url;
};

// Runs every job at once on `io`; fails the test if they do not all finish within `limit`.
inline std::vector<RlResult> rl_run(asio::io_context& io, const std::vector<RlJob>& jobs,
                                    std::chrono::seconds limit = 60s) {
  std::vector<RlResult> results(jobs.size());
  size_t left = jobs.size();
  const auto start = Clock::now();
  for (size_t i = 0; i < jobs.size(); ++i) {
    asio::co_spawn(io, rl_one(jobs[i].ctx, jobs[i].platform, jobs[i].url, start, &results[i]),
                   [&left](std::exception_ptr e) {
                     --left;
                     if (e) std::rethrow_exception(e);
                   });
  }
  for (auto end = Clock::now() + limit; left > 0 && Clock::now() < end;) io.run_one_for(50ms);
  BOOST_TEST_REQUIRE(left == 0u, "requests did not finish in time");
  return results;
}

// One awaitable run to completion on `io`, bounded.
template <class T>
T rl_await(asio::io_context& io, asio::awaitable<T> a, std::chrono::seconds limit = 30s) {
  std::optional<T> out;
  std::exception_ptr err;
  bool done = false;
  asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T v) {
    done = true;
    err = e;
    if (!e) out = std::move(v);
  });
  for (auto end = Clock::now() + limit; !done && Clock::now() < end;) io.run_one_for(50ms);
  BOOST_TEST_REQUIRE(done, "operation did not finish in time");
  if (err) std::rethrow_exception(err);
  return std::move(*out);
}

// The mock's /__rl/report for one host.
struct RlHostReport {
  uint64_t requests = 0, rejected = 0, max_inflight = 0;
  std::vector<double> arrivals_ms;
};
inline RlHostReport rl_report(asio::io_context& io, uint16_t mock_port, const std::string& host) {
  https::Client client(io.get_executor(), rl_client_config(mock_port));
  https::Request req;
  req.url = rl_url("acme.pipedrive.com", mock_port, "/__rl/report");
  auto o = rl_await(io, client.request(std::move(req), rl_allowed()));
  BOOST_TEST_REQUIRE(o.response.has_value());
  rapidjson::Document d;
  d.Parse(o.response->body.c_str());
  BOOST_TEST_REQUIRE(d.IsObject());
  RlHostReport r;
  auto it = d.FindMember(host.c_str());
  if (it == d.MemberEnd()) return r;
  const auto& h = it->value;
  r.requests = h["requests"].GetUint64();
  r.rejected = h["rejected"].GetUint64();
  r.max_inflight = h["max_inflight"].GetUint64();
  for (const auto& a : h["arrivals_ms"].GetArray()) r.arrivals_ms.push_back(a.GetDouble());
  return r;
}

}  // namespace calllog::test
