#!/usr/bin/env bash
# Bounded API fuzzing with schemathesis (PyPI) against the served /openapi.json, once per role:
# no 5xx, and every status documented. Usage: scripts/fuzz-api.sh [cameo-binary] [examples-per-operation]
# With CAMEO_DATABASE set (a PostgreSQL URL), the server and every verb run on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/debug/cameo}; N=${2:-10}
command -v schemathesis >/dev/null || python3 -m pip install -q schemathesis >/dev/null
T=$(mktemp -d); PORT=$((20000 + RANDOM % 20000))
"$BIN" keys init --data-dir "$T" >/dev/null
"$BIN" serve --data-dir "$T" --port $PORT --log-level error & SRV=$!
trap 'kill $SRV 2>/dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
fail=0
for role in service admin moderator senior auditor; do
  TOKEN=$("$BIN" api-key create --data-dir "$T" --role $role --name fuzz-$role --json | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
  if schemathesis run "http://127.0.0.1:$PORT/openapi.json" -H "Authorization: Bearer $TOKEN" --max-examples "$N" \
       --checks not_a_server_error,status_code_conformance --no-color > "$T/$role.log" 2>&1; then
    echo "fuzz $role: $(grep -Eo '[0-9]+ generated' "$T/$role.log" | head -1) cases, no failures"
  else
    echo "fuzz $role: FAILED"; fail=1
    if grep -q FAILURES "$T/$role.log"; then sed -n '/FAILURES/,/SUMMARY/p' "$T/$role.log" | head -40; else tail -40 "$T/$role.log"; fi
  fi
done
exit $fail
