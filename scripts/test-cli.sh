#!/usr/bin/env bash
# End-to-end test of the auditor CLI contract with the real binary: keys, API keys, export,
# offline verify (ours, openssl by hand, and an independent Python verifier), tampering,
# and bad input. Fails on the first unexpected result. With CAMEO_DATABASE set (a PostgreSQL
# URL, e.g. from `scripts/pg-server.sh schema cli`), every verb runs against PostgreSQL.
set -euo pipefail
BIN=${1:-.build/debug/cameo}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
D="$T/data"; pass=0
ok()   { pass=$((pass+1)); }
die()  { echo "FAIL: $*" >&2; exit 1; }
expect_fail() { local code=$1; shift; set +e; "$@" >"$T/out" 2>&1; local rc=$?; set -e
  [ "$rc" -ne 0 ] || die "expected failure: $*"; grep -q "$code" "$T/out" || die "expected '$code' from: $* (got: $(cat "$T/out"))"; ok; }

# bad usage and missing data
expect_fail "Unexpected argument\|unknown\|Usage" "$BIN" frobnicate
expect_fail "Unknown option" "$BIN" ledger export --out x --bogus
expect_fail "data_dir_missing" "$BIN" ledger checkpoint --data-dir "$T/nope"
for v in serve keys api-key ledger bench "ledger export" "ledger verify" "api-key create"; do "$BIN" $v --help >/dev/null || die "--help for $v"; ok; done

"$BIN" keys init --data-dir "$D" | grep -q "ledger.pub.pem" || die "keys init"; ok
[ "$(stat -c %a "$D/keys/ledger.pem")" = 600 ] || die "private key mode"; ok
"$BIN" keys init --data-dir "$D" --json | grep -q '"created":false' || die "keys init idempotent"; ok
for r in admin auditor service; do "$BIN" api-key create --data-dir "$D" --role $r --name "cli $r" --json > "$T/$r.json"; done
expect_fail "invalid_role" "$BIN" api-key create --data-dir "$D" --role king --name x
id=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["id"])' "$T/service.json")
"$BIN" api-key revoke --data-dir "$D" "$id" --json | grep -q '"ledger_index":3' || die "revoke"; ok
expect_fail "api_key_already_revoked" "$BIN" api-key revoke --data-dir "$D" "$id"
secret=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["token"].split(".")[1])' "$T/admin.json")
if [ -n "${CAMEO_DATABASE:-}" ]; then
  ! psql "${CAMEO_DATABASE%%\?*}" -tAc "SET search_path TO $(sed 's/.*schema=\([a-z0-9_]*\).*/\1/' <<<"$CAMEO_DATABASE"); SELECT * FROM api_keys" | grep -q "$secret" || die "secret stored in plaintext"; ok
else
  ! grep -q "$secret" "$D/cameo.sqlite" || die "secret stored in plaintext"; ok
fi

"$BIN" ledger export --data-dir "$D" --out "$T/b" --json | grep -q '"size":4' || die "export"; ok
for f in entries.jsonl checkpoint public.pem README.txt; do [ -s "$T/b/$f" ] || die "bundle lacks $f"; ok; done
"$BIN" ledger verify "$T/b" | grep -q "^OK: 4 entries" || die "verify"; ok
python3 scripts/verify_bundle.py "$T/b" >/dev/null || die "independent verifier rejects export"; ok
expect_fail "export_exists" "$BIN" ledger export --data-dir "$D" --out "$T/b"
"$BIN" ledger export --data-dir "$D" --out "$T/b2" --size 2 >/dev/null && "$BIN" ledger verify "$T/b2" | grep -q "^OK: 2 entries" || die "export --size"; ok
( cd "$T/b" && head -n 3 checkpoint > body && tail -n 1 checkpoint | cut -d' ' -f3 | base64 -d | tail -c 64 > sig \
  && openssl pkeyutl -verify -pubin -inkey public.pem -rawin -in body -sigfile sig >/dev/null ) || die "openssl by hand (README)"; ok
rm -f "$T/b/body" "$T/b/sig"

