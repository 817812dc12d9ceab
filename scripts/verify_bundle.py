#!/usr/bin/env python3
"""Independent verifier of a CameoGuard ledger export (RFC 9162 + C2SP signed note).

Written apart from the Swift code, from the specs only, so the CLI test can check that an
export verifies with a second implementation. Usage:
  verify_bundle.py BUNDLE_DIR [--proof proof.json] [--consistency cons.json --old-checkpoint FILE]
Exit 0 if valid, 1 with a reason if not. Needs: Python 3, `cryptography` (Ed25519).
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

if __name__ == "__main__":
    main(sys.argv)
