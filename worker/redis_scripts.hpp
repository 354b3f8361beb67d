#pragma once
// The Lua scripts behind every multi-key change that must be atomic, and a helper that runs a
// script by SHA and falls back to EVAL once on NOSCRIPT.
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/redis/command.hpp"
#include "common/redis/redis_client.hpp"
#include "common/redis/script.hpp"

namespace calllog {
using redis::cmd;  // argv builder (common/redis/command.hpp)
}  // namespace calllog

namespace calllog::scripts {

using redis::Script;

inline boost::asio::awaitable<redis::Result<redis::Reply>> run(redis::RedisClient& client, const Script& s,
                                                                std::vector<std::string> keys,
                                                                std::vector<std::string> args) {
  return redis::run_script(client, s, std::move(keys), std::move(args));
}

// Finishes an event. Atomically: pushes the reply (and the dead letter, when given), records the
// session as logged (when a logId is given, with a TTL), releases the dedupe claim if this worker
// still holds it, and removes the element from the processing list. So an event leaves the
// processing list only together with its final reply — nothing lost, nothing replied twice.
// It also forgets the event's attempt counters.
// KEYS: reply queue, processing list, claim key, logged key, dead queue, attempts hash
// ARGV: reply, raw element, claim token, logId ("" = none), logged TTL seconds, dead letter ("" = none),
//       event id ("" = none)
const Script& finish_event();

// Puts an event on the retry schedule. Atomically: adds it to the retry sorted set (score = due
// time in ms; member = "<unique token>|<raw>" so identical elements stay distinct), records its
// attempt counter, releases the dedupe claim if still ours, and removes it from the processing
// list — the event is on exactly one of the two at any moment. Idempotent like finish_event.
// KEYS: retry zset, processing list, claim key, attempts hash
// ARGV: member, due ms, raw element, claim token, counter field, counter value
const Script& schedule_retry();

// Moves up to ARGV[2] retries due at ARGV[1] (ms) to the input queue's consuming end. Atomic per
// element (ZREM + RPUSH in one script): never lost, never doubled, whichever worker runs it.
// KEYS: retry zset, input queue. Returns {moved, next due ms or -1}.
const Script& move_due_retries();

// Returns a dead worker's processing list to the input queue, but only if its heartbeat key is
// still absent (checked inside the script, so a worker that came back is never robbed), and
// forgets the worker. KEYS: heartbeat key, processing list, input queue, workers set;
// ARGV: worker id. Returns the number moved, or -1 when the worker is alive.
const Script& recover_dead_worker();

// Moves every element of a processing list back to the input queue's consuming (right) end, oldest
// last so the oldest is taken first. Atomic: each element is in exactly one of the two lists.
// KEYS: processing list, input queue. Returns the number moved.
const Script& requeue_processing();

// Takes over a dedupe claim whose owner is dead: only if the claim still holds `expected` and the
// owner's heartbeat ("<incarnation>:<ms>") is absent or belongs to another incarnation of that
// worker id (a restart). Both checked inside the script. KEYS: claim key, owner's heartbeat key;
// ARGV: expected value, new token, TTL ms, the claim's incarnation. Returns 1 when taken over.
const Script& steal_dead_claim();

// Moves one element from the processing list back to the input queue's consuming end, if it is
// still there (an orphan: taken by a BLMOVE whose answer was lost). KEYS: processing list, input
// queue; ARGV: element. Returns 1 when moved.
const Script& requeue_orphan();

// Releases a dedupe claim only if it still holds our token. KEYS: claim key; ARGV: token.
const Script& release_claim();

}  // namespace calllog::scripts
