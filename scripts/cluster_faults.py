#!/usr/bin/env python3
"""Fault test for two `cameo serve` nodes (A, B) sharing one PostgreSQL database.

Both nodes run on a fresh schema cluster_<random> (created here, dropped at the end) with the
same data directory (same signing and master keys) and distinct --node-id, on loopback.

Phase 1, revocation across nodes (T trials): a grant is created on the writer node W, a check
on the reader node R with at_least=<the grant's token> must allow; the grant is revoked on W,
and right away several threads check on R (and on W) with at_least=<the revocation's
consistency_token>. Any allow after the acknowledged revocation is a failure; 409 `stale`
answers are counted apart. W and R are drawn at random each trial (A→B or B→A).
Then K cross-node revocations: a grant acknowledged by W is revoked right away through R (no
fence: DELETE takes no at_least); a 404 `unknown_grant` for that acknowledged grant is a
failure (the grant stays live while the client is told it does not exist); the script then
fences and revokes again, and checks on W with the revocation's token.

Phase 2, kill the sequencer: grants, revocations and checks from several threads against both
nodes; N times a node is SIGKILLed (alternating, so both die), the load goes on against the
survivor, and the killed node is restarted. A signed checkpoint is taken before each kill, and
an auditor thread polls both nodes' checkpoints throughout: a node's size must never go back.
A few generations (--load-generations) are submitted to either node during this load; each
must end released (or quarantined with evidence) with one terminal ledger entry.

Phase 3, kill a node mid-generation: a likeness enrolled at the start through a real liveness
challenge (fixture frames) and granted to a fan; a generation is submitted on A, and the node
holding its claim (read in the schema; a job rendering with no claim is a failure, as any node
would run it at once) is SIGKILLed while the job renders and NOT restarted.
The survivor must claim the job only after the dead node's lease ran out (policies copied with
job_lease_seconds 30, job_poll_milliseconds 200 and a 3 s 360×640 clip: scripts/gen_faults.py),
run it again from the pre-checks and finish it: released (or quarantined with evidence), one
generation.released/.quarantined entry for it, a served MP4 whose SHA-256 is the record's
content_sha256, a manifest that `cameo manifest verify` accepts. Then the victim is restarted
and must not run the job again. Kill-to-takeover and kill-to-release times are reported.

At the end: the nodes must agree on the checkpoint (size and root) within 5 s; every
acknowledged grant must be readable on both nodes and every acknowledged revocation in effect
on both; consistency proofs from every checkpoint to the final tree must verify (on both
nodes); `cameo ledger export` + `cameo ledger verify` + scripts/verify_bundle.py must pass, and
the export must hold exactly one terminal entry for every acknowledged generation; no request
may get a 5xx. Prints one JSON line; exits 1 on any failure. Python 3.11 stdlib only (plus the
psql client for the schema, ffmpeg for one mirrored enrollment frame).

Usage: cluster_faults.py CAMEO_BIN --database postgres://… [--kills N] [--trials T] [--cross-revokes K]
                         [--load-generations G] [--seed S]
"""
import argparse, base64, http.client, json, os, random, shutil, signal, subprocess, sys, tempfile, threading, time
import urllib.error, urllib.request
from concurrent.futures import ThreadPoolExecutor
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verify_bundle import verify_consistency
import gen_faults, owners, pg_schema

DEADLINE_S = 170  # the whole run stays under 3 minutes (it takes about one; phase 3 waits out a 30 s lease)
HERE = os.path.dirname(os.path.abspath(__file__))


class Down(Exception):
    """The node did not answer (refused, reset, timed out): nothing was acknowledged."""


class OutOfTime(BaseException):
    """Raised in the main thread by SIGALRM at the deadline (a BaseException: no handler swallows it)."""


class Node:
    """One `cameo serve` process; restartable on the same port."""

    def __init__(self, name, binary, data_dir, database, port):
        self.name, self.binary, self.data_dir, self.database, self.port = name, binary, data_dir, database, port
        self.base = f"http://127.0.0.1:{port}"
        self.log = os.path.join(data_dir, f"node-{name}.log")
        self.proc = None

    def start(self, timeout=30):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([self.binary, "serve", "--data-dir", self.data_dir, "--database", self.database,
                                          "--port", str(self.port), "--node-id", self.name, "--log-level", "error"],
                                         stdout=subprocess.DEVNULL, stderr=log)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"node {self.name} exited with {self.proc.returncode}; see {self.log}")
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError(f"node {self.name} did not start in {timeout} s")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


