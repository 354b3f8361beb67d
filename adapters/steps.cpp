#include "adapters/steps.hpp"

#include "common/logging.hpp"
#include "common/redis/command.hpp"
#include "common/redis/redis_client.hpp"

namespace calllog::steps {
namespace {

// One script, so the field and the key's expiry are applied together: Redis runs a script
// atomically, so no reader sees the field without the TTL and a crash between the two writes
// cannot leave a step record that never expires. Each step is written only after the CRM
// confirmed it, so a recorded step is always done (the converse does not hold: a step done just
// before a crash or a Redis outage is not recorded, and is then repeated, as App Connect would).
// One key per script: the script is Redis Cluster safe (the key names the slot).
constexpr std::string_view kRecordScript =
    "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) "
    "redis.call('EXPIRE', KEYS[1], ARGV[3]) "
    "return 1";

}  // namespace

std::string steps_key(std::string_view prefix, std::string_view platform, std::string_view session) {
  std::string key(prefix);
  key += ":steps:";
  key += platform;
  key += ':';
  key += session;
  return key;
}

boost::asio::awaitable<StepLog> load_steps(AdapterContext& ctx, std::string_view platform,
                                           std::string_view session) {
  StepLog found;
  if (!ctx.redis) co_return found;
  auto argv = redis::cmd("HGETALL", steps_key(ctx.prefix, platform, session));
  auto r = co_await ctx.redis->exec(std::move(argv));
  if (!r) {
    log::warn("step records unavailable; no resume",
              {{"platform", platform}, {"error", r.error->message}});
    co_return found;
  }
  if (r.value->type != redis::Reply::Type::array) co_return found;
  const auto& e = r.value->elements;
  for (std::size_t i = 0; i + 1 < e.size(); i += 2) found.done.emplace(e[i].str, e[i + 1].str);
  co_return found;
}

boost::asio::awaitable<bool> record_step(AdapterContext& ctx, std::string_view platform,
                                         std::string_view session, std::string_view step,
                                         std::string_view value) {
  if (!ctx.redis) co_return false;
  auto argv = redis::cmd("EVAL", kRecordScript, "1", steps_key(ctx.prefix, platform, session),
                         step, value, static_cast<long long>(kStepsTtl.count()));
  auto r = co_await ctx.redis->exec(std::move(argv));
  if (!r || r.value->is_error()) {
    log::warn("recording a step failed; a retry would repeat it",
              {{"platform", platform}, {"step", step}});
    co_return false;
  }
  co_return true;
}

}  // namespace calllog::steps
