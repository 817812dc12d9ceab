#!/usr/bin/env bash
# HTTP consent-check throughput on loopback with wrk (bounded: 10 s per run), next to the
# server's cheapest route (/healthz) measured in the same run as the peer.
# Usage: Benchmarks/consent-http.sh [subjects=5000] [duration=10s]
set -euo pipefail
cd "$(dirname "$0")/.."
SUBJECTS=${1:-5000}; DURATION=${2:-10s}; PORT=${PORT:-18080}
command -v wrk >/dev/null || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo; $SUDO apt-get install -y -q wrk >/dev/null; }
[ -x .build/release/cameo ] || swift build -c release -Xcxx -O2
BIN=.build/release/cameo
T=$(mktemp -d); trap 'kill $SRV 2>/dev/null || true; rm -rf "$T"' EXIT
$BIN keys init --data-dir "$T" >/dev/null
TOKEN=$($BIN api-key create --data-dir "$T" --role service --name bench --json | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
# owners enroll by a local TEST issuer's attestation (the path the default policy accepts) and sign their grants
$BIN issuer init --out "$T/issuer" >/dev/null
$BIN serve --data-dir "$T" --policies "$T/issuer/policies" --port "$PORT" --log-level warning & SRV=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
python3 Benchmarks/populate.py "$PORT" "$TOKEN" "$SUBJECTS" "$T" "$BIN" "$T/issuer"
cat > "$T/check.lua" <<EOF2
dofile("$T/reqs.lua")
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Content-Type"] = "application/json"
local i = 0
request = function() i = i + 1; return wrk.format(nil, "/v1/consent/check", nil, bodies[(i % #bodies) + 1]) end
EOF2
curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data "$(python3 -c 'import json;print(json.dumps({"requester":"sub_1","cameos":["sub_2"],"use":"generate","audience":{"kind":"only_me"}}))')" "http://127.0.0.1:$PORT/v1/consent/check" >/dev/null || { echo "check failed"; exit 1; }
echo "== /healthz (peer) =="; wrk -t2 -c64 -d"$DURATION" --latency "http://127.0.0.1:$PORT/healthz" | tee "$T/h.txt" | grep -E "Requests/sec|99%"
echo "== /v1/consent/check ($SUBJECTS subjects, $((SUBJECTS*2)) grants) =="; wrk -t2 -c64 -d"$DURATION" --latency -s "$T/check.lua" "http://127.0.0.1:$PORT" | tee "$T/c.txt" | grep -E "Requests/sec|99%|Non-2xx"
python3 - "$T/h.txt" "$T/c.txt" <<'PY'
import re, sys
rate = lambda f: float(re.search(r"Requests/sec:\s+([\d.]+)", open(f).read()).group(1))
h, c = rate(sys.argv[1]), rate(sys.argv[2])
print(f"consent check throughput {c:.0f}/s = {c/h:.2f}x of /healthz ({h:.0f}/s) in the same run")
PY
