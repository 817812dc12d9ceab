#!/usr/bin/env python3
"""Crash test (kill -9) for a single node, on its SQLite file or (--database) PostgreSQL.

Runs grants, revocations and checks against `cameo serve` from several threads, kills the
server with SIGKILL at random moments, restarts it, and finally verifies that:
  * every acknowledged grant exists and every acknowledged revocation is in effect,
  * the ledger exports and verifies end to end (cameo ledger verify + scripts/verify_bundle.py),
  * consistency proofs hold from every checkpoint taken before a crash to the final tree.
With --database URL the node runs on PostgreSQL in a fresh schema crash_<random> that the
script creates and drops. Prints a JSON summary.

With --generation, generation jobs instead (short clips: scripts/gen_faults.py): a likeness is
enrolled through a real liveness challenge and granted; then N times a generation is submitted,
the node is SIGKILLed while the job renders (its status and claim in the store at that moment are
recorded: a job being rendered must be claimed by its node), and restarted with the same
--node-id, which hands the job back and runs it again from the pre-checks. Each job must end
released (or quarantined with evidence) with exactly one terminal ledger entry, both read
through the API and in the final export, and a served MP4 whose SHA-256 is the record's
content_sha256 and whose manifest verifies (cameo manifest verify). --kills defaults to 2 here.
Usage: fault_crash.py CAMEO_BIN [--kills N] [--seed S] [--database postgres://…] [--generation]"""
import base64, http.client, json, os, random, shutil, signal, subprocess, sys, tempfile, threading, time, urllib.request, urllib.error
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verify_bundle import verify_consistency
import gen_faults, owners, pg_schema

def main():
    database = sys.argv[sys.argv.index("--database") + 1] if "--database" in sys.argv else None
    schema = None
    if database:
        database, schema = pg_schema.with_schema(database, "crash")
        pg_schema.create(database, schema)
    try:
        (run_generation_test if "--generation" in sys.argv else run_test)(database)
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
    issuer, policies = owners.trusting_policies(binary, os.environ.get("CAMEO_POLICIES", os.path.join(owners.ROOT, "Policies")), d)
    os.environ["CAMEO_POLICIES"] = policies
    os.environ.setdefault("CAMEO_MODELS_DIR", os.path.join(owners.ROOT, "models"))
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
    # owners enroll by attestation, one per distinct fixture face, and sign every consent write
    devices = {s: owners.enroll(base, svc, binary, issuer, s, face) for s, face in zip(subjects, owners.FACES)}
    acked_grants, acked_revocations, checkpoints = [], [], []
    lock = threading.Lock()
    stop = threading.Event()
    owner_of = {}

    def worker(seed):
        r = random.Random(seed)
        while not stop.is_set():
            try:
                op = r.random()
                if op < 0.5 or not acked_grants:
                    owner = r.choice(sorted(devices))
                    friend = r.choice([s for s in subjects if s != owner])
                    g = call("POST", "/v1/grants", devices[owner].grant({"kind": "approved", "subjects": [friend]}, preferences=f"w{seed}-{r.random()}"))
                    with lock: acked_grants.append(g["grant"]["id"]); owner_of[g["grant"]["id"]] = owner
                elif op < 0.7:
                    with lock: gid = r.choice(acked_grants)
                    try:
                        call("DELETE", f"/v1/grants/{gid}", devices[owner_of[gid]].revoke(gid))
                        with lock: acked_revocations.append(gid)
                    except urllib.error.HTTPError as e:
                        if e.code != 409: raise
                else:
                    a, b = r.sample(subjects, 2)
                    call("POST", "/v1/consent/check", {"requester": a, "cameos": [b], "use": "generate", "audience": {"kind": "only_me"}})
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError, OSError):
                time.sleep(0.02)  # the server is down (or died mid-answer): nothing was acknowledged

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
    subprocess.run([binary, "ledger", "export", "--data-dir", d, *db, "--out", out, "--statements"], check=True, capture_output=True)
    verified = subprocess.run([binary, "ledger", "verify", out, *db], capture_output=True).returncode == 0
    independent = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "verify_bundle.py"), out], capture_output=True, text=True)
    signed_line = independent.stdout.strip().split("\n")[-1]
    independent = independent.returncode == 0 and "owner-signed, all valid" in signed_line
    summary = {"database": "postgres" if database else "sqlite", "crashes": crashes, "owner_signatures": signed_line, "acknowledged_grants": len(acked_grants), "acknowledged_revocations": len(set(acked_revocations)),
               "lost_grants": len(missing), "lost_revocations": len(not_revoked), "ledger_size": size,
               "checkpoints_before_crashes": len(checkpoints), "consistency_failures": broken,
               "ledger_verifies": verified, "independent_verifier": independent}
    print(json.dumps(summary))
    ok = not missing and not not_revoked and broken == 0 and verified and independent and crashes == kills and checkpoints
    subprocess.run(["rm", "-rf", d])
    sys.exit(0 if ok else 1)

