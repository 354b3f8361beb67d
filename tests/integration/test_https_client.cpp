// The CRM HTTPS client against the TLS mock CRM with certificates made at test time: verified
// TLS with --resolve-style mapping, verification failures, timeouts, limits, no redirects, the
// allow-list before any connection, and connection reuse.
#define BOOST_TEST_MODULE https_client
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <memory>

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/https/https_client.hpp"
#include "tests/support/mock_crm.hpp"
#include "tests/support/tls_certs.hpp"

namespace asio = boost::asio;
using namespace calllog;
using namespace calllog::https;
using namespace calllog::test;
using namespace std::chrono_literals;

namespace {

// Runs a test coroutine on `io`; a hang becomes a failure after `limit`.
void run_coro(asio::io_context& io, std::function<asio::awaitable<void>()> fn,
              std::chrono::seconds limit = 30s) {
  bool done = false;
  std::exception_ptr err;
  io.restart();  // a previous run may have run out of work
  asio::co_spawn(io, fn(), [&](std::exception_ptr e) { done = true; err = e; });
  auto end = std::chrono::steady_clock::now() + limit;
  while (!done && std::chrono::steady_clock::now() < end) io.run_one_for(50ms);
  BOOST_TEST_REQUIRE(done);
  if (err) std::rethrow_exception(err);
}

const std::vector<std::string> kHosts = {"acme.pipedrive.com", "globex.pipedrive.com"};

struct Pki {
  TestPki pki;
  CertFiles good = pki.server_cert(kHosts);
};
Pki& pki() {
  static Pki p;
  return p;
}

ClientConfig config_for(uint16_t port, std::vector<std::string> hosts = kHosts) {
  ClientConfig c;
  c.ca_file = pki().pki.ca_file();
  for (const auto& h : hosts) c.resolve[h + ":" + std::to_string(port)] = "127.0.0.1";
  c.connect_timeout = 5s;
  c.request_timeout = 10s;
  return c;
}

const AllowList kPipedrive({"*.pipedrive.com"});

std::string url(const std::string& host, uint16_t port, const std::string& target) {
  return "https://" + host + ":" + std::to_string(port) + target;
}

Outcome fetch(ClientConfig cfg, Request req, const AllowList& allowed = kPipedrive,
              uint64_t* handshakes = nullptr) {
  asio::io_context io;
  Client client(io.get_executor(), std::move(cfg));
  Outcome out;
  run_coro(io, [&]() -> asio::awaitable<void> { out = co_await client.request(req, allowed); });
  if (handshakes) *handshakes = client.handshakes();
  return out;
}

std::string code_of(const Outcome& o) { return o.failure ? o.failure->code : "response"; }

}  // namespace

BOOST_AUTO_TEST_CASE(verified_request_to_a_mapped_crm_name) {
  MockCrm mock(pki().good);
  const auto p = mock.port();
  Request get{"GET", url("acme.pipedrive.com", p, "/api/v2/persons/14"),
              {{"Authorization", "Bearer test-token"}}, std::nullopt};
  uint64_t handshakes = 0;
  auto out = fetch(config_for(p), get, kPipedrive, &handshakes);
  BOOST_TEST_REQUIRE(out.response.has_value(), code_of(out));
  BOOST_TEST(out.response->status == 200);
  BOOST_TEST(out.response->body.find("\"id\":14") != std::string::npos);
  BOOST_TEST(out.response->header("X-RateLimit-Limit").value_or("") == "80");
  for (const auto& [name, value] : out.response->headers)
    BOOST_TEST(name == boost::algorithm::to_lower_copy(name));
  BOOST_TEST(handshakes == 1u);

  auto seen = mock.requests();
  BOOST_TEST_REQUIRE(seen.size() == 1u);
  BOOST_TEST(seen[0].method == "GET");
  BOOST_TEST(seen[0].target == "/api/v2/persons/14");
  BOOST_TEST(seen[0].host == "acme.pipedrive.com:" + std::to_string(p));
  BOOST_TEST(seen[0].header("user-agent").value_or("") == "calllog-worker/" CALLLOG_VERSION);
  BOOST_TEST(seen[0].header("accept").value_or("") == "application/json");
  BOOST_TEST(seen[0].header("authorization").value_or("") == "Bearer test-token");
  BOOST_TEST(seen[0].body == "null");
  BOOST_TEST(!seen[0].header("content-length").has_value());
}