class Cluster:
    """HTTP calls, shared counters and the failure list."""

    def __init__(self, svc, aud):
        self.svc, self.aud = svc, aud
        self.lock = threading.Lock()
        self.server_errors = []  # (node, method, path, status, body): any 5xx
        self.unexpected = []     # other answers no step expects

    def call(self, node, method, path, body=None, auditor=False, timeout=5):
        """(status, parsed body) for any HTTP answer; raises Down when the node does not answer."""
        req = urllib.request.Request(node.base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + (self.aud if auditor else self.svc),
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError, OSError) as e:
            raise Down(str(e)) from None
        parsed = json.loads(data) if data[:1] in (b"{", b"[") else data.decode()
        if status >= 500:
            with self.lock: self.server_errors.append((node.name, method, path, status, parsed))
        return status, parsed

    def note(self, what):
        with self.lock: self.unexpected.append(what)

    def check(self, node, requester, owner, at_least=None):
        body = {"requester": requester, "cameos": [owner], "use": "generate", "audience": {"kind": "only_me"}}
        if at_least is not None: body["at_least"] = at_least
        return self.call(node, "POST", "/v1/consent/check", body)

    def checkpoint(self, node):
        status, note = self.call(node, "GET", "/v1/ledger/checkpoint", auditor=True)
        if status != 200: raise RuntimeError(f"checkpoint on {node.name}: {status} {note}")
        lines = note.split("\n")
        return int(lines[1]), base64.b64decode(lines[2])


# Owner devices (subject → owners.Owner), enrolled by attestation at the start: every consent
# write is signed by its owner, as the default policy requires.
DEVICES = {}
ISSUER = {}


def grant_body(owner, friend, tag):
    return DEVICES[owner].grant({"kind": "approved", "subjects": [friend]}, preferences=tag)


def revoke_body(owner, gid):
    return DEVICES[owner].revoke(gid)


# ---------------------------------------------------------------- phase 1

