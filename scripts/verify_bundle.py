#!/usr/bin/env python3
"""Independent verifier of a CameoGuard ledger export (RFC 9162 + C2SP signed note).

Written apart from the Swift code, from the specs only, so the CLI test can check that an
export verifies with a second implementation. Usage:
  verify_bundle.py BUNDLE_DIR [--proof proof.json] [--consistency cons.json --old-checkpoint FILE]
Exit 0 if valid, 1 with a reason if not. Needs: Python 3, `cryptography` (Ed25519).

Owner signatures: every consent write (grant.created/revoked, likeness.erased, an appearance's
generation.removed, owner_key.added/removed) marked signed_by "owner" must name a key that an
earlier likeness.verified/owner_key.added entry registered for the right subject and that is
still active; with statements.jsonl, the statement must hash to statement_sha256, carry the
Ed25519 signature, and say what the entry did.
"""
import base64, hashlib, json, sys

def leaf(b): return hashlib.sha256(b"\x00" + b).digest()
def node(l, r): return hashlib.sha256(b"\x01" + l + r).digest()

def mth(leaves):
    if not leaves: return hashlib.sha256(b"").digest()
    if len(leaves) == 1: return leaves[0]
    k = 1
    while k * 2 < len(leaves): k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))

def verify_inclusion(index, size, lh, path, root):  # RFC 9162 2.1.3.2
    if index >= size: return False
    fn, sn, r = index, size - 1, lh
    for p in path:
        if sn == 0: return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0: fn >>= 1; sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1; sn >>= 1
    return sn == 0 and r == root

def verify_consistency(m, n, r1, r2, path):  # RFC 9162 2.1.4.2
    if m == n: return not path and r1 == r2
    if m == 0 or not path: return False
    if m & (m - 1) == 0: path = [r1] + path
    fn, sn = m - 1, n - 1
    while fn & 1: fn >>= 1; sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0: return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn != 0: fn >>= 1; sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1; sn >>= 1
    return fr == r1 and sr == r2 and sn == 0

def parse_checkpoint(text, pub_raw):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    body, _, sigs = text.rpartition("\n\n")
    body += "\n"
    origin, size, root = body.split("\n")[:3]
    key_id = hashlib.sha256(origin.encode() + b"\n\x01" + pub_raw).digest()[:4]
    for line in sigs.strip("\n").split("\n"):
        dash, name, b64 = line.split(" ")
        blob = base64.b64decode(b64, validate=True)
        if dash == "\u2014" and name == origin and blob[:4] == key_id:
            Ed25519PublicKey.from_public_bytes(pub_raw).verify(blob[4:], body.encode())
            return origin, int(size), base64.b64decode(root, validate=True)
    raise ValueError("no signature by the ledger key")

def fail(msg):
    print("INVALID:", msg); sys.exit(1)

ACTIONS = {"grant.created": "grant.create", "grant.revoked": "grant.revoke", "likeness.erased": "likeness.erase",
           "generation.removed": "generation.remove", "owner_key.added": "owner_key.add", "owner_key.removed": "owner_key.remove"}

def key_id(raw): return "ok_" + hashlib.sha256(raw).hexdigest()[:32]

def raw_key(text):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key, Encoding, PublicFormat
    if "-----BEGIN" in text:
        return load_pem_public_key(text.encode()).public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_" if ("-" in text or "_" in text) else None)

