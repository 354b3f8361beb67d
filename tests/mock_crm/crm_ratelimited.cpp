// Rate-limited behaviours for the limiter's tests, on any host, state kept per Host:
//   /__rl/bucket?limit=L&window_ms=W    a token bucket (capacity L, refilled L per W ms),
//                                       answered honestly: x-ratelimit-limit, -remaining (tokens
//                                       left), -reset (whole seconds until full); with no token:
//                                       429, Retry-After (whole seconds until one token)
//   /__rl/window?limit=L&window_ms=W    a fixed window aligned to the Unix clock (Clio-style):
//                                       x-ratelimit-reset is the window's end as a Unix time;
//                                       past L in a window: 429 with Retry-After
//   /__rl/always429?retry_after=S       429 with only Retry-After: S
//   /__rl/concurrent?hold_ms=H&cap=K    counts requests in flight, i.e. arrivals in the last H ms
//                                       (run the mock with --latency-ms H, so each answer leaves
//                                       H ms after its arrival); beyond K, NetSuite's 400
//                                       SSS_REQUEST_LIMIT_EXCEEDED (K = 0: never refuses)
//   /__rl/report                        {"<host>":{"requests","rejected","max_inflight",
//                                       "arrivals_ms":[...]}} — arrivals in ms of the mock's
//                                       steady clock; "now_ms" at top level
//   /__rl/reset                         forgets every host's state
// And Pipedrive's own paths (crm_pipedrive.cpp) on a host named
//   rlbucket-<L>-<W>.pipedrive.com      behind that host's token bucket (capacity L, refilled L per
//                                       W ms), as /__rl/bucket: Pipedrive's answer with honest
//                                       x-ratelimit-* headers, or 429 with Retry-After when empty;
//                                       counted in /__rl/report. Other Pipedrive hosts: unchanged.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "mock.hpp"

