"""Owners for the fault scripts and the benchmarks, the way the default policy requires them.

* A local TEST identity issuer (`cameo issuer init`) and a policy copy that trusts it: it stands
  in for the identity vendor, so likenesses are enrolled by attestation, never by stills.
* One owner per distinct fixture face (a face can belong to one subject only).
* Ed25519 owner keys, registered at enrollment, that sign consent writes the way the server
  checks them: `owner_signature` over the RFC 8785 bytes of the body without it.
"""
import base64, datetime, hashlib, json, os, subprocess, urllib.error, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Distinct identities in fixtures/faces (one enrollable subject each).
FACES = ["obama/1.jpg", "biden/1.jpg", "kit_harington/1.jpg", "rose_leslie/1.jpg", "alex_lacamoire/2.jpg", "lin_manuel_miranda/1.png"]


def canonical(obj):
    """RFC 8785 for the values these scripts sign (strings, integers, booleans, arrays, objects)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Owner:
    """A subject's device key."""

    def __init__(self, subject):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
        self.subject = subject
        self.key = Ed25519PrivateKey.generate()
        self.raw = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = "ok_" + hashlib.sha256(self.raw).hexdigest()[:32]
        self.public_b64 = base64.b64encode(self.raw).decode()

    def sign(self, body, action):
        """`body` with subject, action, a fresh nonce and issued_at, signed."""
        b = dict(body, subject=self.subject, action=action, nonce=base64.urlsafe_b64encode(os.urandom(18)).decode().rstrip("="),
                 issued_at=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        b["owner_signature"] = {"key_id": self.key_id, "alg": "Ed25519", "value": base64.b64encode(self.key.sign(canonical(b))).decode()}
        return b

    def grant(self, audience, uses=("generate",), **extra):
        return self.sign(dict({"owner": self.subject, "audience": audience, "uses": list(uses)}, **extra), "grant.create")

    def revoke(self, grant_id):
        return self.sign({"grant_id": grant_id}, "grant.revoke")


def trusting_policies(binary, source, work):
    """Creates a TEST issuer in WORK/issuer with a copy of the policies in SOURCE that trusts it;
    returns (issuer directory, policy directory)."""
    issuer = os.path.join(work, "issuer")
    subprocess.run([binary, "issuer", "init", "--out", issuer, "--policies", source], check=True, capture_output=True)
    return issuer, os.path.join(issuer, "policies")


def _post(base, token, path, body, timeout):
    req = urllib.request.Request(base + path, method="POST", data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def enroll(base, token, binary, issuer, subject, face=FACES[0]):
    """Enrolls SUBJECT (already registered) with fixture FACE by a TEST-issuer attestation and
    registers a new owner key; returns the Owner."""
    owner = Owner(subject)
    selfie = os.path.join(ROOT, "fixtures", "faces", face)
    status, ch = _post(base, token, f"/v1/likenesses/{subject}/challenge", None, 10)
    if status != 201: raise RuntimeError(f"likeness challenge for {subject}: {status} {ch}")
    attest = subprocess.run([binary, "issuer", "attest", "--issuer", issuer, "--subject", subject, "--nonce", ch["nonce"], "--selfie", selfie],
                            capture_output=True, text=True)
    if attest.returncode != 0: raise RuntimeError(f"cameo issuer attest for {subject}: {attest.stderr.strip()}")
    token_jws = attest.stdout.strip()
    body = {"challenge_id": ch["challenge_id"], "nonce": ch["nonce"], "attestation": token_jws,
            "selfie": base64.b64encode(open(selfie, "rb").read()).decode(), "owner_public_key": owner.public_b64}
    status, v = _post(base, token, f"/v1/likenesses/{subject}/verify", body, 120)  # the first one loads the face models
    if status != 200 or v.get("status") != "verified": raise RuntimeError(f"likeness verify for {subject}: {status} {v}")
    return owner
