#include "worker/redis_scripts.hpp"

namespace calllog::scripts {

const Script& finish_event() {
  static const Script s(R"lua(
local ours = redis.call('LREM', KEYS[2], 1, ARGV[2]) == 1
if ARGV[4] ~= '' then redis.call('SET', KEYS[4], ARGV[4], 'EX', tonumber(ARGV[5])) end
if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
if not ours then return 0 end
if ARGV[7] ~= '' then redis.call('HDEL', KEYS[6], ARGV[7], ARGV[7] .. ':429') end
if ARGV[6] ~= '' then redis.call('LPUSH', KEYS[5], ARGV[6]) end
redis.call('LPUSH', KEYS[1], ARGV[1])
return 1
)lua");
  return s;
}

const Script& requeue_processing() {
  static const Script s(R"lua(
local n = 0
while redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') do n = n + 1 end
return n
)lua");
  return s;
}

const Script& schedule_retry() {
  static const Script s(R"lua(
if redis.call('LREM', KEYS[2], 1, ARGV[3]) == 0 then
  if redis.call('GET', KEYS[3]) == ARGV[4] then redis.call('DEL', KEYS[3]) end
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[4], ARGV[5], ARGV[6])
if redis.call('GET', KEYS[3]) == ARGV[4] then redis.call('DEL', KEYS[3]) end
return 1
)lua");
  return s;
}

const Script& move_due_retries() {
  static const Script s(R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, m in ipairs(due) do
  redis.call('ZREM', KEYS[1], m)
  local p = string.find(m, '|', 1, true)
  redis.call('RPUSH', KEYS[2], string.sub(m, p + 1))
end
local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if nxt[2] then return {#due, nxt[2]} end
return {#due, '-1'}
)lua");
  return s;
}

const Script& recover_dead_worker() {
  static const Script s(R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local n = 0
while redis.call('LMOVE', KEYS[2], KEYS[3], 'LEFT', 'RIGHT') do n = n + 1 end
redis.call('SREM', KEYS[4], ARGV[1])
return n
)lua");
  return s;
}

const Script& steal_dead_claim() {
  static const Script s(R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local beat = redis.call('GET', KEYS[2])
if beat and string.sub(beat, 1, #ARGV[4] + 1) == ARGV[4] .. ':' then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', tonumber(ARGV[3]))
return 1
)lua");
  return s;
}

const Script& requeue_orphan() {
  static const Script s(R"lua(
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
)lua");
  return s;
}

const Script& release_claim() {
  static const Script s(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua");
  return s;
}

}  // namespace calllog::scripts