def phase1(c, nodes, subjects, trials, cross, rnd):
    """Revocation across nodes; returns counters and the acknowledged grants/revocations."""
    pairs = rnd.sample([(o, f) for o in sorted(DEVICES) if o != GEN_OWNER for f in subjects if o != f], trials + cross)  # a fresh pair per trial
    r = dict(trials=0, allows_after_revocation=0, allows_after_revocation_remote=0, allows_after_revocation_local=0,
             stale_answers=0, fenced_checks=0, unfenced_allows=0, grant_not_visible=0, grant_stale=0, token_regressions=0,
             cross_node_revokes=0, cross_node_revoke_404=0)
    acked_grants, acked_revocations, bad = {}, {}, []
    pool = ThreadPoolExecutor(4)

    def after_revocation(node, friend, owner, token, repeats, out):
        for _ in range(repeats):
            out.append((node, *c.check(node, friend, owner, at_least=token)))  # list.append is atomic

    def account(node, status, d, token, trial, writer):
        """Counts one answer to a check with at_least=token made after an acknowledged revocation."""
        r["fenced_checks"] += 1
        if status == 409 and g_code(d) == "stale":
            r["stale_answers"] += 1
        elif status != 200:
            bad.append({"trial": trial, "step": "check after revocation", "node": node.name, "status": status, "body": d})
        else:
            if d["decision"] == "allow":
                r["allows_after_revocation"] += 1
                r["allows_after_revocation_local" if node is writer else "allows_after_revocation_remote"] += 1
                bad.append({"trial": trial, "step": "allow after revocation", "writer": writer.name, "reader": node.name,
                            "at_least": token, "answer_token": d["consistency_token"]})
            if d["consistency_token"] < token:
                r["token_regressions"] += 1
                bad.append({"trial": trial, "step": "token below at_least", "node": node.name, "at_least": token, "token": d["consistency_token"]})

    for i, (owner, friend) in enumerate(pairs[:trials]):
        w, rd = rnd.sample(nodes, 2)
        status, g = c.call(w, "POST", "/v1/grants", grant_body(owner, friend, f"trial-{i}"))
        if status != 201: raise RuntimeError(f"trial {i}: grant on {w.name}: {status} {g}")
        gid, gtoken = g["grant"]["id"], g["ledger_index"] + 1  # the create answer has no consistency_token: index + 1
        acked_grants[gid] = gtoken
        status, d = c.check(rd, friend, owner, at_least=gtoken)
        if status == 409 and g_code(d) == "stale":
            r["grant_stale"] += 1
        elif status != 200 or d["decision"] != "allow":
            r["grant_not_visible"] += 1; bad.append({"trial": i, "step": "grant visible", "node": rd.name, "status": status, "body": d})
        status, rv = c.call(w, "DELETE", f"/v1/grants/{gid}", revoke_body(owner, gid))
        if status != 200: raise RuntimeError(f"trial {i}: revoke on {w.name}: {status} {rv}")
        token = rv["consistency_token"]
        acked_revocations[gid] = token
        # right after the acknowledgement: one unfenced check (informative), then fenced ones from
        # three threads on the reader and one on the writer
        status, d = c.check(rd, friend, owner)
        if status == 200 and d["decision"] == "allow": r["unfenced_allows"] += 1
        answers = []
        futures = [pool.submit(after_revocation, rd, friend, owner, token, rnd.randint(1, 3), answers) for _ in range(3)]
        futures.append(pool.submit(after_revocation, w, friend, owner, token, 1, answers))
        for f in futures: f.result()
        for node, status, d in answers:
            account(node, status, d, token, i, w)
        r["trials"] += 1

    # cross-node revocations: acknowledged by W, revoked at once through R
    for j, (owner, friend) in enumerate(pairs[trials:]):
        w, rd = rnd.sample(nodes, 2)
        status, g = c.call(w, "POST", "/v1/grants", grant_body(owner, friend, f"cross-{j}"))
        if status != 201: raise RuntimeError(f"cross {j}: grant on {w.name}: {status} {g}")
        gid, gtoken = g["grant"]["id"], g["ledger_index"] + 1
        acked_grants[gid] = gtoken
        status, rv = c.call(rd, "DELETE", f"/v1/grants/{gid}", revoke_body(owner, gid))
        if status == 404 and g_code(rv) == "unknown_grant":
            r["cross_node_revoke_404"] += 1
            bad.append({"cross": j, "step": "revoke of an acknowledged grant on the other node", "created_on": w.name,
                        "grant": gid, "grant_token": gtoken, "revoked_on": rd.name, "status": status, "body": rv})
            c.check(rd, friend, owner, at_least=gtoken)  # fence, then revoke again
            status, rv = c.call(rd, "DELETE", f"/v1/grants/{gid}", revoke_body(owner, gid))
        if status != 200: raise RuntimeError(f"cross {j}: revoke on {rd.name}: {status} {rv}")
        acked_revocations[gid] = rv["consistency_token"]
        r["cross_node_revokes"] += 1
        for node in (w, rd):
            status, d = c.check(node, friend, owner, at_least=rv["consistency_token"])
            account(node, status, d, rv["consistency_token"], f"cross-{j}", rd)
    pool.shutdown()
    return r, acked_grants, acked_revocations, bad


# ---------------------------------------------------------------- phase 2

