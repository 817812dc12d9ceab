#!/usr/bin/env bash
# HTTP consent-check throughput on PostgreSQL: one node, then two nodes sharing the database
# (two wrk processes at once, one per node, each with half the connections; their requests/s
# are summed). Loopback only; ~2000 subjects and 4000 grants in a fresh schema, dropped on exit.
#
# NOTE: on a 2-core machine the two nodes, PostgreSQL and wrk all share the same two cores, so
# the 2-node/1-node ratio measures contention, not scale-out. Checks are answered from each
# node's in-memory index (no SQL per check), so the database is idle while wrk runs.
#
# Usage: Benchmarks/cluster-http.sh [duration=10s]
#   CAMEO_BIN=path   binary to run (default .build/release/cameo, built if missing)
#   SUBJECTS=n       subjects (default 2000; grants = 2 × subjects)
#   PORT=p           node A's port (B uses p+1; default 18180)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10s}; SUBJECTS=${SUBJECTS:-2000}; PORT=${PORT:-18180}; PORT_B=$((PORT + 1))
command -v wrk >/dev/null || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo; $SUDO apt-get install -y -q wrk >/dev/null; }
if [ -n "${CAMEO_BIN:-}" ]; then BIN=$CAMEO_BIN; else
  [ -x .build/release/cameo ] || swift build -c release -Xcxx -O2
  BIN=.build/release/cameo
fi
export CAMEO_POLICIES=${CAMEO_POLICIES:-$PWD/Policies}
PG=$(scripts/pg-server.sh start)
SCHEMA=bench_$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
DB="$PG?schema=$SCHEMA"
psql -X -q "$PG" -c "CREATE SCHEMA $SCHEMA"
T=$(mktemp -d); A=""; B=""
cleanup() {
  for p in $A $B; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  psql -X -q "$PG" -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $SCHEMA CASCADE" || true
  rm -rf "$T"
}
trap cleanup EXIT

serve() {  # serve NAME PORT: starts a node in the background, waits for /healthz
  "$BIN" serve --data-dir "$T" --database "$DB" --policies "$T/issuer/policies" --port "$2" --node-id "$1" --log-level error 2>>"$T/node-$1.log" &
  LAST=$!
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$2/healthz" >/dev/null && return; sleep 0.2; done
  kill "$LAST" 2>/dev/null || true; echo "node $1 did not start" >&2; cat "$T/node-$1.log" >&2; exit 1
}

"$BIN" keys init --data-dir "$T" >/dev/null
TOKEN=$("$BIN" api-key create --data-dir "$T" --database "$DB" --role service --name bench --json | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
# owners enroll by a local TEST issuer's attestation (the path the default policy accepts) and sign their grants
"$BIN" issuer init --out "$T/issuer" >/dev/null
serve A "$PORT"; A=$LAST
python3 Benchmarks/populate.py "$PORT" "$TOKEN" "$SUBJECTS" "$T" "$BIN" "$T/issuer"

cat > "$T/check.lua" <<EOF2
dofile("$T/reqs.lua")
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Content-Type"] = "application/json"
local i = 0
request = function() i = i + 1; return wrk.format(nil, "/v1/consent/check", nil, bodies[(i % #bodies) + 1]) end
EOF2

# Both nodes must give the same decisions (B catches up from the same tables); run after B starts.
agree() {
  python3 - "$TOKEN" "$T/reqs.json" "$@" <<'PY'
import json, sys, urllib.request
token, reqs, ports = sys.argv[1], json.load(open(sys.argv[2]))[:200], sys.argv[3:]
def check(port, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/consent/check", data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["decision"]
answers = {p: [check(p, r) for r in reqs] for p in ports}
first = answers[ports[0]]
print(f"sanity: {len(reqs)} checks on port(s) {', '.join(ports)}: {first.count('allow')} allow / {first.count('deny')} deny"
      + ("" if len(ports) == 1 else ", identical on every node" if all(a == first for a in answers.values()) else ", NODES DISAGREE"))
sys.exit(0 if all(a == first for a in answers.values()) and "allow" in first else 1)
PY
}
agree "$PORT"

echo "binary: $BIN; database: PostgreSQL schema $SCHEMA; $SUBJECTS subjects, $((SUBJECTS * 2)) grants; $(nproc) cores"
echo "== (a) 1 node: wrk -t2 -c64 -d$DURATION =="
wrk -t2 -c64 -d"$DURATION" --latency -s "$T/check.lua" "http://127.0.0.1:$PORT" > "$T/one.txt"
grep -E "Requests/sec|99%|Non-2xx" "$T/one.txt"

serve B "$PORT_B"; B=$LAST
agree "$PORT" "$PORT_B"
echo "== (b) 2 nodes: two wrk -t1 -c32 -d$DURATION at once, one per node =="
wrk -t1 -c32 -d"$DURATION" --latency -s "$T/check.lua" "http://127.0.0.1:$PORT" > "$T/a.txt" & WA=$!
wrk -t1 -c32 -d"$DURATION" --latency -s "$T/check.lua" "http://127.0.0.1:$PORT_B" > "$T/b.txt" & WB=$!
wait $WA $WB
for n in a b; do echo "node ${n^^}:"; grep -E "Requests/sec|99%|Non-2xx" "$T/$n.txt"; done

python3 - "$T/one.txt" "$T/a.txt" "$T/b.txt" <<'PY'
import re, sys
def parse(path):
    text = open(path).read()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    value, unit = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    return rate, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], int(non2xx.group(1)) if non2xx else 0
(one, p99_one, bad_one), (a, p99_a, bad_a), (b, p99_b, bad_b) = map(parse, sys.argv[1:])
print(f"1 node : {one:.0f} checks/s, p99 {p99_one:.2f} ms")
print(f"2 nodes: {a + b:.0f} checks/s (A {a:.0f} + B {b:.0f}), p99 A {p99_a:.2f} ms / B {p99_b:.2f} ms")
print(f"ratio 2-node/1-node: {(a + b) / one:.2f}x (same cores: contention, not scale-out)")
if bad_one or bad_a or bad_b:
    print(f"non-2xx answers: 1 node {bad_one}, 2 nodes A {bad_a} / B {bad_b}"); sys.exit(1)
PY
