#!/usr/bin/env python3
"""Writes fixtures/pdq/: raw RGB copies of PDQ test images from Meta's ThreatExchange repo
(some resized, re-encoded or cropped) and manifest.json with, per image, the hash, quality and
8 dihedral hashes of the reference C++ (compiled here from the checkout) on exactly those
bytes, plus what PyPI `pdqhash` says about the same bytes.

Images are decoded once with PIL (`Image.open(f).convert("RGB")`); the .rgb files hold those
bytes, row-major, 3 bytes per pixel, so Swift tests need no image decoder.

Needs: pillow, numpy, a C++17 compiler (g++ or clang++), optionally `pip install pdqhash`.

    git clone https://github.com/facebook/ThreatExchange /tmp/te
    python3 scripts/make_pdq_fixtures.py --threatexchange /tmp/te

--full-dir DIR also writes full-size decodes of the images whose hashes ThreatExchange
publishes (not committed: ~5 MB each), for `swift run -c release PDQBench parity DIR`.
--stress-dir DIR writes 60 seeded synthetic images of awkward sizes (5×5 … 3000×200,
1920×1080) with reference results, for the same parity run.
"""
import argparse
import io
import json
import os
import subprocess
import sys
import tempfile

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORACLE = os.path.join(ROOT, "scripts", "pdq_reference_oracle.cpp")
REF_SOURCES = ["hashing/pdqhashing.cpp", "hashing/torben.cpp", "downscaling/downscaling.cpp",
               "common/pdqhashtypes.cpp", "common/pdqhamming.cpp"]
BRIDGE = "reg-test-input/dih/bridge-1-original.jpg"


def resize320(im):
    return im.resize((320, 201), Image.LANCZOS)


def jpeg50(im):
    buf = io.BytesIO()
    resize320(im).save(buf, format="JPEG", quality=50)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


# name -> (path under pdq/data, transform, what it exercises)
FIXTURES = {
    "wee": ("misc-images/wee.jpg", None, "34x42: upsampling decimation, window 1"),
    "small": ("misc-images/small.jpg", None, "224x399: windows 2 and 4"),
    "shrink-a-lot": ("bridge-mods/shrink-a-lot.jpg", None, "160x100 bridge"),
    "square-128": ("bridge-mods/square-128x128.jpg", None, "128x128 squashed bridge"),
    "q0003": ("reg-test-input/labelme-subset/q0003.jpg", None, "256x256 labelme"),
    "q0746": ("reg-test-input/labelme-subset/q0746.jpg", None, "256x256 labelme"),
    "q2821": ("reg-test-input/labelme-subset/q2821.jpg", None, "256x256 labelme"),
    "bridge-320": (BRIDGE, resize320, "bridge resized to 320x201 (LANCZOS)"),
    "bridge-320-jpeg50": (BRIDGE, jpeg50, "bridge-320 re-encoded as JPEG quality 50"),
    "bridge-320-crop": (BRIDGE, lambda im: resize320(im).crop((2, 2, 318, 199)), "bridge-320 less 2 px per side (316x197)"),
    "pen-64": ("reg-test-input/pen-and-coaster.png", lambda im: im.resize((64, 64), Image.LANCZOS), "exactly 64x64: no filtering"),
    "wee-5x5": ("misc-images/wee.jpg", lambda im: im.crop((10, 10, 15, 15)), "smallest hashable size"),
    "wee-4x7": ("misc-images/wee.jpg", lambda im: im.crop((10, 10, 14, 17)), "below 5 px: zero hash, quality 0"),
}

# Hashes ThreatExchange publishes for full-size images, with the decoder that produced them.
PUBLISHED = {
    "bridge-1-original": (BRIDGE, {
        "cpp/README (CImg decode)": "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22",
        "java PDQHasherTest (ImageIO decode)": "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"}),
    "bridge-2-rotate-90": ("reg-test-input/dih/bridge-2-rotate-90.jpg", {
        "cpp/README (CImg decode)": "b0a10efd71cc3f429413d48d0ffffe12e34e0e17ada952a9d29684210aa9e5af",
        "java PDQHasherTest (ImageIO decode)": "30a10efd71cc3d429013d48d0ffffc52e34e0e17ada952a9d29685211ea9e5af"}),
    "bridge-3-rotate-180": ("reg-test-input/dih/bridge-3-rotate-180.jpg", {
        "cpp/README (CImg decode)": "adad5a64b5a142e55362a09057dacd5ae63b847fc23794b766b319361fc93188"}),
    "bridge-4-rotate-270": ("reg-test-input/dih/bridge-4-rotate-270.jpg", {
        "cpp/README (CImg decode)": "a5f4a457a48995e8c9065c275aaa5498b61ba4bdf8fcf80387c32f8b0bfc4f05"}),
    "bridge-5-flipx": ("reg-test-input/dih/bridge-5-flipx.jpg", {
        "cpp/README (CImg decode)": "f8f80f31e0f417b00e37f5cd028f980fb36ed02a9662c1e233e6cc634e9c64dd"}),
    "bridge-6-flipy": ("reg-test-input/dih/bridge-6-flipy.jpg", {
        "cpp/README (CImg decode)": "8dad2599b1a1bd1853625f6553da32a1e63b7280c2374b4866b366c91bc9ce77"}),
    "bridge-7-flip-plus-1": ("reg-test-input/dih/bridge-7-flip-plus-1.jpg", {
        "cpp/README (CImg decode)": "f0a1f102f1dcc0bd9c5309720fff018de34ef1e8ada9a956d2967ade0ea91a50"}),
    "bridge-8-flip-minus-1": ("reg-test-input/dih/bridge-8-flip-minus-1.jpg", {
        "cpp/README (CImg decode)": "a5f05ba8a4896a17c106a3da5aaaab07b61b5b42f8fc07fc83c3d0740bfcb0fa"}),
}