def phase2(c, nodes, subjects, kills, rnd, seed, gen=None, generations=0):
    """Load on both nodes while nodes are SIGKILLed and restarted; `generations` clips of
    gen["owner"] for gen["fan"] are requested meanwhile (their ids are returned)."""
    acked_grants, acked_revocations, acked_generations = {}, {}, []
    counters = dict(load_checks=0, load_stale_answers=0, revoke_404_for_acknowledged_grant=0, revoke_already=0, down=0,
                    checkpoint_polls=0, checkpoint_regressions=0, generation_submits_down=0)
    state = {"max_token": 0, "phase": "up"}  # phase: which node is down, for the outage counters
    outage_writes = []
    lock, stop = threading.Lock(), threading.Event()

    def worker(wseed):
        r = random.Random(wseed)
        n = 0
        while not stop.is_set():
            node = r.choice(nodes)
            try:
                op = r.random()
                with lock: grants = list(acked_grants.items()) if op >= 0.5 else None
                if op < 0.5 or not grants:
                    owner, friend = r.choice(sorted(o for o in DEVICES if o != GEN_OWNER)), r.choice(subjects)
                    n += 1
                    status, g = c.call(node, "POST", "/v1/grants", grant_body(owner, friend, f"load-{wseed}-{n}"))
                    if status == 201:
                        with lock:
                            acked_grants[g["grant"]["id"]] = (node.name, g["ledger_index"] + 1, owner)
                            state["max_token"] = max(state["max_token"], g["ledger_index"] + 1)
                            if state["phase"] not in ("up", node.name): outage_writes[-1] += 1  # acked by the survivor
                    elif status < 500: c.note({"op": "grant", "node": node.name, "status": status, "body": g})
                elif op < 0.7:
                    gid, (creator, _, owner) = r.choice(grants)
                    status, rv = c.call(node, "DELETE", f"/v1/grants/{gid}", revoke_body(owner, gid))
                    if status == 200:
                        with lock:
                            acked_revocations[gid] = rv["consistency_token"]
                            state["max_token"] = max(state["max_token"], rv["consistency_token"])
                            if state["phase"] not in ("up", node.name): outage_writes[-1] += 1  # acked by the survivor
                    elif status == 409 and g_code(rv) == "grant_already_revoked":
                        with lock: counters["revoke_already"] += 1
                    elif status == 404 and creator != node.name:
                        # an acknowledged grant, created on the other node, that this one does
                        # not know yet: the client is told it does not exist (a failure)
                        with lock: counters["revoke_404_for_acknowledged_grant"] += 1
                        c.note({"op": "revoke of an acknowledged grant created on the other node", "node": node.name, "grant": gid, "status": status, "body": rv})
                    elif status < 500: c.note({"op": "revoke", "node": node.name, "grant": gid, "status": status, "body": rv})
                else:
                    owner, friend = r.choice(sorted(DEVICES)), r.choice(subjects)
                    with lock: token = state["max_token"]
                    status, d = c.check(node, friend, owner, at_least=token)
                    with lock: counters["load_checks"] += 1
                    if status == 409 and g_code(d) == "stale":
                        with lock: counters["load_stale_answers"] += 1
                    elif status != 200 and status < 500: c.note({"op": "check", "node": node.name, "status": status, "body": d})
            except Down:
                with lock: counters["down"] += 1
                time.sleep(0.01)
            except Exception as e:  # a malformed answer: recorded, and the load goes on
                c.note({"op": "worker", "node": node.name, "error": repr(e)})

    def watcher():
        """An auditor polling both nodes: a node's signed checkpoints must never shrink."""
        seen = {n.name: 0 for n in nodes}
        while not stop.is_set():
            for n in nodes:
                try:
                    size, _ = c.checkpoint(n)
                except (Down, RuntimeError):  # down, or an error answer (5xx are recorded by call)
                    continue
                with lock:
                    counters["checkpoint_polls"] += 1
                    if size < seen[n.name]:
                        counters["checkpoint_regressions"] += 1
                        c.note({"op": "checkpoint went backwards", "node": n.name, "before": seen[n.name], "now": size})
                seen[n.name] = max(seen[n.name], size)
            time.sleep(0.005)

    def submitter():
        """A few generation requests among the load, on either node (a renderer may die with its node)."""
        r = random.Random(seed * 7919)
        for i in range(generations):
            if stop.wait(r.uniform(0.4, 1.2)): return
            node = r.choice(nodes)
            try:
                status, g = c.call(node, "POST", "/v1/generations",
                                   gen_faults.generation_body(gen["fan"], gen["owner"], f"a calm walk under load, take {i}", f"load-{seed}-{i}", seed=i))
            except Down:
                with lock: counters["generation_submits_down"] += 1
                continue
            if status == 202:
                with lock: acked_generations.append(g["id"])
            elif status < 500: c.note({"op": "generation", "node": node.name, "status": status, "body": g})

    threads = [threading.Thread(target=worker, args=(seed * 1000 + i,), daemon=True) for i in range(4)]
    threads.append(threading.Thread(target=watcher, daemon=True))
    if generations: threads.append(threading.Thread(target=submitter, daemon=True))
    for t in threads: t.start()
    checkpoints, crashes = [], 0
    first = rnd.randrange(2)
    try:
        for k in range(kills):
            victim = nodes[(first + k) % 2]  # alternate: both nodes die when kills >= 2
            time.sleep(rnd.uniform(0.3, 0.8))
            at = rnd.choice(nodes)
            checkpoints.append((at.name,) + c.checkpoint(at))
            time.sleep(rnd.uniform(0.2, 1.0))
            with lock: state["phase"] = victim.name; outage_writes.append(0)
            victim.kill(); crashes += 1
            time.sleep(rnd.uniform(0.6, 1.2))  # the survivor alone takes the load (and the sequencer lock)
            victim.start()
            with lock: state["phase"] = "up"
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads: t.join()
    return dict(counters, crashes=crashes, writes_during_outages=outage_writes), acked_grants, acked_revocations, checkpoints, acked_generations


