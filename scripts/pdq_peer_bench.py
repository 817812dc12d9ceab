#!/usr/bin/env python3
"""PDQ throughput in one run: our Swift PDQ (PDQBench, release build) against PyPI `pdqhash`
and, with --threatexchange, Meta's reference C++ (-O2), on images of the same sizes.

Timing does not depend on content, so each side hashes its own image of each size (Swift: a
synthetic scene; pdqhash and C++: bridge-320 from fixtures/pdq scaled with PIL). Each figure
is the best of 5 rounds. Needs pillow, numpy, pdqhash.

    swift build -c release --product PDQBench && python3 scripts/pdq_peer_bench.py
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = [(1280, 720, 40), (720, 1280, 40), (64, 64, 3000)]


def best_of(fn, n, rounds=5):
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - start) / n)
    return best


def image(w, h):
    raw = np.fromfile(os.path.join(ROOT, "fixtures", "pdq", "bridge-320.rgb"), dtype=np.uint8)
    return Image.fromarray(raw.reshape(201, 320, 3)).resize((w, h), Image.BICUBIC)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "PDQBench"))
    ap.add_argument("--threatexchange", help="checkout of facebook/ThreatExchange, to time the C++ too")
    args = ap.parse_args()

    out = subprocess.run([args.bench, "speed", "--json"], check=True, capture_output=True, text=True).stdout
    print(out.strip().rsplit("\n", 1)[0])
    ours = json.loads(out.strip().rsplit("\n", 1)[1])

    import pdqhash
    peers = {f"pdqhash {pdqhash.__version__}": {}}
    for w, h, n in SIZES:
        arr = np.asarray(image(w, h))
        peers[f"pdqhash {pdqhash.__version__}"][f"{w}x{h}"] = best_of(lambda: pdqhash.compute(arr), n)
    if args.threatexchange:
        sys.path.insert(0, os.path.join(ROOT, "scripts"))
        from make_pdq_fixtures import compile_oracle
        with tempfile.TemporaryDirectory() as tmp:
            exe = compile_oracle(os.path.abspath(args.threatexchange), tmp)
            peers["reference C++ -O2"] = {}
            for w, h, n in SIZES:
                path = os.path.join(tmp, f"{w}x{h}.rgb")
                with open(path, "wb") as f:
                    f.write(image(w, h).tobytes())
                res = subprocess.run([exe, path, str(w), str(h), "--bench", str(n * 5)],
                                     check=True, capture_output=True, text=True).stdout
                peers["reference C++ -O2"][f"{w}x{h}"] = json.loads(res)["seconds_per_hash"]

    print(f"\n{'size':10} {'swift/s':>9} " + " ".join(f"{p + '/s':>22} {'ratio':>6}" for p in peers))
    for w, h, _ in SIZES:
        key = f"{w}x{h}"
        row = f"{key:10} {1 / ours[key]:9.0f} "
        row += " ".join(f"{1 / t[key]:22.0f} {t[key] / ours[key]:6.1f}" for t in peers.values())
        print(row)


if __name__ == "__main__":
    main()
