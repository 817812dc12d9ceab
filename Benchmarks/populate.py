#!/usr/bin/env python3
"""Populates a running node for the HTTP check benchmarks: N subjects; the owners (one per
distinct fixture face, scripts/owners.FACES) enroll by TEST-issuer attestation with device keys;
2N owner-signed grants (random audiences and uses, distinct preferences so none is a refused
duplicate); and 1,000 random check requests (a random requester, an enrolled owner's cameo)
written to OUT/reqs.json and OUT/reqs.lua (a `bodies` table for wrk). The node must run with the
issuer's policies (cameo issuer init). Only as many owners as there are distinct faces can be
enrolled honestly, so the grants are spread over those owners.
Usage: populate.py PORT TOKEN SUBJECTS OUT CAMEO_BIN ISSUER_DIR"""
import json, os, random, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import owners

port, token, n, out, binary, issuer = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
base = f"http://127.0.0.1:{port}"

def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))

ids = [f"sub_{i}" for i in range(n)]
for i in range(0, n, 1000):
    call("POST", "/v1/subjects:batch", {"items": [{"id": s, "handle": s} for s in ids[i:i+1000]]})
devices = [owners.enroll(base, token, binary, issuer, s, face) for s, face in zip(ids, owners.FACES)]
rnd = random.Random(1)

def grant(i):
    d = devices[i % len(devices)]
    aud = rnd.choice([{"kind": "everyone"}, {"kind": "mutuals"}, {"kind": "approved", "subjects": [rnd.choice(ids[len(devices):])]}])
    call("POST", "/v1/grants", d.grant(aud, uses=[rnd.choice(["generate", "remix"])], preferences=f"p{i}-{rnd.random()}"))

with ThreadPoolExecutor(16) as ex: list(ex.map(grant, range(2 * n)))
reqs = [{"requester": rnd.choice(ids), "cameos": [rnd.choice(devices).subject], "use": "generate", "audience": {"kind": "only_me"}} for _ in range(1000)]
json.dump(reqs, open(out + "/reqs.json", "w"))
open(out + "/reqs.lua", "w").write("bodies = {" + ",".join("[[" + json.dumps(r) + "]]" for r in reqs) + "}\n")