def g_code(body):
    return body.get("error", {}).get("code") if isinstance(body, dict) else None


# ---------------------------------------------------------------- phase 3

GEN_OWNER = "sub_p3_owner"


def generation_setup(c, node, work, binary):
    """A likeness enrolled by (TEST issuer) attestation on `node` and an owner-signed grant to a fan."""
    owner, fan = GEN_OWNER, "sub_p3_fan"
    status, body = c.call(node, "POST", "/v1/subjects:batch", {"items": [{"id": s, "handle": s} for s in (owner, fan)]})
    if status != 200: raise RuntimeError(f"generation subjects: {status} {body}")
    t = time.monotonic()
    DEVICES[owner] = owners.enroll(node.base, c.svc, binary, ISSUER["dir"], owner, owners.FACES[0])
    enroll_s = time.monotonic() - t
    status, g = c.call(node, "POST", "/v1/grants", grant_body(owner, fan, "calm"))
    if status != 201: raise RuntimeError(f"generation grant: {status} {g}")
    return {"owner": owner, "fan": fan, "enroll_s": round(enroll_s, 1)}


def finish(c, nodes, gids, timeout):
    """Waits until every job in `gids` left queued/generating/checking; {gid: end status or "unfinished"}."""
    end, left, out = time.monotonic() + timeout, set(gids), {}
    while left and time.monotonic() < end:
        for gid in sorted(left):
            for n in nodes:
                try:
                    status, r = c.call(n, "GET", f"/v1/generations/{gid}")
                except Down:
                    continue
                if status == 200 and r["status"] not in gen_faults.ACTIVE: out[gid] = r["status"]; left.discard(gid)
                break
        if left: time.sleep(0.2)
    return dict(out, **{gid: "unfinished" for gid in left})


def check_generations(c, binary, node, gids, work):
    """End state of each generation (gen_faults.check_end_state through `node`): counts by end
    status (and `resumed`: run again after a kill), and failures."""
    ends, bad = {}, []
    for gid in gids:
        facts, problems = gen_faults.check_end_state(binary, node.base, c.svc, c.aud, gid, os.path.join(work, "keys", "ledger.pub.pem"), work)
        ends[facts["status"]] = ends.get(facts["status"], 0) + 1
        if "resumed after an interrupted run" in facts.get("reasons", []): ends["resumed"] = ends.get("resumed", 0) + 1
        bad += [{"step": "generation end state", "generation": gid, "problem": p} for p in problems]
    return ends, bad


