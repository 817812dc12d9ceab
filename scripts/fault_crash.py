#!/usr/bin/env python3
"""Crash test (kill -9) for a single node, on its SQLite file or (--database) PostgreSQL.

Runs grants, revocations and checks against `cameo serve` from several threads, kills the
server with SIGKILL at random moments, restarts it, and finally verifies that:
  * every acknowledged grant exists and every acknowledged revocation is in effect,
  * the ledger exports and verifies end to end (cameo ledger verify + scripts/verify_bundle.py),
  * consistency proofs hold from every checkpoint taken before a crash to the final tree.
With --database URL the node runs on PostgreSQL in a fresh schema crash_<random> that the
script creates and drops. Prints a JSON summary.
Usage: fault_crash.py CAMEO_BIN [--kills N] [--seed S] [--database postgres://…]"""
import base64, json, os, random, signal, subprocess, sys, tempfile, threading, time, urllib.request, urllib.error
sys.path.insert(0, os.path.dirname(__file__))
from verify_bundle import verify_consistency
import pg_schema

def main():
    database = sys.argv[sys.argv.index("--database") + 1] if "--database" in sys.argv else None
    schema = None
    if database:
        database, schema = pg_schema.with_schema(database, "crash")
        pg_schema.create(database, schema)
    try:
        run_test(database)
    finally:
        for p in _servers:  # still running only if the test failed with an exception
            if p.poll() is None: p.kill(); p.wait()
        if schema: pg_schema.drop(database, schema)

_servers = []  # every server process started

def run_test(database):
    binary = sys.argv[1]
    kills = int(sys.argv[sys.argv.index("--kills") + 1]) if "--kills" in sys.argv else 5
    rnd = random.Random(int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1)
    d = tempfile.mkdtemp(prefix="cameo-crash-")
    db = ["--database", database] if database else []  # every cameo invocation gets it
    run = lambda *a: subprocess.run([binary, *a, "--data-dir", d, *db], check=True, capture_output=True, text=True).stdout
    run("keys", "init")
    svc = json.loads(run("api-key", "create", "--role", "service", "--name", "load", "--json"))["token"]
    aud = json.loads(run("api-key", "create", "--role", "auditor", "--name", "audit", "--json"))["token"]
    port = 30000 + rnd.randrange(20000)
    base = f"http://127.0.0.1:{port}"

    def call(method, path, body=None, token=svc, timeout=5):
        req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data = r.read()
            return json.loads(data) if data[:1] in (b"{", b"[") else data.decode()

    def start():
        p = subprocess.Popen([binary, "serve", "--data-dir", d, *db, "--port", str(port), "--log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _servers.append(p)
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1); return p
            except Exception:
                time.sleep(0.05)
        raise SystemExit("server did not start")

    server = start()
    subjects = [f"sub_{i}" for i in range(20)]
    call("POST", "/v1/subjects:batch", {"items": [{"id": s, "handle": s} for s in subjects]})
    acked_grants, acked_revocations, checkpoints = [], [], []
    lock = threading.Lock()
    stop = threading.Event()

    def worker(seed):
        r = random.Random(seed)
        while not stop.is_set():
            try:
                op = r.random()
                if op < 0.5 or not acked_grants:
                    owner, friend = r.sample(subjects, 2)
                    g = call("POST", "/v1/grants", {"owner": owner, "audience": {"kind": "approved", "subjects": [friend]}, "uses": ["generate"], "preferences": f"w{seed}-{r.random()}"})
                    with lock: acked_grants.append(g["grant"]["id"])
                elif op < 0.7:
                    with lock: gid = r.choice(acked_grants)
                    try:
                        call("DELETE", f"/v1/grants/{gid}")
                        with lock: acked_revocations.append(gid)
                    except urllib.error.HTTPError as e:
                        if e.code != 409: raise
                else:
                    a, b = r.sample(subjects, 2)
                    call("POST", "/v1/consent/check", {"requester": a, "cameos": [b], "use": "generate", "audience": {"kind": "only_me"}})
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.02)  # the server is down: nothing was acknowledged

    crashes = 0
    for k in range(kills):
        stop.clear()
        threads = [threading.Thread(target=worker, args=(k * 100 + i,)) for i in range(4)]
        for t in threads: t.start()
        time.sleep(rnd.uniform(0.3, 0.8))
        try:
            checkpoints.append(call("GET", "/v1/ledger/checkpoint", token=aud))
        except Exception:
            pass
        time.sleep(rnd.uniform(0.2, 1.2))
        server.send_signal(signal.SIGKILL); server.wait(); crashes += 1
        stop.set()
        for t in threads: t.join()
        server = start()

    missing = [g for g in acked_grants if not _ok(lambda: call("GET", f"/v1/grants/{g}"))]
    not_revoked = [g for g in set(acked_revocations) if call("GET", f"/v1/grants/{g}").get("revoked_at") is None]
    final = call("GET", "/v1/ledger/checkpoint", token=aud)
    size, root = _parse(final)
    broken = 0
    for cp in checkpoints:
        m, mroot = _parse(cp)
        proof = call("GET", f"/v1/ledger/proof/consistency?from={m}&to={size}", token=aud)
        if not verify_consistency(m, size, mroot, root, [base64.b64decode(h) for h in proof["hashes"]]): broken += 1
    server.send_signal(signal.SIGTERM); server.wait()
    out = os.path.join(d, "export")
    subprocess.run([binary, "ledger", "export", "--data-dir", d, *db, "--out", out], check=True, capture_output=True)
    verified = subprocess.run([binary, "ledger", "verify", out, *db], capture_output=True).returncode == 0
    independent = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "verify_bundle.py"), out], capture_output=True).returncode == 0
    summary = {"database": "postgres" if database else "sqlite", "crashes": crashes, "acknowledged_grants": len(acked_grants), "acknowledged_revocations": len(set(acked_revocations)),
               "lost_grants": len(missing), "lost_revocations": len(not_revoked), "ledger_size": size,
               "checkpoints_before_crashes": len(checkpoints), "consistency_failures": broken,
               "ledger_verifies": verified, "independent_verifier": independent}
    print(json.dumps(summary))
    ok = not missing and not not_revoked and broken == 0 and verified and independent and crashes == kills and checkpoints
    subprocess.run(["rm", "-rf", d])
    sys.exit(0 if ok else 1)

def _ok(f):
    try:
        f(); return True
    except urllib.error.HTTPError:
        return False

def _parse(note):
    lines = note.split("\n")
    return int(lines[1]), base64.b64decode(lines[2])

if __name__ == "__main__":
    main()
