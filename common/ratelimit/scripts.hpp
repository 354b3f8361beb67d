#pragma once
// The Lua scripts that keep a CRM account's shared budget in Redis. Each runs atomically and reads
// the clock with Redis TIME, so every worker of the pool sees one state and one clock.
//
// State hash {prefix}:rl:{platform}:{account}:
//   mode         unknown (no answer yet) | budget (headers seen) | open (answers carry no headers)
//   pause_until  ms; nobody sends before it (429, Retry-After, concurrency refusals, daily budget)
//   strikes      consecutive refusals, for backoff when the CRM gives no hint
//   probe, probe_exp   requests in flight while unknown, and when those slots lapse
//   plain        answers without headers seen while unknown
//   cap, tokens, rate, ts, window   the learned token bucket (tokens may go negative: reservations)
// Lease zset {prefix}:rl:{platform}:{account}:leases: lease id scored by its expiry in ms.
#include "worker/redis_scripts.hpp"

namespace calllog::ratelimit::lua {

// KEYS: state. ARGV: start_inflight, probe_ttl_ms, max_wait_ms, state_ttl_ms, recheck ("1": the
// caller holds a reservation and only asks whether a pause began meanwhile).
// Returns {verdict, ms, mode}: verdict 0 = go now, 1 = wait ms and ask again, 2 = reserved: go
// after ms (then recheck). `probe` is 1 when a start slot was taken (give it back in observe).
const scripts::Script& acquire();

// KEYS: state. ARGV: has_budget, limit, remaining, reset_ms (-1 unknown), hint_ms (Retry-After or
// reset for a refusal; -1 none), refused (0/1), start_inflight, state_ttl_ms, safety factor,
// was_probe (0/1), daily_pause_ms (-1 none), max_pause_ms.
// Returns {pause_left_ms, mode}.
const scripts::Script& observe();

// KEYS: leases. ARGV: cap, lease_id, lease_ms. Returns {1, 0} taken or {0, ms until the earliest
// lease lapses}.
const scripts::Script& take_lease();

}  // namespace calllog::ratelimit::lua