BOOST_AUTO_TEST_CASE(post_sends_body_with_length_and_gets_the_mock_id) {
  MockCrm mock(pki().good);
  const auto p = mock.port();
  const std::string body =
      R"({"due_date":"2025-01-01","due_time":"10:36","participants":[{"person_id":1895268027,"primary":true}]})";
  Request post{"POST", url("acme.pipedrive.com", p, "/api/v2/activities"),
               {{"Authorization", "Bearer EXAMPLE-ONLY-41j0WXUXfKhro1KXCrQc6sXj"},
                {"Content-Type", "application/json"}},
               body};
  auto out = fetch(config_for(p), post);
  BOOST_TEST_REQUIRE(out.response.has_value(), code_of(out));
  BOOST_TEST(out.response->status == 200);
  // golden/requests-public.jsonl pub-pipedrive-0001: logId 875098692 from the FNV-1a id rule
  BOOST_TEST(out.response->body.find("\"id\":875098692") != std::string::npos, out.response->body);
  auto seen = mock.requests();
  BOOST_TEST_REQUIRE(seen.size() == 1u);
  BOOST_TEST(seen[0].body == body);
  BOOST_TEST(seen[0].header("content-length").value_or("") == std::to_string(body.size()));
  BOOST_TEST(seen[0].header("content-type").value_or("") == "application/json");
}

BOOST_AUTO_TEST_CASE(certificate_for_another_host_is_rejected) {
  MockCrm mock(pki().pki.server_cert({"other.example.invalid"}));
  auto out = fetch(config_for(mock.port()),
                   Request{"GET", url("acme.pipedrive.com", mock.port(), "/__ok"), {}, {}});
  BOOST_TEST(code_of(out) == "tls_verify_failed");
  BOOST_TEST(!out.failure->retryable);
  BOOST_TEST(out.failure->detail.find("hostname mismatch") != std::string::npos, out.failure->detail);
  BOOST_TEST(mock.requests().empty());
}

BOOST_AUTO_TEST_CASE(self_signed_certificate_is_rejected) {
  MockCrm mock(pki().pki.self_signed_cert(kHosts));
  auto out = fetch(config_for(mock.port()),
                   Request{"GET", url("acme.pipedrive.com", mock.port(), "/__ok"), {}, {}});
  BOOST_TEST(code_of(out) == "tls_verify_failed");
  BOOST_TEST(mock.requests().empty());
}

BOOST_AUTO_TEST_CASE(expired_certificate_is_rejected) {
  MockCrm mock(pki().pki.expired_cert(kHosts));
  auto out = fetch(config_for(mock.port()),
                   Request{"GET", url("acme.pipedrive.com", mock.port(), "/__ok"), {}, {}});
  BOOST_TEST(code_of(out) == "tls_verify_failed");
  BOOST_TEST(out.failure->detail.find("expired") != std::string::npos, out.failure->detail);
  BOOST_TEST(mock.requests().empty());
}

BOOST_AUTO_TEST_CASE(a_server_that_never_answers_times_out) {
  MockCrm mock(pki().good);
  asio::io_context io;
  Client client(io.get_executor(), config_for(mock.port()));
  Request warm, hang;
  warm.url = url("acme.pipedrive.com", mock.port(), "/__ok");
  hang.url = url("acme.pipedrive.com", mock.port(), "/__hang");
  Outcome warmed, out;
  // Connect first so that the timed request is only the unanswered exchange.
  run_coro(io, [&]() -> asio::awaitable<void> { warmed = co_await client.request(warm, kPipedrive); });
  BOOST_TEST_REQUIRE(warmed.response.has_value(), code_of(warmed));
  auto start = std::chrono::steady_clock::now();
  run_coro(io, [&]() -> asio::awaitable<void> { out = co_await client.request(hang, kPipedrive, 500ms); });
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(code_of(out) == "timeout");
  BOOST_TEST(out.failure->retryable);
  BOOST_TEST(took >= 450ms);
  BOOST_TEST(took < 5s);
  auto seen = mock.requests();
  BOOST_TEST_REQUIRE(seen.size() == 2u);  // sent once: a timeout is not retried
  BOOST_TEST(seen[1].path == "/__hang");
}

