#include "common/ratelimit/scripts.hpp"

namespace calllog::ratelimit::lua {

// Shared prologue: the Redis clock in ms, and the bucket refilled up to now (budget mode).
// avail/issued are cumulative: ticket n may go once avail >= n; unused tokens never exceed cap.
#define RL_PROLOGUE                                                              \
  "local t = redis.call('TIME')\n"                                               \
  "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"     \
  "local function refilled(cap, rate, avail, issued, ts)\n"                      \
  "  return math.min(avail + math.max(0, now - ts) * rate, issued + cap)\n"      \
  "end\n"

const scripts::Script& acquire() {
  static const scripts::Script s(RL_PROLOGUE R"lua(
local k = KEYS[1]
local h = redis.call('HMGET', k, 'mode', 'pause_until', 'cap', 'rate', 'avail', 'issued', 'ts', 'probe', 'probe_exp')
local mode = h[1] or 'unknown'
local pause = tonumber(h[2]) or 0
local ticket = tonumber(ARGV[5])
if pause > now then return {1, pause - now, mode, 0, ticket} end
if mode == 'unknown' then
  local probe = tonumber(h[8]) or 0
  local exp = tonumber(h[9]) or 0
  if exp <= now then probe = 0 end
  if probe < tonumber(ARGV[1]) then
    redis.call('HSET', k, 'mode', 'unknown', 'probe', tostring(probe + 1), 'probe_exp', tostring(now + tonumber(ARGV[2])))
    redis.call('PEXPIRE', k, ARGV[4])
    return {0, 0, mode, 1, 0}
  end
  return {1, math.max(1, math.min(exp - now, 250)), mode, 0, 0}
end
if mode == 'budget' then
  local cap = tonumber(h[3])
  local rate = math.max(tonumber(h[4]), 1e-9)
  local issued = tonumber(h[6])
  local avail = refilled(cap, rate, tonumber(h[5]), issued, tonumber(h[7]))
  if ticket <= 0 or ticket > issued then
    issued = issued + 1
    ticket = issued
  end
  redis.call('HSET', k, 'avail', tostring(avail), 'issued', tostring(issued), 'ts', tostring(now))
  redis.call('PEXPIRE', k, ARGV[4])
  if avail >= ticket then return {0, 0, mode, 0, 0} end
  return {2, math.ceil((ticket - avail) / rate), mode, 0, ticket}
end
return {0, 0, mode, 0, 0}
)lua");
  return s;
}

const scripts::Script& observe() {
  static const scripts::Script s(RL_PROLOGUE R"lua(
local k = KEYS[1]
local h = redis.call('HMGET', k, 'mode', 'probe', 'cap', 'rate', 'avail', 'issued', 'ts', 'est', 'strikes', 'pause_until')
local mode = h[1] or 'unknown'
local pause = tonumber(h[10]) or 0
local refused = ARGV[6] == '1'
local raised = 0
if ARGV[10] == '1' then
  redis.call('HSET', k, 'probe', tostring(math.max(0, (tonumber(h[2]) or 0) - 1)))
end
local issued = tonumber(h[6]) or 0
local avail = nil
if mode == 'budget' then
  avail = refilled(tonumber(h[3]), tonumber(h[4]), tonumber(h[5]), issued, tonumber(h[7]))
end
local max_pause = tonumber(ARGV[12])
if refused then
  local strikes = (tonumber(h[9]) or 0) + 1
  local p = tonumber(ARGV[5])
  if p < 0 then p = 1000 * 2 ^ (strikes - 1) end
  pause = math.max(pause, now + math.min(p, max_pause))
  redis.call('HSET', k, 'pause_until', tostring(pause), 'strikes', tostring(strikes))
  if avail then avail = math.min(avail, issued) end
elseif h[9] and h[9] ~= '0' then
  redis.call('HSET', k, 'strikes', '0')
end
if ARGV[1] == '1' then
  local limit = math.max(tonumber(ARGV[2]), 1)
  local remaining = tonumber(ARGV[3])
  local reset = tonumber(ARGV[4])
  local est = 0
  if tonumber(h[3]) == limit then est = tonumber(h[8]) or 0 end
  if ARGV[13] == 'fixed' then
    -- a fixed window: the longest reset seen is the window; the budget spreads over it
    if reset > 0 then
      if est > 0 then est = math.min(est, limit / reset) else est = limit / reset end
    end
  elseif reset > 0 and limit - remaining > 0 then
    -- a rolling window (token bucket): the deficit refills in `reset`, so deficit / reset is a
    -- lower bound of the refill rate (reset is rounded up); keep the best lower bound
    est = math.max(est, (limit - remaining) / reset)
  end
  if est <= 0 then est = limit / 60000 end
  if avail and tonumber(h[3]) == limit then
    avail = math.min(avail, issued + remaining + 0.5)
  else
    -- the other start requests still in flight may not be counted in `remaining` yet
    local others = math.max(0, (tonumber(h[2]) or 0) - 1)
    avail = issued + remaining - others
  end
  if est > (tonumber(h[8]) or 0) * 1.01 then raised = 1 end
  if refused then avail = math.min(avail, issued) end
  mode = 'budget'
  redis.call('HSET', k, 'mode', mode, 'cap', tostring(limit), 'est', tostring(est),
             'rate', tostring(est * tonumber(ARGV[9])), 'avail', tostring(avail),
             'issued', tostring(issued), 'ts', tostring(now))
elseif avail then
  redis.call('HSET', k, 'avail', tostring(avail), 'ts', tostring(now))
elseif mode == 'unknown' and not refused then
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
return {math.max(0, pause - now), 0, mode, raised}
)lua");
  return s;
}

const scripts::Script& take_lease() {
  static const scripts::Script s(RL_PROLOGUE R"lua(
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

#undef RL_PROLOGUE

}  // namespace calllog::ratelimit::lua
