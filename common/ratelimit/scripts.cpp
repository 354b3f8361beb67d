#include "common/ratelimit/scripts.hpp"

namespace calllog::ratelimit::lua {

// Shared prologue: the Redis clock in ms.
#define RL_NOW                                         \
  "local t = redis.call('TIME')\n"                     \
  "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

const scripts::Script& acquire() {
  static const scripts::Script s(RL_NOW R"lua(
local k = KEYS[1]
local h = redis.call('HMGET', k, 'mode', 'pause_until', 'tokens', 'cap', 'rate', 'ts', 'probe', 'probe_exp')
local mode = h[1] or 'unknown'
local pause = tonumber(h[2]) or 0
if pause > now then return {1, pause - now, mode} end
if ARGV[5] == '1' then return {0, 0, mode} end
if mode == 'unknown' then
  local probe = tonumber(h[7]) or 0
  local exp = tonumber(h[8]) or 0
  if exp <= now then probe = 0 end
  if probe < tonumber(ARGV[1]) then
    redis.call('HSET', k, 'mode', 'unknown', 'probe', tostring(probe + 1), 'probe_exp', tostring(now + tonumber(ARGV[2])))
    redis.call('PEXPIRE', k, ARGV[4])
    return {0, 0, mode, 1}
  end
  return {1, math.max(1, math.min(exp - now, 250)), mode}
end
if mode == 'budget' then
  local cap = tonumber(h[4])
  local rate = math.max(tonumber(h[5]), 1e-6)
  local tokens = math.min(cap, tonumber(h[3]) + (now - tonumber(h[6])) * rate)
  local wait = 0
  if tokens < 1 then wait = math.ceil((1 - tokens) / rate) end
  if wait > tonumber(ARGV[3]) then
    redis.call('HSET', k, 'tokens', tostring(tokens), 'ts', tostring(now))
    return {1, tonumber(ARGV[3]), mode}
  end
  redis.call('HSET', k, 'tokens', tostring(tokens - 1), 'ts', tostring(now))
  redis.call('PEXPIRE', k, ARGV[4])
  if wait > 0 then return {2, wait, mode} end
  return {0, 0, mode}
end
return {0, 0, mode}
)lua");
  return s;
}

const scripts::Script& observe() {
  static const scripts::Script s(RL_NOW R"lua(
local k = KEYS[1]
local h = redis.call('HMGET', k, 'mode', 'probe', 'cap', 'tokens', 'rate', 'ts', 'window', 'strikes', 'pause_until')
local mode = h[1] or 'unknown'
local pause = tonumber(h[9]) or 0
if ARGV[10] == '1' then
  redis.call('HSET', k, 'probe', tostring(math.max(0, (tonumber(h[2]) or 0) - 1)))
end
local hint = tonumber(ARGV[5])
local max_pause = tonumber(ARGV[12])
if ARGV[6] == '1' then
  local strikes = (tonumber(h[8]) or 0) + 1
  local p = hint
  if p < 0 then p = math.min(1000 * 2 ^ (strikes - 1), max_pause) end
  pause = math.max(pause, now + math.min(p, max_pause))
  redis.call('HSET', k, 'pause_until', tostring(pause), 'strikes', tostring(strikes))
  if mode == 'budget' then
    local tokens = math.min(tonumber(h[4]), 0)
    redis.call('HSET', k, 'tokens', tostring(tokens), 'ts', tostring(now))
  end
elseif h[8] and h[8] ~= '0' then
  redis.call('HSET', k, 'strikes', '0')
end
if ARGV[1] == '1' then
  local limit = math.max(tonumber(ARGV[2]), 1)
  local remaining = tonumber(ARGV[3])
  local reset = tonumber(ARGV[4])
  local window = tonumber(h[7]) or 0
  if tonumber(h[3]) ~= limit then window = 0 end
  if reset > window then window = reset end
  if window <= 0 then window = 1000 end
  local rate = limit / window * tonumber(ARGV[9])
  local tokens
  if mode == 'budget' and tonumber(h[3]) == limit then
    tokens = math.min(limit, tonumber(h[4]) + (now - tonumber(h[6])) * tonumber(h[5]))
    tokens = math.min(tokens, remaining + 0.5)
  else
    tokens = remaining
  end
  if ARGV[6] == '1' then tokens = math.min(tokens, 0) end
  mode = 'budget'
  redis.call('HSET', k, 'mode', mode, 'cap', tostring(limit), 'rate', tostring(rate), 'window', tostring(window), 'tokens', tostring(tokens), 'ts', tostring(now))
elseif mode == 'unknown' and ARGV[6] ~= '1' then
  if redis.call('HINCRBY', k, 'plain', 1) >= tonumber(ARGV[7]) then
    mode = 'open'
    redis.call('HSET', k, 'mode', mode)
  end
end
local daily = tonumber(ARGV[11])
if daily >= 0 then
  pause = math.max(pause, now + daily)
  redis.call('HSET', k, 'pause_until', tostring(pause))
end
redis.call('PEXPIRE', k, ARGV[8])
return {math.max(0, pause - now), mode}
)lua");
  return s;
}

const scripts::Script& take_lease() {
  static const scripts::Script s(RL_NOW R"lua(
local k = KEYS[1]
redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
if redis.call('ZCARD', k) < tonumber(ARGV[1]) then
  redis.call('ZADD', k, now + tonumber(ARGV[3]), ARGV[2])
  redis.call('PEXPIRE', k, tonumber(ARGV[3]) * 2)
  return {1, 0}
end
local first = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
return {0, math.max(1, tonumber(first[2]) - now)}
)lua");
  return s;
}

#undef RL_NOW

}  // namespace calllog::ratelimit::lua