BOOST_AUTO_TEST_CASE(a_ten_mebibyte_body_is_too_large) {
  MockCrm mock(pki().good);
  auto out = fetch(config_for(mock.port()),
                   Request{"GET", url("acme.pipedrive.com", mock.port(), "/__big?bytes=10485760"), {}, {}});
  BOOST_TEST(code_of(out) == "body_too_large");
  BOOST_TEST(!out.failure->retryable);
  // a body under the limit is fine
  auto small = fetch(config_for(mock.port()),
                     Request{"GET", url("acme.pipedrive.com", mock.port(), "/__big?bytes=1000000"), {}, {}});
  BOOST_TEST_REQUIRE(small.response.has_value(), code_of(small));
  BOOST_TEST(small.response->body.size() == 1000000u);
}

BOOST_AUTO_TEST_CASE(redirects_are_not_followed) {
  MockCrm mock(pki().good);
  auto out = fetch(config_for(mock.port()),
                   Request{"GET", url("acme.pipedrive.com", mock.port(), "/__redirect"), {}, {}});
  BOOST_TEST_REQUIRE(out.response.has_value(), code_of(out));
  BOOST_TEST(out.response->status == 302);
  BOOST_TEST(out.response->header("location").value_or("").find("/__redirected") != std::string::npos);
  auto seen = mock.requests();
  BOOST_TEST_REQUIRE(seen.size() == 1u);
  BOOST_TEST(seen[0].path == "/__redirect");
}

BOOST_AUTO_TEST_CASE(any_status_is_a_response_with_its_headers) {
  MockCrm mock(pki().good);
  auto out = fetch(config_for(mock.port()),
                   Request{"GET", url("acme.pipedrive.com", mock.port(),
                                      "/__status?code=429&retry_after=7&remaining=0"), {}, {}});
  BOOST_TEST_REQUIRE(out.response.has_value(), code_of(out));
  BOOST_TEST(out.response->status == 429);
  BOOST_TEST(out.response->header("retry-after").value_or("") == "7");
  BOOST_TEST(out.response->header("x-ratelimit-remaining").value_or("") == "0");
}

BOOST_AUTO_TEST_CASE(allow_list_refuses_before_any_connection) {
  MockCrm mock(pki().good);
  const auto p = mock.port();
  const std::vector<std::string> refused = {"127.0.0.2", "localhost", "[::1]", "2130706433",
                                            "127.1", "evil.invalid",
                                            "acme.pipedrive.com.evil.invalid"};
  auto cfg = config_for(p);
  for (const auto& h : refused) {  // every one of them would reach the mock if let through
    std::string key = h.front() == '[' ? h.substr(1, h.size() - 2) : h;
    cfg.resolve[key + ":" + std::to_string(p)] = "127.0.0.1";
  }
  asio::io_context io;
  Client client(io.get_executor(), cfg);
  for (const auto& h : refused) {
    for (const char* method : {"GET", "POST"}) {
      Outcome out;
      Request req{method, url(h, p, "/__ok"), {{"Authorization", "Bearer x"}}, std::string("{}")};
      run_coro(io, [&]() -> asio::awaitable<void> { out = co_await client.request(req, kPipedrive); });
      BOOST_TEST(code_of(out) == "host_not_allowed", h);
      if (out.failure) BOOST_TEST(!out.failure->retryable);
    }
  }
  BOOST_TEST(client.handshakes() == 0u);
  // Control: the same client reaches an allowed name, so the mock could have seen the others.
  Outcome ok;
  Request allowed_req;
  allowed_req.url = url("acme.pipedrive.com", p, "/__ok");
  run_coro(io, [&]() -> asio::awaitable<void> { ok = co_await client.request(allowed_req, kPipedrive); });
  BOOST_TEST(ok.response.has_value(), code_of(ok));
  auto seen = mock.requests();
  BOOST_TEST_REQUIRE(seen.size() == 1u);
  BOOST_TEST(seen[0].host == "acme.pipedrive.com:" + std::to_string(p));
  BOOST_TEST(mock.stats().connections == 1u);
}

