#!/usr/bin/env bash
# Starts the service on a demo data directory (./demo-data): creates the ledger key and an
# admin API key on first run (the token is saved to demo-data/admin.token, mode 0600).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CAMEO_BIN:-.build/release/cameo}
DATA=${CAMEO_DATA_DIR:-./demo-data}
PORT=${PORT:-8080}
"$BIN" keys init --data-dir "$DATA" >/dev/null
if [ ! -s "$DATA/admin.token" ]; then
  umask 077
  "$BIN" api-key create --data-dir "$DATA" --role admin --name "demo admin" --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' > "$DATA/admin.token"
fi
echo "admin token: $(cat "$DATA/admin.token")"
echo "try: curl -s -H \"Authorization: Bearer \$(cat $DATA/admin.token)\" http://127.0.0.1:$PORT/v1/ledger/checkpoint"
exec "$BIN" serve --data-dir "$DATA" --port "$PORT"