def phase3(c, nodes, gen, binary, database, work, tries=3):
    """Kill the node rendering a job; the survivor takes it over after the lease and finishes it."""
    claims, lease_s = gen_faults.Claims(database=database), gen_faults.SHORT_GENERATION["job_lease_seconds"]
    r, bad, gids = dict(tries=0, missed_kills=0), [], []
    for attempt in range(tries):
        r["tries"] += 1
        a = nodes[0]
        start_size, _ = c.checkpoint(a)
        status, g = c.call(a, "POST", "/v1/generations",
                           gen_faults.generation_body(gen["fan"], gen["owner"], f"a calm walk by the sea, take {attempt}", f"phase3-{attempt}", seed=100 + attempt))
        if status != 202: raise RuntimeError(f"phase 3: generation on A: {status} {g}")
        gid = g["id"]
        gids.append(gid)
        seen, _ = gen_faults.wait_until_rendering(a.base, c.svc, gid)
        _, holder, lease_until = claims.read(gid)
        victim = next((n for n in nodes if n.name == holder), None)
        if victim is None:  # rendering, and nobody's claim: any node may take it at once
            bad.append({"step": "claim while rendering", "generation": gid, "status_seen": seen, "claimed_by": holder, "lease_until": lease_until})
            victim = a
        survivor = next(n for n in nodes if n is not victim)
        victim.kill()
        killed = time.time()
        # the store's word, now that the victim can no longer renew its lease: where the job was when its node died
        at_kill, held_by, until = claims.read(gid)
        if holder is not None and held_by == holder: lease_until = until
        if at_kill not in ("generating", "checking"):  # the render beat the poll: try again
            r["missed_kills"] += 1
            victim.start()
            continue
        # the survivor's claim, from its lease (lease_until = claim time + lease): exact, not polled
        takeover, final, done = None, None, None
        while time.time() < max(lease_until, killed) + 30:
            st, by, until = claims.read(gid)
            if takeover is None and by == survivor.name: takeover = until - lease_s
            if st not in gen_faults.ACTIVE: final, done = st, time.time(); break
            time.sleep(0.1)
        r.update(generation=gid, victim=victim.name, survivor=survivor.name, status_at_kill=at_kill, end=final or "unfinished",
                 lease_left_at_kill_s=round(lease_until - killed, 2),
                 kill_to_takeover_s=round(takeover - killed, 2) if takeover else None,
                 takeover_after_lease_end_s=round(takeover - lease_until, 3) if takeover else None,
                 kill_to_end_s=round(done - killed, 2) if done else None,
                 takeover_to_end_s=round(done - takeover, 2) if done and takeover else None)
        if final is None:
            bad.append({"step": "survivor finishes the job", "generation": gid, "status": claims.read(gid)})
        elif takeover is None:
            bad.append({"step": "survivor's claim seen", "generation": gid, "end": final})
        elif holder is None:
            pass  # no lease to wait out (recorded above)
        elif takeover < lease_until:
            bad.append({"step": "taken over before the dead node's lease ran out", "generation": gid, "lease_until": lease_until, "claimed_at": takeover})
        elif takeover > lease_until + 5:
            bad.append({"step": "taken over late", "generation": gid, "lease_until": lease_until, "claimed_at": takeover})
        facts, problems = gen_faults.check_end_state(binary, survivor.base, c.svc, c.aud, gid, os.path.join(work, "keys", "ledger.pub.pem"), work, start_size)
        bad += [{"step": "phase 3 end state", "generation": gid, "problem": p} for p in problems]
        if "resumed after an interrupted run" not in facts.get("reasons", []):
            bad.append({"step": "run again from the pre-checks", "generation": gid, "reasons": facts.get("reasons")})
        r.update(ledger_entries=facts.get("ledger_entries"), video_sha256_matches=facts.get("video_sha256_matches"),
                 manifest_verifies=facts.get("manifest_verifies"), matched_subjects=facts.get("matched_subjects"), timings=facts.get("timings"))
        # the victim comes back (same node id: it hands back only its own claims) and must not run the job again
        victim.start()
        time.sleep(1.5)  # several job polls
        status, rec = c.call(victim, "GET", f"/v1/generations/{gid}")
        after = gen_faults.ledger_entries(victim.base, c.aud, gid, start_size)
        if status != 200 or rec["status"] != facts["status"] or after != facts.get("ledger_entries"):
            bad.append({"step": "victim restarted", "generation": gid, "status": rec.get("status") if isinstance(rec, dict) else status, "entries": after})
        return r, bad, gids
    bad.append({"step": "kill mid-render", "tries": tries, "missed": r["missed_kills"]})
    return r, bad, gids


# ---------------------------------------------------------------- verification