BOOST_AUTO_TEST_CASE(connection_refused_and_bad_resolve_are_failures) {
  uint16_t closed_port = free_port();
  auto refused = fetch(config_for(closed_port),
                       Request{"GET", url("acme.pipedrive.com", closed_port, "/__ok"), {}, {}});
  BOOST_TEST(code_of(refused) == "connect");
  BOOST_TEST(refused.failure->retryable);

  auto cfg = config_for(closed_port);
  cfg.resolve["acme.pipedrive.com:" + std::to_string(closed_port)] = "not-an-address";
  auto bad = fetch(cfg, Request{"GET", url("acme.pipedrive.com", closed_port, "/__ok"), {}, {}});
  BOOST_TEST(code_of(bad) == "dns");
}

BOOST_AUTO_TEST_CASE(a_missing_ca_file_is_a_startup_error) {
  asio::io_context io;
  ClientConfig cfg;
  cfg.ca_file = "/nonexistent/ca.pem";
  BOOST_CHECK_THROW(Client(io.get_executor(), cfg), std::runtime_error);
}

struct Load {
  Client& client;
  uint16_t port;
  int next = 0, ok = 0, failed = 0;
};

asio::awaitable<void> load_worker(Load& load) {
  while (load.next < 1000) {
    Request req;
    req.url = url("acme.pipedrive.com", load.port, "/api/v2/persons/" + std::to_string(load.next++));
    req.headers.emplace_back("Authorization", "Bearer x");
    auto out = co_await load.client.request(std::move(req), kPipedrive);
    if (out.response && out.response->status == 200)
      ++load.ok;
    else
      ++load.failed;
  }
}

BOOST_AUTO_TEST_CASE(a_thousand_requests_from_64_coroutines_reuse_the_pool) {
  MockCrm mock(pki().good);
  const auto p = mock.port();
  auto cfg = config_for(p);
  cfg.pool_size_per_host = 8;
  asio::io_context io;
  Client client(io.get_executor(), cfg);
  Load load{client, p};
  run_coro(io, [&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    int finished = 0;
    asio::steady_timer all_done(ex, std::chrono::steady_clock::time_point::max());
    for (int w = 0; w < 64; ++w)
      asio::co_spawn(ex, load_worker(load), [&](std::exception_ptr) {
        if (++finished == 64) all_done.cancel();
      });
    co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
  }, 60s);
  const int ok = load.ok, failed = load.failed;
  BOOST_TEST(ok == 1000);
  BOOST_TEST(failed == 0);
  BOOST_TEST(client.handshakes() >= 1u);
  BOOST_TEST(client.handshakes() <= 8u);
  BOOST_TEST(mock.stats().handshakes == client.handshakes());
  BOOST_TEST(mock.requests().size() == 1000u);
}

BOOST_AUTO_TEST_CASE(idle_connections_are_closed_after_the_idle_timeout) {
  MockCrm mock(pki().good);
  auto cfg = config_for(mock.port());
  cfg.idle_timeout = 200ms;
  asio::io_context io;
  Client client(io.get_executor(), cfg);
  Outcome out;
  Request req;
  req.url = url("acme.pipedrive.com", mock.port(), "/__ok");
  run_coro(io, [&]() -> asio::awaitable<void> { out = co_await client.request(req, kPipedrive); });
  BOOST_TEST_REQUIRE(out.response.has_value(), code_of(out));
  BOOST_TEST(mock.stats().open == 1u);  // kept alive in the pool
  bool closed = false;
  run_coro(io, [&]() -> asio::awaitable<void> {  // let the sweeper run while we watch the mock
    asio::steady_timer tick(co_await asio::this_coro::executor);
    for (int i = 0; i < 150 && !closed; ++i) {
      tick.expires_after(20ms);
      co_await tick.async_wait(asio::use_awaitable);
      closed = mock.stats().open == 0;
    }
  });
  BOOST_TEST(closed);
}