def compile_oracle(te, workdir):
    exe = os.path.join(workdir, "pdq_reference_oracle")
    cxx = os.environ.get("CXX", "g++")
    # -ffp-contract=off: no fused multiply-add, so the reference rounds exactly as written.
    cmd = [cxx, "-O2", "-std=c++17", "-ffp-contract=off", "-I", te, "-o", exe, ORACLE]
    cmd += [os.path.join(te, "pdq", "cpp", s) for s in REF_SOURCES]
    subprocess.run(cmd, check=True)
    return exe


def run_oracle(exe, path, w, h):
    out = subprocess.run([exe, path, str(w), str(h)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def pdqhash_peer(im):
    try:
        import numpy as np
        import pdqhash
    except ImportError:
        return None
    bits, quality = pdqhash.compute(np.asarray(im, dtype=np.uint8))
    value = int("".join(str(int(b)) for b in bits), 2)  # bits[0] is hash bit 255
    return {"hash": f"{value:064x}", "quality": int(quality), "version": pdqhash.__version__}


def write_entry(name, im, outdir, exe, source, note):
    w, h = im.size
    path = os.path.join(outdir, f"{name}.rgb")
    with open(path, "wb") as f:
        f.write(im.tobytes())
    entry = {"name": name, "file": f"{name}.rgb", "width": w, "height": h,
             "source": f"pdq/data/{source}", "note": note,
             "reference": run_oracle(exe, path, w, h), "pdqhash": pdqhash_peer(im)}
    return entry


def stress_images(seed=5):
    """Seeded blocky-plus-noise images at sizes around every filter and decimation edge case."""
    import numpy as np
    rng = np.random.default_rng(seed)
    sizes = [(5, 5), (5, 6), (6, 5), (7, 9), (63, 64), (64, 63), (65, 64), (64, 65), (127, 128),
             (128, 129), (129, 127), (255, 256), (257, 255), (256, 256), (500, 5), (5, 500), (1, 500),
             (3000, 200), (200, 3000), (1920, 1080), (1080, 1920), (641, 479), (333, 777), (1023, 1025)]
    sizes += [tuple(int(v) for v in rng.integers(5, 700, 2)) for _ in range(36)]
    for i, (w, h) in enumerate(sizes):
        coarse = rng.integers(0, 256, (h // 16 + 2, w // 16 + 2, 3)).astype(np.uint8)
        smooth = np.asarray(Image.fromarray(coarse).resize((w, h), Image.BICUBIC)).astype(int)
        noisy = np.clip(smooth + rng.integers(-20, 21, (h, w, 3)), 0, 255).astype(np.uint8)
        yield f"s{i}-{w}x{h}", Image.fromarray(noisy)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threatexchange", required=True, help="checkout of facebook/ThreatExchange")
    ap.add_argument("--commit", help="ThreatExchange commit (default: git rev-parse HEAD)")
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures", "pdq"))
    ap.add_argument("--full-dir", help="also write full-size published images here")
    ap.add_argument("--stress-dir", help="also write synthetic stress images here")
    args = ap.parse_args()
    te = os.path.abspath(args.threatexchange)
    commit = args.commit or subprocess.run(["git", "-C", te, "rev-parse", "HEAD"], check=True,
                                           capture_output=True, text=True).stdout.strip()
    data = os.path.join(te, "pdq", "data")
    with tempfile.TemporaryDirectory() as tmp:
        exe = compile_oracle(te, tmp)
        os.makedirs(args.out, exist_ok=True)
        images = []
        for name, (source, transform, note) in FIXTURES.items():
            im = Image.open(os.path.join(data, source)).convert("RGB")
            images.append(write_entry(name, transform(im) if transform else im, args.out, exe, source, note))
        manifest = {"threatexchange_commit": commit, "generator": "scripts/make_pdq_fixtures.py",
                    "images": images}
        with open(os.path.join(args.out, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
        if args.full_dir:
            os.makedirs(args.full_dir, exist_ok=True)
            full = []
            for name, (source, published) in PUBLISHED.items():
                im = Image.open(os.path.join(data, source)).convert("RGB")
                entry = write_entry(name, im, args.full_dir, exe, source, "full size")
                entry["published"] = published
                full.append(entry)
            with open(os.path.join(args.full_dir, "manifest.json"), "w") as f:
                json.dump({"threatexchange_commit": commit, "images": full}, f, indent=1)
        if args.stress_dir:
            os.makedirs(args.stress_dir, exist_ok=True)
            stress = [write_entry(name, im, args.stress_dir, exe, "synthetic", "stress")
                      for name, im in stress_images()]
            with open(os.path.join(args.stress_dir, "manifest.json"), "w") as f:
                json.dump({"threatexchange_commit": commit, "images": stress}, f)
    total = sum(os.path.getsize(os.path.join(args.out, e["file"])) for e in images)
    print(f"wrote {len(images)} fixtures ({total / 1e6:.2f} MB) to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
