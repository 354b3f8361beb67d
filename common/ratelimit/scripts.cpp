#include "common/ratelimit/scripts.hpp"

namespace calllog::ratelimit::lua {

// Shared prologue: the Redis clock in ms; the state read into a table; the bucket rolled
// forward to now. avail/issued are cumulative: ticket n may go once avail >= n, and unused tokens
// never exceed cap. A rolling window refills continuously at `rate`; a fixed window gives the
// whole cap back at each window end `wend` (windows `wlen` ms long).
#define RL_PROLOGUE                                                                            \
  "local t = redis.call('TIME')\n"                                                             \
  "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"                    \
  "local names = {'mode','pause_until','cap','rate','avail','issued','ts','probe','probe_exp',"  \
  "'kind','wend','wlen','wstart','est','strikes'}\n"                                                    \
  "local function load(k)\n"                                                                   \
  "  local v = redis.call('HMGET', k, unpack(names))\n"                                        \
  "  local s = {}\n"                                                                           \
  "  for i, n in ipairs(names) do s[n] = v[i] end\n"                                           \
  "  for _, n in ipairs({'pause_until','cap','rate','avail','issued','ts','probe','probe_exp'," \
  "'wend','wlen','wstart','est','strikes'}) do s[n] = tonumber(s[n]) end\n"                             \
  "  s.mode = s.mode or 'unknown'\n"                                                           \
  "  return s\n"                                                                               \
  "end\n"                                                                                      \
  "local function roll(s)\n"                                                                   \
  "  if s.kind == 'fixed' then\n"                                                              \
  "    if now >= s.wend then\n"                                                                \
  "      local n = math.floor((now - s.wend) / s.wlen) + 1\n"                                  \
  "      s.avail = math.min(math.min(s.avail, s.issued) + s.cap * n, s.issued + s.cap)\n"      \
  "      s.wstart = s.wend + (n - 1) * s.wlen\n"                                               \
  "      s.wend = s.wend + n * s.wlen\n"                                                       \
  "    end\n"                                                                                  \
  "  else\n"                                                                                   \
  "    s.avail = math.min(s.avail + math.max(0, now - s.ts) * s.rate, s.issued + s.cap)\n"     \
  "  end\n"                                                                                    \
  "  s.ts = now\n"                                                                             \
  "end\n"                                                                                      \
  "local function due(s, ticket)\n"                                                            \
  "  if s.kind == 'fixed' then\n"                                                              \
  "    return s.wend - now + (math.ceil((ticket - s.avail) / s.cap) - 1) * s.wlen\n"           \
  "  end\n"                                                                                    \
  "  return math.ceil((ticket - s.avail) / math.max(s.rate, 1e-9))\n"                          \
  "end\n"

const redis::Script& acquire() {
  static const redis::Script s(RL_PROLOGUE R"lua(
local k = KEYS[1]
local pk = k .. '#pending'
local s = load(k)
local ticket = tonumber(ARGV[5])
local grace = tonumber(ARGV[7])
if (s.pause_until or 0) > now then
  -- a queued waiter sleeps through the pause (at most max_wait): its place lasts until then
  if ticket > 0 then
    redis.call('ZADD', pk, 'XX', now + math.min(s.pause_until - now, tonumber(ARGV[3])) + grace,
               tostring(ticket))
  end
  return {1, s.pause_until - now, s.mode, 0, ticket}
end
if s.mode == 'unknown' then
  local probe = s.probe or 0
  local exp = s.probe_exp or 0
  if exp <= now then probe = 0 end
  if probe < tonumber(ARGV[1]) then
    redis.call('HSET', k, 'mode', 'unknown', 'probe', tostring(probe + 1), 'probe_exp', tostring(now + tonumber(ARGV[2])))
    redis.call('PEXPIRE', k, ARGV[4])
    return {0, 0, s.mode, 1, 0}
  end
  return {1, math.max(1, math.min(exp - now, 250)), s.mode, 0, 0}
end
if s.mode == 'budget' then
  roll(s)
  -- queued places whose holders did not come back when told (a dead or departed worker's) are
  -- given back: each lapsed ticket not yet reached moves the queue behind it up by one. (One the
  -- refill already passed is not given back: the CRM's own bucket refilled meanwhile.)
  -- (When every ticket issued is already covered, none can lapse unreached: the common path
  -- skips the queue; its lapsed entries are swept the next time there is a queue.)
  if s.avail < s.issued then
    local lapsed = 0
    for _, t in ipairs(redis.call('ZRANGEBYSCORE', pk, '-inf', now)) do
      if tonumber(t) > s.avail then lapsed = lapsed + 1 end
    end
    redis.call('ZREMRANGEBYSCORE', pk, '-inf', now)
    if lapsed > 0 then s.avail = math.min(s.avail + lapsed, s.issued + s.cap) end
  end
  local queued = false
  if ticket > 0 then
    if redis.call('ZSCORE', pk, tostring(ticket)) then queued = true else ticket = 0 end
  end
  if ticket <= 0 or ticket > s.issued then
    s.issued = s.issued + 1
    ticket = s.issued
    queued = false
  end
  redis.call('HSET', k, 'avail', tostring(s.avail), 'issued', tostring(s.issued), 'ts', tostring(now),
             'wend', tostring(s.wend or 0), 'wstart', tostring(s.wstart or 0))
  redis.call('PEXPIRE', k, ARGV[4])
  if s.avail >= ticket then
    if queued then redis.call('ZREM', pk, tostring(ticket)) end
    return {0, 0, s.mode, 0, 0}
  end
  -- queued: ask again halfway to a far due time (the rate may be learned better by then), and
  -- at most ARGV[6] ms from now; the place lapses grace ms after that
  local d = math.max(1, due(s, ticket))
  local sleep = d
  if d > 500 then sleep = math.max(500, math.floor(d / 2)) end
  sleep = math.max(1, math.min(sleep, tonumber(ARGV[6])))
  redis.call('ZADD', pk, now + sleep + grace, tostring(ticket))
  redis.call('PEXPIRE', pk, ARGV[4])
  return {2, d, s.mode, 0, ticket, sleep}
end
return {0, 0, s.mode, 0, 0}
)lua");
  return s;
}

const redis::Script& observe() {
  static const redis::Script s(RL_PROLOGUE R"lua(
local k = KEYS[1]
if KEYS[2] then redis.call('ZREM', KEYS[2], ARGV[15]) end
local s = load(k)
local mode = s.mode
local pause = s.pause_until or 0
local refused = ARGV[6] == '1'
local raised = 0
local probe = s.probe or 0
if ARGV[10] == '1' then
  redis.call('HSET', k, 'probe', tostring(math.max(0, probe - 1)))
end
local budget = mode == 'budget'
if budget then roll(s) end
local max_pause = tonumber(ARGV[12])
if refused then
  local strikes = (s.strikes or 0) + 1
  local p = tonumber(ARGV[5])
  if p < 0 then p = 1000 * 2 ^ (strikes - 1) end
  pause = math.max(pause, now + math.min(p, max_pause))
  redis.call('HSET', k, 'pause_until', tostring(pause), 'strikes', tostring(strikes))
  if budget then s.avail = math.min(s.avail, s.issued) end
elseif (s.strikes or 0) ~= 0 then
  redis.call('HSET', k, 'strikes', '0')
end
if ARGV[1] == '1' then
  local limit = math.max(tonumber(ARGV[2]), 1)
  local remaining = tonumber(ARGV[3])
  local reset = tonumber(ARGV[4])
  local kind = ARGV[13]
  local same = budget and s.cap == limit and s.kind == kind
  local est = 0
  if same then est = s.est or 0 end
  local issued = s.issued or 0
  -- the other start requests still in flight may not be counted in `remaining` yet
  local fresh = issued + remaining - math.max(0, probe - 1)
  if kind == 'fixed' then
    -- a fixed window: the whole limit returns at its end; windows are wlen long (the longest seen)
    if not same then
      s.wstart = now
      s.wend = now + math.max(reset, 0)
      s.wlen = math.max(reset, 1000)
      s.avail = fresh
    elseif reset >= 0 then
      -- wstart is a true window boundary (a reset the CRM told us), so an answer ending later is
      -- from the current window: it tells the window's true end, and what the window has left.
      -- (Clocks are assumed in sync; an earlier window's late answer is ignored.)
      local resp_end = now + reset
      if resp_end > s.wstart + 250 then
        s.wend = resp_end
        s.avail = math.min(s.avail, issued + remaining)
      end
      s.wlen = math.max(s.wlen, s.wend - s.wstart, 1000)
    end
    est = limit / s.wlen
  else
    -- a rolling window (token bucket): the deficit refills in `reset`, so deficit / reset is a
    -- lower bound of the refill rate (reset is rounded up); keep the best lower bound
    if reset > 0 and limit - remaining > 0 then
      local e = (limit - remaining) / reset
      if e > est * 1.01 and est > 0 then raised = 1 end
      est = math.max(est, e)
    end
    -- a documented window length (Pipedrive: 2 s) gives the rate itself
    local window = tonumber(ARGV[14])
    if window > 0 then
      local e = limit / window
      if e > est * 1.01 and est > 0 then raised = 1 end
      est = e
    end
    if est <= 0 then est = limit / 60000 end
    if same then s.avail = math.min(s.avail, issued + remaining) else s.avail = fresh end
  end
  if refused then s.avail = math.min(s.avail, issued) end
  mode = 'budget'
  redis.call('HSET', k, 'mode', mode, 'kind', kind, 'cap', tostring(limit), 'est', tostring(est),
             'rate', tostring(est * tonumber(ARGV[9])), 'avail', tostring(s.avail),
             'issued', tostring(issued), 'ts', tostring(now), 'wend', tostring(s.wend or 0),
             'wlen', tostring(s.wlen or 0), 'wstart', tostring(s.wstart or 0))
elseif budget then
  redis.call('HSET', k, 'avail', tostring(s.avail), 'ts', tostring(now), 'wend', tostring(s.wend or 0),
             'wstart', tostring(s.wstart or 0))
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
-- (A budget account's acquire refreshed the TTL just before this request.)
if s.mode ~= 'budget' then redis.call('PEXPIRE', k, ARGV[8]) end
return {math.max(0, pause - now), 0, mode, raised}
)lua");
  return s;
}

const redis::Script& take_lease() {
  static const redis::Script s(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
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