"$BIN" ledger prove --data-dir "$D" --index 1 --size 4 --json > "$T/proof.json"
"$BIN" ledger consistency --data-dir "$D" --from 2 --to 4 --json > "$T/cons.json"
python3 scripts/verify_bundle.py "$T/b" --proof "$T/proof.json" --consistency "$T/cons.json" >/dev/null || die "proofs rejected by independent verifier"; ok
"$BIN" ledger checkpoint --data-dir "$D" | head -n 1 | grep -q "cameoguard.local/ledger" || die "checkpoint"; ok

# flipping any byte of checkpoint, and bytes across entries.jsonl, makes verify fail
flip() { python3 - "$1" "$2" <<'PY'
import sys; p, i = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, "rb").read()); b[i] ^= 1; open(p, "wb").write(b)
PY
}
n=$(stat -c %s "$T/b/checkpoint")
for ((i=0; i<n; i++)); do cp -r "$T/b" "$T/t"; flip "$T/t/checkpoint" $i
  if "$BIN" ledger verify "$T/t" >/dev/null 2>&1; then die "checkpoint byte $i flipped still verifies"; fi; rm -rf "$T/t"; done; ok
n=$(stat -c %s "$T/b/entries.jsonl")
for ((i=0; i<n; i+=7)); do cp -r "$T/b" "$T/t"; flip "$T/t/entries.jsonl" $i
  if "$BIN" ledger verify "$T/t" >/dev/null 2>&1; then die "entries byte $i flipped still verifies"; fi; rm -rf "$T/t"; done; ok
cp -r "$T/b" "$T/t"; head -n 3 "$T/b/entries.jsonl" > "$T/t/entries.jsonl"
expect_fail "size_mismatch" "$BIN" ledger verify "$T/t"; rm -rf "$T/t"
cp -r "$T/b" "$T/t"; rm "$T/t/checkpoint"; expect_fail "bundle_incomplete" "$BIN" ledger verify "$T/t"; rm -rf "$T/t"
"$BIN" keys init --data-dir "$T/other" >/dev/null
expect_fail "unknown_signer" "$BIN" ledger verify "$T/b" --public-key "$T/other/keys/ledger.pub.pem"
set +e; "$BIN" ledger verify "$T/b" --public-key "$T/other/keys/ledger.pub.pem" >/dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 1 ] || die "verification failure must exit 1, got $rc"; ok

# face matcher verbs on the fixtures (real models)
"$BIN" face compare fixtures/faces/obama/1.jpg fixtures/faces/obama/2.jpg --json | grep -q '"same_person":true' || die "face compare same"; ok
"$BIN" face compare fixtures/faces/obama/1.jpg fixtures/faces/biden/1.jpg --json | grep -q '"same_person":false' || die "face compare different"; ok
"$BIN" face eval --pairs fixtures/pairs.csv --json | python3 -c 'import json,sys; m=json.load(sys.stdin); assert m["pairs"]==9 and m["accuracy"]==1 and m["roc_auc"]==1, m' || die "face eval"; ok
[ "$("$BIN" face embed fixtures/groups/two_people.jpg --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["faces"]))')" = 2 ] || die "face embed group"; ok
expect_fail "image_unsupported" "$BIN" face embed fixtures/pairs.csv
for v in likeness face "face eval" "likeness verify" grant check receipt; do "$BIN" $v --help >/dev/null || die "--help for $v"; ok; done