def verify(c, nodes, grants, revocations, checkpoints):
    out, bad = {}, []
    # 1. the nodes agree on the tree once caught up
    start, agree, heads = time.monotonic(), False, None
    while time.monotonic() - start < 5:
        heads = [c.checkpoint(n) for n in nodes]
        if heads[0] == heads[1]: agree = True; break
        time.sleep(0.05)
    out["nodes_agree"] = agree
    out["catch_up_ms"] = round((time.monotonic() - start) * 1000)
    if not agree: bad.append({"step": "nodes agree", "heads": [(n.name, s, base64.b64encode(h).decode()) for n, (s, h) in zip(nodes, heads)]})
    size, root = heads[0]
    out["ledger_size"] = size

    # 2. acknowledged grants exist and acknowledged revocations hold, read through both nodes
    def read(args):
        node, gid = args
        return node, gid, c.call(node, "GET", f"/v1/grants/{gid}")
    lost, unrevoked = {n.name: 0 for n in nodes}, {n.name: 0 for n in nodes}
    with ThreadPoolExecutor(8) as ex:
        for node, gid, (status, g) in ex.map(read, [(n, gid) for n in nodes for gid in grants]):
            if status != 200:
                lost[node.name] += 1; bad.append({"step": "acknowledged grant", "node": node.name, "grant": gid, "status": status, "body": g})
            elif gid in revocations and g.get("revoked_at") is None:
                unrevoked[node.name] += 1; bad.append({"step": "acknowledged revocation", "node": node.name, "grant": gid})
    out["lost_grants"], out["lost_revocations"] = lost, unrevoked

    # 3. consistency from every checkpoint to the final tree, proved by each node
    broken = 0
    for (origin_node, m, mroot) in checkpoints:
        for n in nodes:
            status, proof = c.call(n, "GET", f"/v1/ledger/proof/consistency?from={m}&to={size}", auditor=True)
            if status != 200 or not verify_consistency(m, size, mroot, root, [base64.b64decode(h) for h in proof["hashes"]]):
                broken += 1; bad.append({"step": "consistency", "checkpoint_from": origin_node, "size": m, "prover": n.name, "status": status})
    out["consistency_failures"] = broken
    return out, bad, size, root


