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
//   kind         rolling (token bucket, refills continuously) | fixed (all back at the window end)
//   cap, rate, est     the learned bucket: capacity, tokens per ms used (est x safety), estimate
//   wend, wlen         fixed windows: the current window's end (ms) and length (longest reset)
//   avail, issued, ts  cumulative tokens made available and tickets issued, as of ts: ticket n
//                      goes once avail >= n, so a waiter keeps its place while the rate is learned
// Pending zset {prefix}:rl:{platform}:{account}#pending: queued tickets scored by the time their
//   holder must ask again by; a ticket not asked for by then lapses and its token is given back.
// Lease zset {prefix}:rl:{platform}:{account}:leases: lease id scored by its expiry in ms.
#include "common/redis/script.hpp"

namespace calllog::ratelimit::lua {

// KEYS: state. ARGV: start_inflight, probe_ttl_ms, max_wait_ms, state_ttl_ms, ticket (0: none),
// ticket_recheck_ms (a queued waiter asks again within this), ticket_grace_ms (then its place
// lapses after this much more).
// Returns {verdict, ms, mode, probe, ticket, sleep}: verdict 0 = go now (probe 1: a start slot was
// taken, give it back in observe), 1 = paused or no start slot: wait ms and ask again (keep the
// ticket), 2 = a ticket was issued or is still queued: due in ms; ask again with it after `sleep`
// ms (sooner is fine; later than sleep + grace loses the place).
const redis::Script& acquire();

// KEYS: state[, leases]. ARGV: has_budget, limit, remaining, reset_ms (-1 unknown), hint_ms (Retry-After or
// reset for a refusal; -1 none), refused (0/1), start_inflight, state_ttl_ms, safety factor,
// was_probe (0/1), daily_pause_ms (-1 none), max_pause_ms, window kind (fixed|rolling),
// rolling_window_ms (0: unknown; else the rate is limit / window)[, lease_id: given back first
// when the leases key is given].
// Returns {pause_left_ms, 0, mode, raised}: raised 1 when the learned rate went up (queued tickets
// may go sooner: wake them).
const redis::Script& observe();

// KEYS: leases. ARGV: cap, lease_id, lease_ms. Returns {1, 0} taken or {0, ms until the earliest
// lease lapses}.
const redis::Script& take_lease();

}  // namespace calllog::ratelimit::lua
