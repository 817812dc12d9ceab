#!/usr/bin/env python3
"""Grant and revoke throughput over HTTP, owner-signed (the default policy) against the same
writes unsigned (`require_owner_signature: false`, the migration mode, as the peer), on two
nodes started in the same run with the same data. Owners enroll by TEST-issuer attestation, one
per distinct fixture face. The client pre-signs every body before the clock starts, so what is
timed is the server's work: parse, signature check, nonce, commit. Bounded: COUNT writes each.
Usage: consent-writes.py CAMEO_BIN [COUNT=2000] [THREADS=16]"""
import http.client, json, os, shutil, subprocess, sys, tempfile, threading, time, urllib.request
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import owners

binary = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 16
work = tempfile.mkdtemp(prefix="cameo-writes-")
servers = []


def node(name, port, signed):
    d = os.path.join(work, name)
    run = lambda *a: subprocess.run([binary, *a, "--data-dir", d], check=True, capture_output=True, text=True).stdout
    run("keys", "init")
    token = json.loads(run("api-key", "create", "--role", "service", "--name", "bench", "--json"))["token"]
    issuer, policies = owners.trusting_policies(binary, os.path.join(owners.ROOT, "Policies"), d)
    if not signed:
        path = os.path.join(policies, "consent.yaml")
        text = open(path).read()
        open(path, "w").write(text.replace("require_owner_signature: true", "require_owner_signature: false"))
    log = open(os.path.join(work, name + ".log"), "wb")
    p = subprocess.Popen([binary, "serve", "--data-dir", d, "--policies", policies, "--port", str(port), "--log-level", "error"],
                         stdout=subprocess.DEVNULL, stderr=log, env=dict(os.environ, CAMEO_MODELS_DIR=os.path.join(owners.ROOT, "models")))
    servers.append(p)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if p.poll() is not None: raise SystemExit(f"{name} node exited: " + open(log.name, errors="replace").read()[-2000:])
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1); break
        except Exception:
            time.sleep(0.05)
    subjects = [f"sub_{i}" for i in range(len(owners.FACES) + 50)]
    req = urllib.request.Request(base + "/v1/subjects:batch", method="POST", data=json.dumps({"items": [{"id": s, "handle": s} for s in subjects]}).encode(),
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
    devices = [owners.enroll(base, token, binary, issuer, s, f) for s, f in zip(subjects, owners.FACES)]
    return {"port": port, "token": token, "devices": devices, "friends": subjects[len(devices):], "signed": signed}


def blast(n, requests):
    """Sends `requests` [(method, path, body bytes)] from `threads` keep-alive connections; returns (seconds, responses)."""
    out, lock, it = [], threading.Lock(), iter(requests)

    def worker():
        c = http.client.HTTPConnection("127.0.0.1", n["port"])
        while True:
            with lock: item = next(it, None)
            if item is None: break
            m, path, body = item
            c.request(m, path, body=body, headers={"Authorization": "Bearer " + n["token"], "Content-Type": "application/json"})
            r = c.getresponse(); data = r.read()
            with lock: out.append((r.status, data))
        c.close()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    t = time.perf_counter()
    for x in ts: x.start()
    for x in ts: x.join()
    return time.perf_counter() - t, out


def measure(n):
    def body(i):
        d = n["devices"][i % len(n["devices"])]
        g = {"owner": d.subject, "audience": {"kind": "approved", "subjects": [n["friends"][i % len(n["friends"])]]}, "uses": ["generate"], "preferences": f"w{i}"}
        return json.dumps(d.grant(g["audience"], preferences=g["preferences"]) if n["signed"] else g).encode()
    creates = [("POST", "/v1/grants", body(i)) for i in range(count)]
    secs_c, answers = blast(n, creates)
    bad = [s for s, _ in answers if s != 201]
    ids = [(json.loads(d)["grant"]["id"], json.loads(d)["grant"]["owner"]) for s, d in answers if s == 201]
    by = {d.subject: d for d in n["devices"]}
    revokes = [("DELETE", f"/v1/grants/{gid}", json.dumps(by[o].revoke(gid)).encode() if n["signed"] else None) for gid, o in ids]
    secs_r, answers = blast(n, revokes)
    bad += [s for s, _ in answers if s != 200]
    return {"creates_per_s": round(count / secs_c), "revokes_per_s": round(len(revokes) / secs_r), "errors": len(bad)}


try:
    signed, peer = node("signed", 31000 + os.getpid() % 1000, True), node("unsigned", 32000 + os.getpid() % 1000, False)
    a, b = measure(peer), measure(signed)
    print(f"unsigned (migration mode, peer): {a['creates_per_s']} creates/s, {a['revokes_per_s']} revokes/s")
    print(f"owner-signed (default):          {b['creates_per_s']} creates/s, {b['revokes_per_s']} revokes/s")
    print(f"owner-signed / unsigned: creates {b['creates_per_s'] / a['creates_per_s']:.2f}x, revokes {b['revokes_per_s'] / a['revokes_per_s']:.2f}x "
          f"({count} writes each, {threads} connections, same run)")
    print(json.dumps({"count": count, "threads": threads, "unsigned": a, "signed": b}))
    sys.exit(1 if a["errors"] or b["errors"] else 0)
finally:
    for p in servers: p.kill(); p.wait()
    shutil.rmtree(work, ignore_errors=True)
