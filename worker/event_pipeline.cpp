// One event's path through the worker: parse → validate → dedupe → adapter → reply.
#include <random>

#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "adapters/registry.hpp"
#include "common/json.hpp"
#include "common/logging.hpp"
#include "worker/redis_scripts.hpp"
#include "worker/retry_policy.hpp"
#include "worker/worker.hpp"

namespace calllog {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr auto kClaimTtl = 120s;   // a claim outlives any single CRM call (30 s request timeout)

std::mt19937_64& rng() {
  static std::mt19937_64 r{std::random_device{}()};
  return r;
}


}  // namespace
const std::string& incarnation();
namespace {

// A claim token: "<worker id>|<incarnation>|<random>".
std::string new_token(const std::string& worker_id) {
  return fmt::format("{}|{}|{:016x}", worker_id, incarnation(), rng()());
}

// The worker id and incarnation in a claim token (empty when it is not one of ours).
std::pair<std::string, std::string> token_owner(const std::string& token) {
  auto last = token.rfind('|');
  if (last == std::string::npos || last == 0) return {};
  auto mid = token.rfind('|', last - 1);
  if (mid == std::string::npos) return {};
  return {token.substr(0, mid), token.substr(mid + 1, last - mid - 1)};
}

const char* status_text(ReplyStatus s) {
  return s == ReplyStatus::logged ? "logged" : s == ReplyStatus::duplicate ? "duplicate" : "failed";
}

// The event's attempt counters from HMGET attempts <id> <id>:429.
std::pair<int, int> attempts_from(const redis::Reply& r) {
  std::pair<int, int> out{0, 0};
  if (r.type == redis::Reply::Type::array && r.elements.size() == 2) {
    if (r.elements[0].type == redis::Reply::Type::string) out.first = std::atoi(r.elements[0].str.c_str());
    if (r.elements[1].type == redis::Reply::Type::string) out.second = std::atoi(r.elements[1].str.c_str());
  }
  return out;
}

// extraDataTracking with App Connect's two tracking flags appended (APPCONNECT.md §2.2 step 10).
std::string with_tracking_flags(const std::string& extra, const Event& ev) {
  auto truthy = [&](const char* k) {
    const auto* v = json::find(ev.doc, k);
    return v && v->IsString() && v->GetStringLength() > 0;
  };
  std::string body = extra.empty() ? "{}" : extra;
  body.pop_back();  // drop '}'
  if (body.size() > 1) body.push_back(',');
  body += fmt::format("\"withSmartNoteLog\":{},\"withTranscript\":{}}}", truthy("aiNote") ? "true" : "false",
                      truthy("transcript") ? "true" : "false");
  return body;
}

}  // namespace

const std::string& incarnation() {
  static const std::string id = fmt::format("{:08x}", static_cast<uint32_t>(rng()()));
  return id;
}