BOOST_AUTO_TEST_CASE(a_pooled_connection_the_server_dropped_is_not_reused) {
  auto cert = pki().good;
  auto mock = std::make_unique<MockCrm>(cert);
  const auto p = mock->port();
  asio::io_context io;
  Client client(io.get_executor(), config_for(p));
  auto call = [&](std::string method) {
    Outcome out;
    Request req;
    req.method = method;
    req.url = url("acme.pipedrive.com", p, "/__ok");
    if (method == "POST") req.body = "{}";
    run_coro(io, [&]() -> asio::awaitable<void> { out = co_await client.request(req, kPipedrive); });
    return out;
  };
  BOOST_TEST(call("GET").response.has_value());
  mock.reset();  // the server goes away with our connection idle in the pool
  MockCrmOptions same_port;
  same_port.port = p;
  mock = std::make_unique<MockCrm>(cert, same_port);
  auto get = call("GET");
  BOOST_TEST(get.response.has_value(), code_of(get));
  auto post = call("POST");  // not idempotent: works because the dead one was noticed first
  BOOST_TEST(post.response.has_value(), code_of(post));
  BOOST_TEST(client.handshakes() == 2u);
}

BOOST_AUTO_TEST_CASE(a_dying_keep_alive_is_retried_once_for_idempotent_methods_only) {
  MockCrm mock(pki().good);
  const auto p = mock.port();
  asio::io_context io;
  Client client(io.get_executor(), config_for(p));
  auto call = [&](std::string method, std::string target) {
    Outcome out;
    Request req;
    req.method = method;
    req.url = url("acme.pipedrive.com", p, target);
    if (method == "POST") req.body = "{}";
    run_coro(io, [&]() -> asio::awaitable<void> { out = co_await client.request(req, kPipedrive); });
    return out;
  };
  BOOST_TEST(call("GET", "/__arm_drop").response.has_value());
  auto get = call("GET", "/__ok");  // its pooled connection drops it: retried on a fresh one
  BOOST_TEST_REQUIRE(get.response.has_value(), code_of(get));
  BOOST_TEST(get.response->status == 200);
  BOOST_TEST(client.handshakes() == 2u);

  BOOST_TEST(call("POST", "/__arm_drop").response.has_value());
  auto post = call("POST", "/__ok");  // not idempotent: no second attempt
  BOOST_TEST(code_of(post) == "io");
  BOOST_TEST(post.failure->retryable);
  BOOST_TEST(client.handshakes() == 2u);

  auto seen = mock.requests();
  BOOST_TEST_REQUIRE(seen.size() == 5u);
  BOOST_TEST(seen[1].path == "/__ok");  // dropped
  BOOST_TEST(seen[2].path == "/__ok");  // the retry
  BOOST_TEST(seen[4].method == "POST");
  BOOST_TEST(seen[4].path == "/__ok");  // sent once
}

BOOST_AUTO_TEST_CASE(a_connection_close_answer_is_not_pooled) {
  MockCrm mock(pki().good);
  asio::io_context io;
  Client client(io.get_executor(), config_for(mock.port()));
  Request req;
  req.url = url("acme.pipedrive.com", mock.port(), "/__close");
  for (int i = 0; i < 2; ++i) {
    Outcome out;
    run_coro(io, [&]() -> asio::awaitable<void> { out = co_await client.request(req, kPipedrive); });
    BOOST_TEST_REQUIRE(out.response.has_value(), code_of(out));
    BOOST_TEST(out.response->status == 200);
  }
  BOOST_TEST(client.handshakes() == 2u);
  BOOST_TEST(mock.requests().size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_server_that_never_handshakes_hits_the_connect_timeout) {
  asio::io_context io;
  // Listens (the kernel completes TCP connects) but never accepts, so no TLS ever comes back.
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto p = silent.local_endpoint().port();
  auto cfg = config_for(p);
  cfg.connect_timeout = 300ms;
  Client client(io.get_executor(), cfg);
  Request req;
  req.url = url("acme.pipedrive.com", p, "/__ok");
  Outcome out;
  auto start = std::chrono::steady_clock::now();
  run_coro(io, [&]() -> asio::awaitable<void> { out = co_await client.request(req, kPipedrive); });
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(code_of(out) == "timeout");
  BOOST_TEST(out.failure->detail.find("handshake") != std::string::npos, out.failure->detail);
  BOOST_TEST(took >= 250ms);
  BOOST_TEST(took < 5s);
  BOOST_TEST(client.handshakes() == 0u);
}