def run_generation_test(database):
    """--generation: SIGKILL mid-render, restart with the same node id, the job ends once."""
    binary = sys.argv[1]
    kills = int(sys.argv[sys.argv.index("--kills") + 1]) if "--kills" in sys.argv else 2
    rnd = random.Random(int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1)
    began = time.monotonic()
    d = tempfile.mkdtemp(prefix="cameo-crash-gen-")
    here, ok = os.path.dirname(os.path.abspath(__file__)), False
    db = ["--database", database] if database else []
    run = lambda *a: subprocess.run([binary, *a, "--data-dir", d, *db], check=True, capture_output=True, text=True).stdout
    port = 30000 + rnd.randrange(20000)
    base, log = f"http://127.0.0.1:{port}", os.path.join(d, "node.log")
    claims = gen_faults.Claims(database=database, sqlite_path=None if database else os.path.join(d, "cameo.sqlite"))
    call = lambda method, path, body=None, timeout=10: gen_faults.http_json(base, svc, method, path, body, timeout)

    def start():
        with open(log, "ab") as f:
            p = subprocess.Popen([binary, "serve", "--data-dir", d, *db, "--port", str(port), "--node-id", "solo", "--log-level", "error"],
                                 stdout=subprocess.DEVNULL, stderr=f)
        _servers.append(p)
        for _ in range(600):
            if p.poll() is not None: raise SystemExit(f"server exited with {p.returncode}; see {log}")
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1); return p
            except Exception:
                time.sleep(0.05)
        raise SystemExit("server did not start")

    def wait_end(gid, timeout=120):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            status, r = call("GET", f"/v1/generations/{gid}")
            if status == 200 and r["status"] not in gen_faults.ACTIVE: return r["status"]
            time.sleep(0.1)
        raise SystemExit(f"generation {gid} did not finish in {timeout} s")

    try:
        # short clips and a 30 s lease (the restart hands the job back at once: no lease to wait out)
        os.environ["CAMEO_POLICIES"] = gen_faults.short_policies(os.environ.get("CAMEO_POLICIES", os.path.join(os.path.dirname(here), "Policies")),
                                                                 os.path.join(d, "policies"))
        os.environ.setdefault("CAMEO_MODELS_DIR", os.path.join(os.path.dirname(here), "models"))
        issuer, os.environ["CAMEO_POLICIES"] = owners.trusting_policies(binary, os.environ["CAMEO_POLICIES"], d)
        run("keys", "init")
        svc = json.loads(run("api-key", "create", "--role", "service", "--name", "gen", "--json"))["token"]
        aud = json.loads(run("api-key", "create", "--role", "auditor", "--name", "audit", "--json"))["token"]
        server = start()
        owner, fan = "sub_gen_owner", "sub_gen_fan"
        for s in (owner, fan):
            status, body = call("POST", "/v1/subjects", {"id": s, "handle": s})
            if status not in (200, 201): raise SystemExit(f"subject {s}: {status} {body}")
        t = time.monotonic()
        device = owners.enroll(base, svc, binary, issuer, owner)
        enroll_s = time.monotonic() - t
        status, g = call("POST", "/v1/grants", device.grant({"kind": "approved", "subjects": [fan]}, preferences="calm"))
        if status != 201: raise SystemExit(f"grant: {status} {g}")
        # a first job, not killed: warms the node up and gives the render time without a crash
        status, r = call("POST", "/v1/generations", gen_faults.generation_body(fan, owner, "a calm walk on the beach at sunset", "warm-up"))
        if status != 202: raise SystemExit(f"warm-up generation: {status} {r}")
        t, warm = time.monotonic(), r["id"]
        if wait_end(warm) != "released": raise SystemExit(f"warm-up generation not released: {call('GET', '/v1/generations/' + warm)}")
        plain_s = time.monotonic() - t

        runs, problems = [], []
        for k in range(kills):
            status, r = call("POST", "/v1/generations", gen_faults.generation_body(fan, owner, f"a calm walk in the park, take {k}", f"crash-{k}", seed=k))
            if status != 202: raise SystemExit(f"generation {k}: {status} {r}")
            gid = r["id"]
            seen, _ = gen_faults.wait_until_rendering(base, svc, gid)
            time.sleep(rnd.uniform(0, 0.4))  # somewhere in the render (about a second), now and then in the post-check
            server.send_signal(signal.SIGKILL); server.wait()
            killed = time.monotonic()
            at_kill, claimed_by, _ = claims.read(gid)  # the store's word: where the job really was
            server = start()
            restarted = time.monotonic()
            end = wait_end(gid)
            done = time.monotonic()
            facts, bad = gen_faults.check_end_state(binary, base, svc, aud, gid, os.path.join(d, "keys", "ledger.pub.pem"), d)
            mid = at_kill in ("generating", "checking")
            if mid and "resumed after an interrupted run" not in facts.get("reasons", []): bad.append("killed mid-render but not resumed")
            # a job being rendered is held by its node; with no claim, another node would run it at once as well
            if mid and claimed_by != "solo": bad.append(f"{at_kill} with claimed_by {claimed_by!r} when its node died")
            runs.append({"generation": gid, "seen_before_kill": seen, "status_at_kill": at_kill, "claimed_by_at_kill": claimed_by,
                         "killed_mid_generation": mid, "end": end, "restart_s": round(restarted - killed, 2),
                         "kill_to_end_s": round(done - killed, 2), **{k2: facts.get(k2) for k2 in ("ledger_entries", "video_sha256_matches", "manifest_verifies")}})
            problems += [f"{gid}: {b}" for b in bad]
        server.send_signal(signal.SIGTERM); server.wait()
        out = os.path.join(d, "export")
        subprocess.run([binary, "ledger", "export", "--data-dir", d, *db, "--out", out], check=True, capture_output=True)
        verified = subprocess.run([binary, "ledger", "verify", out, *db], capture_output=True).returncode == 0
        independent = subprocess.run([sys.executable, os.path.join(here, "verify_bundle.py"), out], capture_output=True).returncode == 0
        exported = gen_faults.exported_entries(out, [warm] + [r["generation"] for r in runs])
        for gid, types in exported.items():
            terminal = [t for t in types if t in gen_faults.TERMINAL_ENTRIES]
            if len(terminal) != 1: problems.append(f"{gid}: {len(terminal)} terminal entries in the export ({types})")
        # no partial output of a killed render is left beside the released clips
        released = {warm} | {r["generation"] for r in runs if r["end"] == "released"}
        leftovers = sorted(f for f in os.listdir(os.path.join(d, "videos")) if f.endswith(".mp4") and f[:-4] not in released)
        if leftovers: problems.append(f"clips left by killed renders: {leftovers}")
        summary = {"database": "postgres" if database else "sqlite", "mode": "generation", "crashes": len(runs),
                   "killed_mid_generation": sum(r["killed_mid_generation"] for r in runs),
                   "rendering_without_claim": sum(r["killed_mid_generation"] and r["claimed_by_at_kill"] is None for r in runs),
                   "released": sum(r["end"] == "released" for r in runs), "quarantined": sum(r["end"] == "quarantined" for r in runs),
                   "enroll_s": round(enroll_s, 1), "uninterrupted_job_s": round(plain_s, 2), "runs": runs,
                   "ledger_verifies": verified, "independent_verifier": independent, "problems": problems,
                   "elapsed_s": round(time.monotonic() - began, 1)}
        print(json.dumps(summary))
        ok = (not problems and verified and independent and len(runs) == kills and all(r["killed_mid_generation"] for r in runs))
    finally:
        if not ok and os.path.exists(log) and os.path.getsize(log):
            print("--- node log (tail)", file=sys.stderr)
            print(open(log, errors="replace").read()[-2000:], file=sys.stderr)
        shutil.rmtree(d, ignore_errors=True)
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