asio::awaitable<void> Worker::process(std::string raw) {
  const auto started = std::chrono::steady_clock::now();
  ReplyFields reply;
  std::string event_json, claim_key, claim_token, logged_key, event_id;
  int prior_attempts = 0, prior_429s = 0;
  CrmTiming timing;
  try {
    auto parsed = parse_event(raw);
    reply.id = parsed.id;
    reply.platform = parsed.platform;
    reply.session_id = parsed.session_id;
    if (parsed.parsed_json_object) event_json = raw;

    if (parsed.error) {
      reply.error = parsed.error;
    } else if (!is_known_platform(parsed.event->platform)) {
      reply.error = make_failure("unknown_platform",
                                 fmt::format("platform '{}' is not one of pipedrive, clio, insightly, "
                                             "redtail, bullhorn, netsuite, sandbox",
                                             parsed.event->platform));
    } else if (auto it = adapters_.find(parsed.event->platform); it == adapters_.end() || !it->second) {
      reply.error = make_failure("adapter_unavailable",
                                 fmt::format("the {} adapter is not available in this build yet",
                                             parsed.event->platform));
    } else {
      const Event& ev = *parsed.event;
      event_id = ev.id;
      logged_key = cfg_.logged_key(ev.platform, ev.session_id);
      claim_key = cfg_.claim_key(ev.platform, ev.session_id);
      claim_token = new_token(cfg_.worker_id);
      std::optional<std::string> earlier;
      std::pair<int, int> counters{0, 0};  // read in the claim's round trip
      bool claimed = co_await wait_for_claim(claim_key, claim_token, logged_key, ev.id, earlier, counters);
      prior_attempts = counters.first;
      prior_429s = counters.second;
      reply.attempts = prior_attempts + 1;
      metrics_.attempt();
      if (earlier) {
        reply.status = ReplyStatus::duplicate;
        reply.log_id = earlier->empty() ? std::nullopt : earlier;
        reply.return_message_json =
            simple_return_message("Existing log for session " + ev.session_id, "warning", 3000);
      } else if (!claimed) {
        reply.error = make_failure("redis_unavailable", "could not claim the session for dedupe", true);
      } else {
        AdapterContext ctx = ctx_;  // per event: carries this event's CRM timing
        ctx.timing = &timing;
        auto result = co_await it->second->create_call_log(ev, ctx);
        reply.return_message_json = result.return_message_json;
        if (result.log_id) {
          reply.status = ReplyStatus::logged;
          reply.log_id = result.log_id;
          reply.extra_data_tracking_json = with_tracking_flags(result.extra_data_tracking_json, ev);
        } else {
          reply.error = result.failure ? *result.failure
                                       : make_failure("crm_error", "the CRM returned no log id");
          if (!result.extra_data_tracking_json.empty())
            reply.extra_data_tracking_json = result.extra_data_tracking_json;
        }
      }
    }
  } catch (const std::exception& e) {
    reply.error = make_failure("internal_error", std::string("unexpected error: ") + e.what());
  }
  if (reply.error) reply.status = ReplyStatus::failed;

  if (reply.error && reply.error->retryable && !event_id.empty()) {
    RetryPolicy policy{cfg_.max_attempts, cfg_.max_rate_limited, cfg_.retry_base_s, cfg_.retry_cap_s};
    auto decision = decide_retry(*reply.error, prior_attempts, prior_429s, policy, random01());
    reply.attempts = std::max(1, decision.attempts);
    if (decision.retry) {
      co_await schedule_retry(raw, event_id, claim_key, claim_token, decision);
      metrics_.retry_scheduled();
      log::info("retry scheduled", {{"id", std::string_view(event_id)},
                                    {"errorCode", std::string_view(reply.error->code)},
                                    {"attempts", static_cast<int64_t>(decision.attempts)},
                                    {"rateLimited", decision.rate_limited},
                                    {"delayMs", static_cast<int64_t>(decision.delay.count())}});
      done_with(raw);
      co_return;
    }
  }

  // (No conditional expression inside co_await: GCC 12 destroys such temporaries twice.)
  std::string logged_record_key;
  if (reply.status == ReplyStatus::logged) logged_record_key = logged_key;
  co_await finish(raw, reply, event_json, claim_key, claim_token, logged_record_key, event_id);

  auto ms = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count() / 1000.0;
  metrics_.reply(status_text(reply.status));
  metrics_.event_duration(ms / 1000.0);
  if (reply.status == ReplyStatus::failed && reply.error) metrics_.dead_letter(reply.error->code);
  log::info("event", {{"id", reply.id ? std::string_view(*reply.id) : std::string_view("")},
                      {"platform", reply.platform ? std::string_view(*reply.platform) : std::string_view("")},
                      {"sessionId", reply.session_id ? std::string_view(*reply.session_id) : std::string_view("")},
                      {"status", std::string_view(status_text(reply.status))},
                      {"attempts", static_cast<int64_t>(reply.attempts)},
                      {"errorCode", reply.error ? std::string_view(reply.error->code) : std::string_view("")},
                      {"ms", ms},
                      {"crmRequests", static_cast<int64_t>(timing.requests)},
                      {"crmMs", timing.crm_ms},
                      {"rateLimitWaitMs", timing.wait_ms}});
  done_with(raw);
}

void Worker::done_with(const std::string& raw) {
  if (auto it = in_flight_elements_.find(raw); it != in_flight_elements_.end()) in_flight_elements_.erase(it);
  --in_flight_;
  slot_freed();
}

asio::awaitable<bool> Worker::wait_for_claim(const std::string& claim_key, const std::string& token,
                                             const std::string& logged_key, const std::string& event_id,
                                             std::optional<std::string>& earlier_log_id,
                                             std::pair<int, int>& attempt_counters) {
  // Two workers racing on one session: one holds the claim and writes the CRM; the other waits
  // here until the logged record appears (duplicate) or the claim is released/expires.
  const auto deadline = std::chrono::steady_clock::now() + kClaimTtl + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<std::vector<std::string>> commands;
    commands.push_back(cmd("GET", logged_key));
    commands.push_back(cmd("SET", claim_key, token, "NX", "PX",
                           std::to_string(std::chrono::milliseconds(kClaimTtl).count())));
    commands.push_back(cmd("GET", claim_key));
    commands.push_back(cmd("HMGET", cfg_.attempts_key(), event_id, event_id + ":429"));
    auto r = co_await cmd_.exec_pipeline(std::move(commands));
    if (!r) {
      co_await sleep(500ms);
      continue;
    }
    auto& replies = *r;
    attempt_counters = attempts_from(replies[3]);
    if (replies[0].type == redis::Reply::Type::string) {
      earlier_log_id = replies[0].str;
      if (replies[1].type == redis::Reply::Type::status)  // we just claimed it: give it back
        co_await scripts::run(cmd_, scripts::release_claim(), cmd(claim_key), cmd(token));
      co_return false;
    }
    // "+OK": ours. Or ours already: an earlier SET whose answer was lost with the connection.
    if (replies[1].type == redis::Reply::Type::status || replies[2].str == token) co_return true;
    // Someone else holds the claim. If its owner died (no heartbeat) — or it is our own previous
    // incarnation — take it over instead of waiting for it to expire.
    if (co_await take_over_dead_claim(claim_key, token)) co_return true;
    co_await sleep(200ms);
  }
  co_return false;
}