# end to end against a running server: enroll a likeness by a (local TEST) vendor attestation with an
# owner device key, owner-signed grants and revocation, generate, verify provenance
for v in owner "owner keygen" "owner sign" issuer "issuer init" "issuer attest" "grant create" "grant revoke" "likeness erase"; do "$BIN" $v --help >/dev/null || die "--help for $v"; ok; done
"$BIN" issuer init --out "$T/issuer" --json | grep -q '"policies"' || die "issuer init"; ok
"$BIN" owner keygen --out "$T/owner" --json > "$T/ownerkey.json" || die "owner keygen"; ok
[ "$(stat -c %a "$T/owner.pem")" = 600 ] || die "owner key mode"; ok
expect_fail "file_exists" "$BIN" owner keygen --out "$T/owner"
PORT=$((20000 + RANDOM % 20000)); S="http://127.0.0.1:$PORT"
SVC=$("$BIN" api-key create --data-dir "$D" --role service --name e2e --json | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
"$BIN" serve --data-dir "$D" --policies "$T/issuer/policies" --port $PORT --log-level warning & SRV=$!
trap 'kill $SRV 2>/dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 100); do curl -sf "$S/healthz" >/dev/null && break; sleep 0.1; done
api() { curl -sf -X "$1" -H "Authorization: Bearer $SVC" -H 'Content-Type: application/json' ${3:+--data "$3"} "$S$2"; }
status() { curl -s -o /dev/null -w '%{http_code}' -X "$1" -H "Authorization: Bearer $SVC" -H 'Content-Type: application/json' ${3:+--data "$3"} "$S$2"; }
api POST /v1/subjects '{"id":"sub_owner","handle":"owner"}' >/dev/null && api POST /v1/subjects '{"id":"sub_fan","handle":"fan"}' >/dev/null || die "subjects"; ok
export CAMEO_SERVER=$S CAMEO_API_KEY=$SVC
challenge() { "$BIN" likeness enroll sub_owner --json > "$T/ch.json" || die "likeness enroll"
  read -r CID NONCE < <(python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));print(d["challenge_id"], d["nonce"])' "$T/ch.json"); }
# still photos in the asked pose order no longer enroll a face
challenge; ok
ffmpeg -v error -y -i fixtures/faces/obama/2.jpg -vf hflip "$T/left.png"
frames=(); for pose in $(python3 -c 'import json,sys;print(" ".join(json.load(open(sys.argv[1]))["poses"]))' "$T/ch.json"); do
  case $pose in left) frames+=(--frame "$T/left.png");; right) frames+=(--frame fixtures/faces/obama/2.jpg);; *) frames+=(--frame fixtures/faces/obama/1.jpg);; esac; done
expect_fail "enrollment_method_disabled" "$BIN" likeness verify sub_owner --challenge "$CID" --nonce "$NONCE" "${frames[@]}"
challenge
"$BIN" issuer attest --issuer "$T/issuer" --subject sub_owner --nonce "$NONCE" --selfie fixtures/faces/obama/1.jpg > "$T/att.jws" || die "issuer attest"; ok
"$BIN" likeness verify sub_owner --challenge "$CID" --nonce "$NONCE" --attestation "@$T/att.jws" --selfie fixtures/faces/obama/1.jpg \
  --owner-key "$T/owner.pub.pem" | grep -q "verified by attestation" || die "likeness verify by attestation"; ok
