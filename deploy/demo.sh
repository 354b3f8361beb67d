#!/usr/bin/env bash
# The end-to-end demo: starts a private redis-server on a free loopback port, runs calllog-worker on
# the sandbox adapter (a local SQLite CRM), enqueues ../shared/spec/samples/sandbox-minimal.json plus
# a few generated sandbox events (one duplicate session, one invalid event), prints the replies,
# the dead letter and the rows now in the sandbox database, then stops everything by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CALLLOG_BIN:-build/calllog-worker}
SAMPLE=${CALLLOG_SAMPLE:-../shared/spec/samples/sandbox-minimal.json}
[ -x "$BIN" ] || { echo "demo: $BIN not built (run the README's first command)" >&2; exit 1; }

work=$(mktemp -d)
worker_pid=""
cleanup() {
  [ -n "$worker_pid" ] && kill -TERM "$worker_pid" 2>/dev/null && wait "$worker_pid" 2>/dev/null || true
  [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log"
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
export REDIS_URL="redis://127.0.0.1:$port/0"
echo "== redis-server on 127.0.0.1:$port"

"$BIN" run --http-listen off --sandbox-db "$work/sandbox.db" --concurrency 8 --worker-id demo-1 \
  2> "$work/worker.log" &
worker_pid=$!

# The sample, four generated events, the sample again (duplicate session) and one invalid event.
{
  cat "$SAMPLE" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))'
  for i in 1 2 3 4; do
    printf '{"id":"evt-demo-%s","platform":"sandbox","user":{"id":"u-1","hostname":"sandbox.local","timezoneOffset":"-05:00"},"contactInfo":{"id":"c-demo-%s","type":"Contact","phoneNumber":"+1555010000%s","name":"Demo Contact %s"},"authHeader":"Bearer demo","callLog":{"sessionId":"demo-%s","startTime":"2026-11-25T1%s:00:00.000Z","duration":%s,"direction":"Inbound","result":"Call connected","from":{"phoneNumber":"+1555010000%s"},"to":{"phoneNumber":"+15550009999"}},"note":"Demo call number %s"}\n' \
      "$i" "$i" "$i" "$i" "$i" "$i" "$((i * 47))" "$i" "$i"
  done
  cat "$SAMPLE" | python3 -c 'import json,sys; e=json.load(sys.stdin); e["id"]="evt-sbx-0001-again"; print(json.dumps(e))'
  echo '{"id":"evt-demo-bad","platform":"sandbox","user":{}}'
} > "$work/events.jsonl"
echo "== enqueue"
"$BIN" enqueue "$work/events.jsonl"

expected=$(wc -l < "$work/events.jsonl")
for _ in $(seq 300); do
  [ "$(redis-cli -p "$port" llen calllog:replies)" -ge "$expected" ] && break
  sleep 0.1
done
echo "== replies (calllog:replies, oldest first)"
redis-cli -p "$port" --raw lrange calllog:replies 0 -1 | tac
echo "== dead letters (calllog:dead)"
redis-cli -p "$port" --raw lrange calllog:dead 0 -1
echo "== stats"
"$BIN" stats
kill -TERM "$worker_pid"; wait "$worker_pid" || true; worker_pid=""
echo "== rows in the sandbox CRM ($work/sandbox.db)"
sqlite3 -header -column "$work/sandbox.db" \
  "SELECT l.id, l.session_id, c.name AS contact, l.subject, l.duration, replace(l.body, char(10), ' | ') AS body FROM call_logs l JOIN contacts c ON c.id = l.contact_id ORDER BY l.id"
echo "== worker log (last lines)"
tail -n 4 "$work/worker.log"
echo "== demo done"
