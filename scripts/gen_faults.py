"""Generation jobs for the fault runs (cluster_faults.py phase 3, fault_crash.py --generation).

Short-clip policies (a render takes about a second, a lease 30 s), a real likeness enrollment
through the liveness challenge (fixture frames, as scripts/test-cli.sh does), and the checks
of one generation's end state: its record, its ledger entries, the served MP4 against the
record's content_sha256 and the signed manifest (`cameo manifest verify`). Python 3.11 stdlib,
plus ffmpeg (the mirrored pose frame) and psql or sqlite3 (the job's claim, read in the store).
"""
import base64, hashlib, http.client, json, os, re, shutil, sqlite3, subprocess, time, urllib.error, urllib.request
import pg_schema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# 3 s at 360×640 (Tests/ServerTests/GenerationPipelineTests.swift), the shortest lease the
# policy allows, and a fast poll so a survivor takes an expired claim promptly.
SHORT_GENERATION = {"width": 360, "height": 640, "fps": 12, "duration": 3, "workers": 1,
                    "job_lease_seconds": 30, "job_poll_milliseconds": 200}
ACTIVE = ("queued", "generating", "checking")
TERMINAL_ENTRIES = ("generation.released", "generation.quarantined", "generation.rejected")


def short_policies(source, dest):
    """Copies the policy directory `source` to `dest` with SHORT_GENERATION in generation.yaml."""
    shutil.copytree(source, dest)
    path = os.path.join(dest, "generation.yaml")
    text = open(path).read()
    for key, value in SHORT_GENERATION.items():
        text, n = re.subn(rf"(?m)^{key}:.*$", f"{key}: {value}", text)
        if n != 1: raise RuntimeError(f"generation.yaml: no single `{key}:` line to override")
    open(path, "w").write(text)
    return dest


def request(base, token, method, path, body=None, timeout=10):
    """(status, raw bytes) for any HTTP answer; OSError (URLError, reset, timeout) when there is none."""
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except http.client.HTTPException as e:
        raise ConnectionError(str(e)) from None


def http_json(base, token, method, path, body=None, timeout=10):
    status, data = request(base, token, method, path, body, timeout)
    return status, (json.loads(data) if data[:1] in (b"{", b"[") else data.decode(errors="replace"))


def enroll(base, token, subject, work):
    """Enrolls `subject`'s likeness for real: a liveness challenge answered with fixture frames
    of one face (left: a mirrored photo, made with ffmpeg), as scripts/test-cli.sh does."""
    faces = os.path.join(ROOT, "fixtures", "faces", "obama")
    left = os.path.join(work, "left.png")
    if not os.path.exists(left):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", os.path.join(faces, "2.jpg"), "-vf", "hflip", left], check=True)
    status, ch = http_json(base, token, "POST", f"/v1/likenesses/{subject}/challenge")
    if status not in (200, 201): raise RuntimeError(f"likeness challenge for {subject}: {status} {ch}")
    pick = {"left": left, "right": os.path.join(faces, "2.jpg")}
    frames = [open(pick.get(pose, os.path.join(faces, "1.jpg")), "rb").read() for pose in ch["poses"]]
    body = {"challenge_id": ch["challenge_id"], "nonce": ch["nonce"], "frames": [base64.b64encode(f).decode() for f in frames]}
    status, v = http_json(base, token, "POST", f"/v1/likenesses/{subject}/verify", body, timeout=120)  # loads the face models
    if status != 200 or v.get("status") != "verified": raise RuntimeError(f"likeness verify for {subject}: {status} {v}")
    return v


def generation_body(requester, owner, prompt, request_id=None, seed=7):
    body = {"requester": requester, "cameos": [owner], "prompt": prompt, "use": "generate", "audience": {"kind": "only_me"}, "seed": seed}
    if request_id: body["request_id"] = request_id
    return body


class Claims:
    """Reads a job's status and claim in the store itself (works while every node is down)."""

    def __init__(self, database=None, sqlite_path=None):
        self.database, self.sqlite_path = database, sqlite_path

    def read(self, gid):
        """(status, claimed_by, lease_until) of job `gid`."""
        if self.database:
            out = pg_schema.psql(self.database, f"SELECT status, coalesce(claimed_by, ''), coalesce(lease_until, 0) FROM generations WHERE id = '{gid}'")
            status, by, until = out.strip().split("|")
        else:
            db = sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True, timeout=5)
            try:
                status, by, until = db.execute("SELECT status, coalesce(claimed_by, ''), coalesce(lease_until, 0) FROM generations WHERE id = ?", (gid,)).fetchone()
            finally:
                db.close()
        return status, by or None, float(until)