def export_and_verify(binary, data_dir, database, size):
    out = os.path.join(data_dir, "export")
    db = ["--data-dir", data_dir, "--database", database]
    exp = subprocess.run([binary, "ledger", "export", *db, "--out", out, "--statements", "--json"], capture_output=True, text=True)
    exported = json.loads(exp.stdout)["size"] if exp.returncode == 0 else None
    verified = subprocess.run([binary, "ledger", "verify", out, *db], capture_output=True).returncode == 0
    ind = subprocess.run([sys.executable, os.path.join(HERE, "verify_bundle.py"), out], capture_output=True, text=True)
    signed = ind.stdout.strip().split("\n")[-1]
    independent = ind.returncode == 0 and "owner-signed, all valid" in signed
    return {"exported_size": exported, "ledger_verifies": verified, "independent_verifier": independent, "owner_signatures": signed,
            "export_complete": exported == size}


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--database", required=True, help="postgres://user@host:port/db (a fresh schema is created in it)")
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--cross-revokes", type=int, default=20, help="cross-node revocations after the trials")
    ap.add_argument("--load-generations", type=int, default=3, help="generations requested during phase 2")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    began = time.monotonic()
    # the repository's policies and face models, whatever the working directory
    os.environ.setdefault("CAMEO_POLICIES", os.path.join(os.path.dirname(HERE), "Policies"))
    os.environ.setdefault("CAMEO_MODELS_DIR", os.path.join(os.path.dirname(HERE), "models"))

    def out_of_time(*_):
        raise OutOfTime(f"the run exceeded {DEADLINE_S} s")
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(DEADLINE_S)

    database, schema = pg_schema.with_schema(args.database, "cluster")
    pg_schema.create(database, schema)
    data_dir = tempfile.mkdtemp(prefix="cameo-cluster-")
    nodes, ok = [], False
    try:
        # short clips and a 30 s lease, for every node and verb of this run
        os.environ["CAMEO_POLICIES"] = gen_faults.short_policies(os.environ["CAMEO_POLICIES"], os.path.join(data_dir, "policies"))
        ISSUER["dir"], os.environ["CAMEO_POLICIES"] = owners.trusting_policies(args.binary, os.environ["CAMEO_POLICIES"], data_dir)
        run = lambda *a: subprocess.run([args.binary, *a, "--data-dir", data_dir, "--database", database],
                                        check=True, capture_output=True, text=True).stdout
        run("keys", "init")
        svc = json.loads(run("api-key", "create", "--role", "service", "--name", "load", "--json"))["token"]
        aud = json.loads(run("api-key", "create", "--role", "auditor", "--name", "audit", "--json"))["token"]
        c = Cluster(svc, aud)
        port = 30000 + rnd.randrange(20000)
        nodes = [Node("A", args.binary, data_dir, database, port), Node("B", args.binary, data_dir, database, port + 1)]

        # Subjects through the API on A; the owners (one per distinct fixture face) enroll by
        # attestation there, each with a device key; then B starts from the same store.
        owner_ids = [f"sub_own_{i}" for i in range(len(owners.FACES) - 1)]
        p1 = [f"sub_p1_{i}" for i in range(max(20, (args.trials + args.cross_revokes) // len(owner_ids) + 2))]
        p2 = [f"sub_p2_{i}" for i in range(20)]
        nodes[0].start()
        status, body = c.call(nodes[0], "POST", "/v1/subjects:batch", {"items": [{"id": s, "handle": s} for s in owner_ids + p1 + p2]})
        if status != 200: raise RuntimeError(f"subjects: {status} {body}")
        for s, face in zip(owner_ids, owners.FACES[1:]):
            DEVICES[s] = owners.enroll(nodes[0].base, c.svc, args.binary, ISSUER["dir"], s, face)
        gen = generation_setup(c, nodes[0], data_dir, args.binary)  # for phases 2 and 3
        nodes[1].start()

        p1_result, g1, r1, bad1 = phase1(c, nodes, p1, args.trials, args.cross_revokes, rnd)
        p2_result, g2, r2, checkpoints, load_gids = phase2(c, nodes, p2, args.kills, rnd, args.seed, gen, args.load_generations)
        load_ends = finish(c, nodes, load_gids, 60)
        load_counts, bad_load = check_generations(c, args.binary, nodes[0], load_gids, data_dir)
        p3_result, bad_p3, p3_gids = phase3(c, nodes, gen, args.binary, database, data_dir)
        grants = set(g1) | set(g2)
        revocations = dict(r1, **r2)
        v, bad3, size, _ = verify(c, nodes, grants, revocations, checkpoints)
        for n in nodes: n.stop()
        e = export_and_verify(args.binary, data_dir, database, size)
        # every acknowledged generation ended once, in the exported ledger too
        exported = gen_faults.exported_entries(os.path.join(data_dir, "export"), load_gids + p3_gids)
        bad_export = [{"step": "terminal entries in the export", "generation": gid, "entries": t}
                      for gid, t in exported.items() if len([x for x in t if x in gen_faults.TERMINAL_ENTRIES]) != 1]
        bad3 += bad_load + bad_p3 + bad_export

        summary = {"database": "postgres", "nodes": 2, **p1_result, **p2_result,
                   "acknowledged_grants": len(grants), "acknowledged_revocations": len(revocations),
                   "acknowledged_writes": len(grants) + len(revocations),
                   "lost_writes": sum(v["lost_grants"].values()) + sum(v["lost_revocations"].values()),
                   **v, "checkpoints_before_kills": len(checkpoints), **e,
                   "enroll_s": gen["enroll_s"], "load_generations": {"acknowledged": len(load_gids), "ends": load_counts,
                                                                    "unfinished": sum(s == "unfinished" for s in load_ends.values())},
                   "phase3": p3_result,
                   "server_errors": len(c.server_errors), "unexpected_answers": len(c.unexpected),
                   "elapsed_s": round(time.monotonic() - began, 1)}
        ok = (p1_result["trials"] == args.trials and p1_result["allows_after_revocation"] == 0 and p1_result["grant_not_visible"] == 0
              and p1_result["token_regressions"] == 0 and p1_result["cross_node_revoke_404"] == 0 and not bad1
              and p2_result["crashes"] == args.kills and len(checkpoints) == args.kills and all(w > 0 for w in p2_result["writes_during_outages"])
              and summary["lost_writes"] == 0 and v["consistency_failures"] == 0 and v["nodes_agree"] and not bad3
              and e["ledger_verifies"] and e["independent_verifier"] and e["export_complete"]
              and p3_result.get("end") in ("released", "quarantined")
              and not c.server_errors and not c.unexpected)
        print(json.dumps(summary))
        if not ok:  # the evidence, for the report
            for item in (bad1 + bad3)[:20] + c.server_errors[:10] + c.unexpected[:10]:
                print("FAILURE:", json.dumps(item, default=str), file=sys.stderr)
    finally:
        signal.alarm(0)
        for n in nodes: n.kill()
        if not ok:
            for n in nodes:
                if os.path.exists(n.log) and os.path.getsize(n.log):
                    print(f"--- node {n.name} log (tail)", file=sys.stderr)
                    print(open(n.log, errors="replace").read()[-2000:], file=sys.stderr)
        pg_schema.drop(database, schema)
        shutil.rmtree(data_dir, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