expect_fail "challenge_used" "$BIN" likeness verify sub_owner --challenge "$CID" --nonce "$NONCE" --attestation "@$T/att.jws" --selfie fixtures/faces/obama/1.jpg
# the platform's key alone cannot mint consent; the owner's signature can
[ "$(status POST /v1/grants '{"owner":"sub_owner","audience":{"kind":"everyone"},"uses":["generate"]}')" = 401 ] || die "unsigned grant accepted"; ok
"$BIN" grant create --owner sub_owner --key "$T/owner.pem" --audience everyone --use generate --json | grep -q '"ledger_index"' || die "grant create (signed)"; ok
echo '{"owner":"sub_owner","audience":{"kind":"mutuals"},"uses":["remix"]}' > "$T/body.json"
"$BIN" owner sign --key "$T/owner.pem" --subject sub_owner --action grant.create "$T/body.json" > "$T/signed.json" || die "owner sign"; ok
G2=$(api POST /v1/grants "$(cat "$T/signed.json")" | python3 -c 'import json,sys;print(json.load(sys.stdin)["grant"]["id"])') || die "signed body from owner sign"; ok
[ "$(status POST /v1/grants "$(cat "$T/signed.json")")" = 401 ] || die "replayed signed body accepted"; ok
[ "$(status DELETE "/v1/grants/$G2")" = 401 ] || die "unsigned revocation accepted"; ok
"$BIN" grant revoke "$G2" --owner sub_owner --key "$T/owner.pem" | grep -q "^revoked" || die "grant revoke (signed)"; ok
"$BIN" check --requester sub_fan --cameo sub_owner --receipt "$T/receipt.json" | grep -q "^allow" || die "check allow"; ok
"$BIN" receipt verify "$T/receipt.json" --data-dir "$D" | grep -q "^OK" || die "receipt verify"; ok
"$BIN" generate --requester sub_fan --cameo sub_owner --prompt "a sunny walk by the sea" --seed 3 --out "$T/clip.mp4" --json > "$T/gen.json" 2>/dev/null || die "generate"
grep -q '"status":"released"' "$T/gen.json" || die "generation not released: $(cat "$T/gen.json")"; ok
"$BIN" manifest verify "$T/clip.mp4" "$T/clip.mp4.manifest.json" --data-dir "$D" | grep -q "^OK" || die "manifest verify"; ok
flip "$T/clip.mp4" 5000
expect_fail "manifest_hash_mismatch" "$BIN" manifest verify "$T/clip.mp4" "$T/clip.mp4.manifest.json" --data-dir "$D"
"$BIN" generation list --appearances sub_owner --json | grep -q released || die "appearances"; ok
# moderator queue from the CLI
GEN=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["id"])' "$T/gen.json")
MOD=$("$BIN" api-key create --data-dir "$D" --role moderator --name mod --json | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
api POST /v1/reports '{"type":"copyright","client_report_id":"c1","generation_id":"'"$GEN"'","notice":{"complainant_name":"A","complainant_contact":"a@x","signature":"/s/A","copyrighted_work":"W","infringing_material":"'"$GEN"'","good_faith_statement":true,"accuracy_statement":true,"authority_to_act":true}}' > "$T/case.json" || die "report"; ok
CASE=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["id"])' "$T/case.json")
CAMEO_API_KEY=$MOD "$BIN" queue list | grep -q "$CASE" || die "queue list table"; ok
CAMEO_API_KEY=$MOD "$BIN" queue show "$CASE" --sheet "$T/sheet.png" | grep -q "contact sheet" || die "queue show --sheet"; ok
[ "$(head -c 4 "$T/sheet.png" | od -An -tx1 | tr -d ' ')" = "89504e47" ] || die "sheet is not a PNG"; ok
expect_fail "not_your_claim" env CAMEO_API_KEY=$MOD "$BIN" queue decide "$CASE" remove --ground copyright_infringement --reason "reproduces the work"
CAMEO_API_KEY=$MOD "$BIN" queue next --json | grep -q "\"id\":\"$CASE\"" || die "queue next"; ok
CAMEO_API_KEY=$MOD "$BIN" queue decide "$CASE" remove --ground copyright_infringement --reason "reproduces the work" | grep -q "decided" || die "queue decide"; ok
CAMEO_API_KEY=$MOD "$BIN" queue list --all --json | grep -q '"status":"decided"' || die "queue list --all"; ok
expect_fail "forbidden" env CAMEO_API_KEY=$MOD "$BIN" check --requester sub_fan --cameo sub_owner
# a second enrollment of the same face opens a dispute, which a senior moderator decides from the CLI
SEN=$("$BIN" api-key create --data-dir "$D" --role senior --name senior --json | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
api POST /v1/subjects '{"id":"sub_twin","handle":"twin"}' >/dev/null || die "subject twin"; ok
"$BIN" likeness enroll sub_twin --json > "$T/ch2.json" || die "likeness enroll twin"
read -r CID2 NONCE2 < <(python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));print(d["challenge_id"], d["nonce"])' "$T/ch2.json")
"$BIN" issuer attest --issuer "$T/issuer" --subject sub_twin --nonce "$NONCE2" --selfie fixtures/faces/obama/3-720p.jpg > "$T/att2.jws" || die "issuer attest twin"
"$BIN" likeness verify sub_twin --challenge "$CID2" --nonce "$NONCE2" --attestation "@$T/att2.jws" --selfie fixtures/faces/obama/3-720p.jpg --json > "$T/v2.json" || die "verify twin"
DSP=$(python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));assert d["status"]=="disputed";print(d["dispute_id"])' "$T/v2.json") || die "second enrollment not disputed"; ok
"$BIN" check --requester sub_fan --cameo sub_owner --json | grep -q likeness_disputed || die "a disputed likeness was usable"; ok
CAMEO_API_KEY=$MOD "$BIN" queue disputes | grep -q "$DSP" || die "queue disputes"; ok
CAMEO_API_KEY=$MOD "$BIN" queue dispute show "$DSP" --sheet "$T/dsp.png" | grep -q "contact sheet" || die "queue dispute show --sheet"; ok
[ "$(head -c 4 "$T/dsp.png" | od -An -tx1 | tr -d ' ')" = "89504e47" ] || die "dispute sheet is not a PNG"; ok
expect_fail "forbidden" env CAMEO_API_KEY=$MOD "$BIN" queue dispute decide "$DSP" keep_earlier --reason "the earlier enrollment is the person"
CAMEO_API_KEY=$SEN "$BIN" queue dispute decide "$DSP" keep_earlier --reason "the earlier enrollment is the person" | grep -q "decided" || die "queue dispute decide"; ok
"$BIN" check --requester sub_fan --cameo sub_owner | grep -q "^allow" || die "check allow after the dispute"; ok
CAMEO_API_KEY=$SEN "$BIN" likeness protect sub_owner --category public_figure --reason "a public figure, widely photographed" | grep -q "^protected" || die "likeness protect"; ok
"$BIN" likeness show sub_owner --json | grep -q '"protected":"public_figure"' || die "protection not shown"; ok
for v in "queue disputes" "queue dispute show" "queue dispute decide" "likeness protect" "likeness unprotect" "face liveness"; do "$BIN" $v --help >/dev/null || die "--help for $v"; ok; done
for v in queue "queue list" "queue next" "queue show" "queue claim" "queue release" "queue decide" "queue escalate" generate "generation remove" "manifest verify"; do "$BIN" $v --help >/dev/null || die "--help for $v"; ok; done
kill $SRV; wait $SRV 2>/dev/null || true
"$BIN" ledger export --data-dir "$D" --out "$T/final" --statements >/dev/null 2>&1 && "$BIN" ledger verify "$T/final" > "$T/final.txt" || die "final ledger verify"
for t in "generation.released: 1" "case.decided: 1" "likeness.verified: 2" "likeness.dispute_decided: 1" "likeness.protected: 1" "grant.created: 2" "3 of 3 consent writes owner-signed, all valid"; do grep -q "$t" "$T/final.txt" || die "final ledger lacks $t"; ok; done
python3 scripts/verify_bundle.py "$T/final" | grep -q "3 of 3 consent writes owner-signed, all valid" || die "independent verifier: owner signatures"; ok
# a statement altered by one byte fails both verifiers
cp -r "$T/final" "$T/t"; python3 - "$T/t/statements.jsonl" <<'PY'
import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); i = b.index(b'"action') + 12; b[i] ^= 1; open(p, "wb").write(b)
PY
expect_fail "statement_hash_mismatch" "$BIN" ledger verify "$T/t"
if python3 scripts/verify_bundle.py "$T/t" >/dev/null 2>&1; then die "independent verifier accepts an altered statement"; fi; ok; rm -rf "$T/t"

# operations: migrations and an online backup that still verifies
"$BIN" db migrate --data-dir "$D" --json | grep -q v8_video_liveness || die "db migrate"; ok
if [ -n "${CAMEO_DATABASE:-}" ]; then
  expect_fail "pg_dump" "$BIN" backup --data-dir "$D" --out "$T/backup.sqlite"
else
  "$BIN" backup --data-dir "$D" --out "$T/backup.sqlite" --json | grep -q ledger_size || die "backup"; ok
  expect_fail "backup_exists" "$BIN" backup --data-dir "$D" --out "$T/backup.sqlite"
fi

echo "test-cli: $pass checks passed"