def wait_until_rendering(base, token, gid, deadline_s=60):
    """Polls the record tightly until the job is generating (or checking, or over); returns
    (status, seconds since the call). Kill right after: a render takes about a second."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < deadline_s:
        status, r = http_json(base, token, "GET", f"/v1/generations/{gid}")
        if status != 200: raise RuntimeError(f"generation {gid}: {status} {r}")
        if r["status"] not in ("queued",): return r["status"], time.monotonic() - t0
        time.sleep(0.01)
    raise RuntimeError(f"generation {gid} was not picked up in {deadline_s} s")


def ledger_entries(base, aud, gid, start=0):
    """Entry types about generation `gid` in the ledger from `start` on, read through /v1/ledger/entries."""
    types, at = [], start
    while True:
        status, page = http_json(base, aud, "GET", f"/v1/ledger/entries?start={at}&end={at + 1000}")
        if status != 200: raise RuntimeError(f"ledger entries from {at}: {status} {page}")
        for text in page["entries"]:
            e = json.loads(text)
            if e["subject"] == gid: types.append(e["type"])
        at += len(page["entries"])
        if not page["entries"] or at >= page["size"]: return types


def exported_entries(export_dir, gids):
    """{gid: [entry types]} from an export's entries.jsonl."""
    found = {g: [] for g in gids}
    with open(os.path.join(export_dir, "entries.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            if e["subject"] in found: found[e["subject"]].append(e["type"])
    return found


def check_end_state(binary, base, token, aud, gid, public_key, work, ledger_start=0):
    """The end state of generation `gid`: record, ledger entries, served clip, manifest.
    Returns (facts, problems)."""
    problems = []
    status, r = http_json(base, token, "GET", f"/v1/generations/{gid}")
    if status != 200: return {"status": None}, [f"record: {status} {r}"]
    facts = {"status": r["status"], "reasons": r["reasons"], "content_sha256": r["content_sha256"], "ledger_index": r["ledger_index"],
             "timings": r.get("timings"), "matched_subjects": (r.get("post_check") or {}).get("matched_subjects")}
    types = ledger_entries(base, aud, gid, ledger_start)
    facts["ledger_entries"] = types
    terminal = [t for t in types if t in TERMINAL_ENTRIES]
    if r["status"] not in ("released", "quarantined"): problems.append(f"end status {r['status']} (reasons {r['reasons']})")
    if terminal != [f"generation.{r['status']}"]: problems.append(f"terminal ledger entries {terminal} for status {r['status']}")
    if r["status"] == "quarantined" and not (r.get("post_check") or {}).get("evidence"): problems.append("quarantined without evidence")
    if r["status"] != "released": return facts, problems
    status, video = request(base, token, "GET", f"/v1/generations/{gid}/video", timeout=30)
    if status != 200: return facts, problems + [f"video: {status} {video[:200]!r}"]
    facts["video_bytes"] = len(video)
    facts["video_sha256_matches"] = hashlib.sha256(video).hexdigest() == r["content_sha256"]
    if not facts["video_sha256_matches"]: problems.append("served video's SHA-256 differs from content_sha256")
    if video[4:8] != b"ftyp": problems.append("served video is not an MP4 (no ftyp box)")
    status, manifest = request(base, token, "GET", f"/v1/generations/{gid}/manifest")
    if status != 200: return facts, problems + [f"manifest: {status} {manifest[:200]!r}"]
    vpath, mpath = os.path.join(work, f"{gid}.mp4"), os.path.join(work, f"{gid}.manifest.json")
    open(vpath, "wb").write(video)
    open(mpath, "wb").write(manifest)
    mv = subprocess.run([binary, "manifest", "verify", vpath, mpath, "--public-key", public_key], capture_output=True, text=True)
    facts["manifest_verifies"] = mv.returncode == 0 and mv.stdout.startswith("OK")
    if not facts["manifest_verifies"]: problems.append(f"manifest verify: rc {mv.returncode} {mv.stdout.strip()} {mv.stderr.strip()[-300:]}")
    return facts, problems