def audit_owner_signatures(entries, statements):
    """Returns (consent writes, owner-signed, platform); fails on the first bad one."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    keys, total, signed, platform = {}, 0, 0, 0
    def register(i, subject, k):
        if not k: return
        raw = base64.b64decode(k["public_key"], validate=True)
        if len(raw) != 32 or k["key_id"] != key_id(raw): fail(f"entry {i}: owner_key id does not match its key")
        keys[k["key_id"]] = {"subject": subject, "raw": raw, "active": True}
    for i, e in enumerate(entries):
        t, p = e["type"], e["payload"]
        if t in ACTIONS and (t != "generation.removed" or p.get("on_behalf_of") is not None):
            total += 1
            if p.get("signed_by") == "owner":
                signed += 1
                owner = p.get("owner") if t in ("grant.created", "grant.revoked") else p.get("on_behalf_of") if t == "generation.removed" else e["subject"]
                sig = p.get("owner_signature") or {}
                k = keys.get(sig.get("key_id"))
                if k is None: fail(f"entry {i}: owner key {sig.get('key_id')} not registered before")
                if not k["active"]: fail(f"entry {i}: owner key {sig.get('key_id')} was removed")
                if k["subject"] != owner: fail(f"entry {i}: owner key of {k['subject']} signs for {owner}")
                if statements is not None:
                    text = statements.get(i)
                    if text is None: fail(f"entry {i}: statement missing")
                    b = text.encode()
                    if hashlib.sha256(b).hexdigest() != p.get("statement_sha256"): fail(f"entry {i}: statement_hash_mismatch")
                    try: Ed25519PublicKey.from_public_bytes(k["raw"]).verify(base64.b64decode(sig["value"], validate=True), b)
                    except Exception: fail(f"entry {i}: owner signature invalid")
                    s = json.loads(b)
                    if json.dumps(s, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() != b or "owner_signature" in s:
                        fail(f"entry {i}: statement is not canonical or still holds owner_signature")
                    want = {"subject": owner, "action": ACTIONS[t]}
                    if t == "grant.revoked": want["grant_id"] = e["subject"]
                    if t == "generation.removed": want["generation_id"] = e["subject"]
                    if t == "owner_key.removed": want["key_id"] = p.get("key_id")
                    if t == "grant.created":
                        want["owner"] = owner
                        if sorted(s.get("uses", [])) != sorted(p["uses"]) or s.get("audience", {}).get("kind") != p["audience"]["kind"] \
                           or s.get("effect", "allow") != p["effect"]:
                            fail(f"entry {i}: signed grant terms differ from the recorded grant")
                    if t == "owner_key.added" and key_id(raw_key(s.get("public_key", ""))) != p["owner_key"]["key_id"]:
                        fail(f"entry {i}: signed public_key is not the added key")
                    for name, v in want.items():
                        if s.get(name) != v: fail(f"entry {i}: statement {name} is {s.get(name)!r}, not {v!r}")
            else:
                platform += 1
        if t in ("likeness.verified", "owner_key.added"): register(i, e["subject"], p.get("owner_key"))
        elif t == "owner_key.removed" and p.get("key_id") in keys: keys[p["key_id"]]["active"] = False
        elif t == "likeness.erased":
            for k in keys.values():
                if k["subject"] == e["subject"]: k["active"] = False
    return total, signed, platform

def main(argv):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key, Encoding, PublicFormat
    d = argv[1]
    pub = load_pem_public_key(open(d + "/public.pem", "rb").read())
    pub_raw = pub.public_bytes(Encoding.Raw, PublicFormat.Raw)
    try:
        origin, size, root = parse_checkpoint(open(d + "/checkpoint", encoding="utf-8").read(), pub_raw)
    except Exception as e:
        fail(f"checkpoint: {e!r}")
    lines = open(d + "/entries.jsonl", "rb").read().split(b"\n")
    if lines and lines[-1] == b"": lines.pop()
    if len(lines) != size: fail(f"{len(lines)} entries, checkpoint size {size}")
    for i, l in enumerate(lines):
        obj = json.loads(l)
        if json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() != l:
            fail(f"entry {i} is not canonical")
    leaves = [leaf(l) for l in lines]
    if mth(leaves) != root: fail("root mismatch")
    statements = None
    try:
        raw = open(d + "/statements.jsonl", "rb").read()
    except FileNotFoundError:
        raw = None
    if raw is not None:
        statements = {}
        for n, l in enumerate(raw.split(b"\n")):
            if not l: continue
            try:
                o = json.loads(l); i = o["ledger_index"]; text = o["statement"]
            except Exception:
                fail(f"statements.jsonl line {n + 1} is malformed")
            if not isinstance(i, int) or not 0 <= i < size or i in statements or not isinstance(text, str): fail(f"statements.jsonl line {n + 1}: bad index")
            statements[i] = text
    total, signed, platform = audit_owner_signatures([json.loads(l) for l in lines], statements)
    args = argv[2:]
    if "--proof" in args:
        p = json.load(open(args[args.index("--proof") + 1]))
        path = [base64.b64decode(h) for h in p["hashes"]]
        if base64.b64decode(p["leaf_hash"]) != leaves[p["index"]]: fail("proof leaf hash differs from entry")
        if not verify_inclusion(p["index"], p["size"], leaves[p["index"]], path, mth(leaves[:p["size"]])): fail("inclusion proof")
    if "--consistency" in args:
        c = json.load(open(args[args.index("--consistency") + 1]))
        path = [base64.b64decode(h) for h in c["hashes"]]
        if not verify_consistency(c["from"], c["to"], mth(leaves[:c["from"]]), mth(leaves[:c["to"]]), path): fail("consistency proof")
    print(f"VALID: {size} entries, origin {origin}")
    state = "all valid" if statements is not None else "signatures not checked (no statements.jsonl)"
    print(f"{signed} of {total} consent writes owner-signed, {state}" + (f"; {platform} by the platform" if platform else ""))

if __name__ == "__main__":
    main(sys.argv)