asio::awaitable<bool> Worker::take_over_dead_claim(const std::string& claim_key, const std::string& token) {
  auto cur = co_await cmd_.exec(cmd("GET", claim_key));
  if (!cur || cur->type != redis::Reply::Type::string) co_return false;
  auto [owner, life] = token_owner(cur->str);
  if (owner.empty()) co_return false;
  auto keys = cmd(claim_key, cfg_.heartbeat_key(owner));
  auto args = cmd(cur->str, token, std::to_string(std::chrono::milliseconds(kClaimTtl).count()), life);
  auto r = co_await scripts::run(cmd_, scripts::steal_dead_claim(), std::move(keys), std::move(args));
  const bool taken = r && r->type == redis::Reply::Type::integer && r->integer == 1;
  if (taken) log::info("took over a dead worker's dedupe claim", {{"claim", std::string_view(claim_key)}});
  co_return taken;
}

asio::awaitable<void> Worker::finish(const std::string& raw, const ReplyFields& reply,
                                     const std::string& event_json, const std::string& claim_key,
                                     const std::string& claim_token, const std::string& logged_key,
                                     const std::string& event_id) {
  std::string dead;
  if (reply.status == ReplyStatus::failed && reply.error)
    dead = dead_letter_json(event_json, raw, *reply.error, reply.attempts, cfg_.worker_id);
  const std::string reply_text = reply_json(reply);
  const std::string ttl = std::to_string(static_cast<long long>(cfg_.dedupe_ttl_days) * 86400);
  // Retried until Redis takes it: the element stays on our processing list meanwhile, so a crash
  // here loses nothing (the event is recovered and, if it was logged, found as a duplicate... once
  // the logged record exists).
  for (auto backoff = 100ms;; backoff = std::min(backoff * 2, std::chrono::milliseconds(5000))) {
    auto keys = cmd(cfg_.reply_queue, processing_key_,
                    claim_key.empty() ? cfg_.prefix + ":claim:none" : claim_key,
                    logged_key.empty() ? cfg_.prefix + ":logged:none" : logged_key, cfg_.dead_queue,
                    cfg_.attempts_key());
    auto args = cmd(reply_text, raw, claim_token,
                    logged_key.empty() ? std::string() : reply.log_id.value_or(""), ttl, dead, event_id);
    auto r = co_await scripts::run(cmd_, scripts::finish_event(), std::move(keys), std::move(args));
    if (r && !r->is_error()) co_return;
    log::warn("writing the reply failed; retrying",
              {{"id", reply.id ? std::string_view(*reply.id) : std::string_view("")},
               {"error", r ? std::string_view(r->str) : std::string_view(r.error->message)}});
    co_await sleep(backoff);
  }
}


asio::awaitable<void> Worker::schedule_retry(const std::string& raw, const std::string& event_id,
                                             const std::string& claim_key, const std::string& claim_token,
                                             const RetryDecision& decision) {
  const auto due = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch() + decision.delay).count();
  // The member's unique part must not contain '|': the scheduler cuts at the first one.
  const std::string member = fmt::format("{:016x}", rng()()) + "|" + raw;
  const std::string field = decision.rate_limited ? event_id + ":429" : event_id;
  for (auto backoff = 100ms;; backoff = std::min(backoff * 2, std::chrono::milliseconds(5000))) {
    auto keys = cmd(cfg_.retry_key(), processing_key_,
                    claim_key.empty() ? cfg_.prefix + ":claim:none" : claim_key, cfg_.attempts_key());
    auto args = cmd(member, std::to_string(due), raw, claim_token, field, std::to_string(decision.counter_value));
    auto r = co_await scripts::run(cmd_, scripts::schedule_retry(), std::move(keys), std::move(args));
    if (r && !r->is_error()) co_return;
    log::warn("scheduling a retry failed; trying again",
              {{"id", std::string_view(event_id)},
               {"error", r ? std::string_view(r->str) : std::string_view(r.error->message)}});
    co_await sleep(backoff);
  }
}

double Worker::random01() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng());
}

}  // namespace calllog
