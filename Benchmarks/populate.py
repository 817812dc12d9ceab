#!/usr/bin/env python3
"""Populates a running node for the HTTP check benchmarks: N subjects, 2N grants (random
audiences and uses, distinct preferences so none is a refused duplicate), and 1,000 random
check requests written to OUT/reqs.json and OUT/reqs.lua (a `bodies` table for wrk).
Usage: populate.py PORT TOKEN SUBJECTS OUT"""
import json, random, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor

port, token, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def call(method, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))

ids = [f"sub_{i}" for i in range(n)]
for i in range(0, n, 1000):
    call("POST", "/v1/subjects:batch", {"items": [{"id": s, "handle": s} for s in ids[i:i+1000]]})
rnd = random.Random(1)

def grant(owner):
    aud = rnd.choice([{"kind": "everyone"}, {"kind": "mutuals"}, {"kind": "approved", "subjects": [rnd.choice(ids)]}])
    if aud.get("subjects") == [owner]: aud = {"kind": "everyone"}
    call("POST", "/v1/grants", {"owner": owner, "audience": aud, "uses": [rnd.choice(["generate", "remix"])], "preferences": f"p{rnd.random()}"})

with ThreadPoolExecutor(16) as ex: list(ex.map(grant, ids + ids))
reqs = [{"requester": rnd.choice(ids), "cameos": [rnd.choice(ids)], "use": "generate", "audience": {"kind": "only_me"}} for _ in range(1000)]
json.dump(reqs, open(out + "/reqs.json", "w"))
open(out + "/reqs.lua", "w").write("bodies = {" + ",".join("[[" + json.dumps(r) + "]]" for r in reqs) + "}\n")