namespace mock {

void register_pipedrive(Router& r);  // crm_pipedrive.cpp

namespace {

struct HostState {
  double tokens = -1;  // < 0: bucket not started
  double last_ms = 0;
  uint64_t requests = 0, rejected = 0, max_inflight = 0;
  std::deque<double> recent;         // arrivals within the hold window
  std::vector<double> arrivals_ms;
};

std::map<std::string, HostState>& hosts() {
  static std::map<std::string, HostState> h;
  return h;
}

double now_ms() {
  static const auto start = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double query_num(const MockRequest& req, const std::string& key, double fallback) {
  auto it = req.query.find(key);
  if (it == req.query.end()) return fallback;
  double v = fallback;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  return v;
}

HostState& arrive(const MockRequest& req, double t) {
  auto& h = hosts()[req.host];
  ++h.requests;
  h.arrivals_ms.push_back(t);
  return h;
}

// Takes a token of the host's bucket (capacity `limit`, refilled `limit` per `window_ms`): the
// answer from `answer` when one was left, else a 429; with honest headers either way.
template <class Answer>
MockResponse take_token(const MockRequest& req, double limit, double window_ms, Answer answer) {
  const double t = now_ms();
  auto& h = arrive(req, t);
  limit = std::max(1.0, limit);
  const double rate = limit / std::max(1.0, window_ms);  // per ms
  if (h.tokens < 0) h.tokens = limit;
  h.tokens = std::min(limit, h.tokens + (t - h.last_ms) * rate);
  h.last_ms = t;
  const bool ok = h.tokens >= 1;
  if (ok) h.tokens -= 1;
  auto r = ok ? answer() : MockResponse::json(429, R"({"success":false,"error":"Rate limit exceeded"})");
  std::erase_if(r.headers, [](const auto& kv) {
    return kv.first.rfind("x-ratelimit-", 0) == 0 || kv.first == "Retry-After";
  });
  if (!ok) {
    ++h.rejected;
    r.with_header("Retry-After", std::to_string(static_cast<long>(std::ceil((1 - h.tokens) / rate / 1000))));
  }
  r.with_header("x-ratelimit-limit", std::to_string(static_cast<long>(limit)));
  r.with_header("x-ratelimit-remaining", std::to_string(static_cast<long>(std::floor(h.tokens))));
  r.with_header("x-ratelimit-reset",
                std::to_string(static_cast<long>(std::ceil((limit - h.tokens) / rate / 1000))));
  return r;
}

MockResponse bucket(const MockRequest& req) {
  return take_token(req, query_num(req, "limit", 40), query_num(req, "window_ms", 2000),
                    [] { return MockResponse::json(200, R"({"success":true})"); });
}

// Pipedrive's own routes, to answer behind a bucket.
const Router& pipedrive_routes() {
  static const Router r = [] {
    Router out;
    register_pipedrive(out);
    return out;
  }();
  return r;
}

MockResponse pipedrive_answer(const MockRequest& req) {
  // The server's request is not const; routing again only re-fills the same path parameters.
  auto routed = pipedrive_routes().route(const_cast<MockRequest&>(req));
  return routed ? std::move(*routed) : MockResponse::json(404, R"({"error":"no mock route"})");
}

// "rlbucket-<L>-<W>" as {L, W}; nullopt for any other label.
std::optional<std::pair<double, double>> bucket_label(const std::string& label) {
  constexpr std::string_view kPrefix = "rlbucket-";
  if (label.rfind(kPrefix, 0) != 0) return std::nullopt;
  double limit = 0, window = 0;
  const char* p = label.data() + kPrefix.size();
  const char* end = label.data() + label.size();
  auto a = std::from_chars(p, end, limit);
  if (a.ec != std::errc{} || a.ptr == end || *a.ptr != '-') return std::nullopt;
  auto b = std::from_chars(a.ptr + 1, end, window);
  if (b.ec != std::errc{} || b.ptr != end || limit < 1 || window < 1) return std::nullopt;
  return std::pair{limit, window};
}

MockResponse budgeted_pipedrive(const MockRequest& req) {
  auto budget = bucket_label(req.first_label());
  if (!budget) return pipedrive_answer(req);
  return take_token(req, budget->first, budget->second, [&] { return pipedrive_answer(req); });
}

MockResponse fixed_window(const MockRequest& req) {
  auto& h = arrive(req, now_ms());
  const auto limit = static_cast<long>(std::max(1.0, query_num(req, "limit", 20)));
  const auto window = static_cast<long long>(std::max(1000.0, query_num(req, "window_ms", 2000)));
  const long long unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch()).count();
  const long long index = unix_ms / window, end_ms = (index + 1) * window;
  if (h.last_ms != static_cast<double>(index)) {  // a new window: the whole limit again
    h.last_ms = static_cast<double>(index);
    h.tokens = static_cast<double>(limit);
  }
  const bool ok = h.tokens >= 1;
  if (ok) h.tokens -= 1;
  auto r = ok ? MockResponse::json(200, R"({"data":{"id":1}})")
              : MockResponse::json(429, R"({"error":{"type":"RateLimited"}})");
  if (!ok) {
    ++h.rejected;
    r.with_header("Retry-After", std::to_string((end_ms - unix_ms + 999) / 1000));
  }
  r.with_header("X-RateLimit-Limit", std::to_string(limit));
  r.with_header("X-RateLimit-Remaining", std::to_string(static_cast<long>(h.tokens)));
  r.with_header("X-RateLimit-Reset", std::to_string((end_ms + 999) / 1000));
  return r;
}

MockResponse always429(const MockRequest& req) {
  auto& h = arrive(req, now_ms());
  ++h.rejected;
  auto r = MockResponse::json(429, R"({"success":false,"error":"Rate limit exceeded"})");
  auto it = req.query.find("retry_after");
  r.with_header("Retry-After", it == req.query.end() ? "3" : it->second);
  return r;
}

MockResponse concurrent(const MockRequest& req) {
  const double t = now_ms();
  auto& h = arrive(req, t);
  const double hold = query_num(req, "hold_ms", 200);
  const auto cap = static_cast<uint64_t>(query_num(req, "cap", 0));
  while (!h.recent.empty() && h.recent.front() <= t - hold) h.recent.pop_front();
  if (cap > 0 && h.recent.size() >= cap) {
    ++h.rejected;
    return MockResponse::json(
        400, R"({"error":{"code":"SSS_REQUEST_LIMIT_EXCEEDED","message":"concurrency limit"}})");
  }
  h.recent.push_back(t);
  h.max_inflight = std::max<uint64_t>(h.max_inflight, h.recent.size());
  return MockResponse::json(200, R"({"success":true})");
}

MockResponse report(const MockRequest&) {
  std::string out = "{\"now_ms\":" + std::to_string(now_ms());
  for (const auto& [host, h] : hosts()) {
    out += "," + json_quote(host) + ":{\"requests\":" + std::to_string(h.requests) +
           ",\"rejected\":" + std::to_string(h.rejected) +
           ",\"max_inflight\":" + std::to_string(h.max_inflight) + ",\"arrivals_ms\":[";
    for (size_t i = 0; i < h.arrivals_ms.size(); ++i)
      out += (i ? "," : "") + std::to_string(h.arrivals_ms[i]);
    out += "]}";
  }
  return MockResponse::json(200, out + "}");
}

}  // namespace

void register_ratelimited(Router& r) {
  for (const char* m : {"GET", "POST", "PUT", "PATCH"}) {
    r.add("", m, "/__rl/bucket", bucket);
    r.add("", m, "/__rl/window", fixed_window);
    r.add("", m, "/__rl/always429", always429);
    r.add("", m, "/__rl/concurrent", concurrent);
  }
  // (the same paths crm_pipedrive.cpp registers; this file is registered before it)
  r.add("*.pipedrive.com", "GET", "/api/v2/persons/{id}", budgeted_pipedrive);
  r.add("*.pipedrive.com", "GET", "/v1/activityTypes", budgeted_pipedrive);
  r.add("*.pipedrive.com", "POST", "/api/v2/activities", budgeted_pipedrive);
  r.add("", "GET", "/__rl/report", report);
  r.add("", "GET", "/__rl/reset", [](const MockRequest&) {
    hosts().clear();
    return MockResponse::json(200, R"({"ok":true})");
  });
}

}  // namespace mock
