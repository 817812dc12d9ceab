#!/usr/bin/env bash
# Consent checks while videos render on the same node: wrk -t1 -c8 on POST /v1/consent/check,
# idle and then while GENS generations run back to back (GENS workers), in one run; prints
# p50/p99 and throughput of both and the loaded/idle ratios.
# Usage: Benchmarks/interference.sh [gens=2] [duration=10s] [binary=.build/release/cameo]
set -euo pipefail
cd "$(dirname "$0")/.."
GENS=${1:-2}; DURATION=${2:-10s}; BIN=${3:-.build/release/cameo}; PORT=${PORT:-18090}
command -v wrk >/dev/null || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo; $SUDO apt-get install -y -q wrk >/dev/null; }
[ -x "$BIN" ] || swift build -c release -Xcxx -O2
T=$(mktemp -d); trap 'kill $SRV $LOAD 2>/dev/null || true; rm -rf "$T"' EXIT
SRV=""; LOAD=""
$BIN keys init --data-dir "$T" >/dev/null
TOKEN=$($BIN api-key create --data-dir "$T" --role service --name bench --json | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
$BIN issuer init --out "$T/issuer" >/dev/null
sed -i "s/^workers: .*/workers: $GENS/" "$T/issuer/policies/generation.yaml"
$BIN serve --data-dir "$T" --policies "$T/issuer/policies" --port "$PORT" --log-level warning & SRV=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
python3 Benchmarks/populate.py "$PORT" "$TOKEN" 1000 "$T" "$BIN" "$T/issuer"
cat > "$T/check.lua" <<EOF2
dofile("$T/reqs.lua")
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Content-Type"] = "application/json"
local i = 0
request = function() i = i + 1; return wrk.format(nil, "/v1/consent/check", nil, bodies[(i % #bodies) + 1]) end
EOF2
run_wrk() { wrk -t1 -c8 -d"$DURATION" --latency -s "$T/check.lua" "http://127.0.0.1:$PORT" > "$1"; }
run_wrk "$T/idle.txt"
# Keep GENS generations in flight (sub_0's own cameo: no grant needed) for the whole second run.
python3 - "$PORT" "$TOKEN" "$GENS" "$T/gens.txt" <<'PY' & LOAD=$!
import json, sys, threading, time, urllib.request
port, token, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def call(method, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
done = []
def loop(k):
    seed = k * 1000
    while True:
        seed += 1
        g = call("POST", "/v1/generations", {"requester": "sub_0", "cameos": ["sub_0"], "prompt": "a walk by the sea at dusk",
                                             "use": "generate", "audience": {"kind": "only_me"}, "seed": seed})
        while call("GET", f"/v1/generations/{g['id']}")["status"] in ("queued", "generating", "checking"):
            time.sleep(0.2)
        done.append(g["id"])
        open(out, "w").write(str(len(done)))
for k in range(n):
    threading.Thread(target=loop, args=(k,), daemon=True).start()
while True: time.sleep(1)
PY
sleep 3  # let the renders start
run_wrk "$T/loaded.txt"
kill $LOAD 2>/dev/null || true
python3 - "$T/idle.txt" "$T/loaded.txt" "$T/gens.txt" "$GENS" <<'PY'
import re, sys
def stats(path):
    t = open(path).read()
    unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}
    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", t)
        return float(m.group(1)) * unit[m.group(2)]
    return float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)), pct(50), pct(99)
(ri, i50, i99), (rl, l50, l99) = stats(sys.argv[1]), stats(sys.argv[2])
import os
gens = open(sys.argv[3]).read().strip() if os.path.exists(sys.argv[3]) else "0"
print(f"idle:   {ri:8.0f} checks/s  p50 {i50:7.2f} ms  p99 {i99:7.2f} ms")
print(f"loaded: {rl:8.0f} checks/s  p50 {l50:7.2f} ms  p99 {l99:7.2f} ms  ({sys.argv[4]} workers rendering; {gens} clips finished)")
print(f"loaded/idle: p99 x{l99 / i99:.2f}, throughput x{rl / ri:.2f}")
PY
