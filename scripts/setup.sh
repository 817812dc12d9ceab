#!/usr/bin/env bash
# Idempotent setup for a fresh Debian 12 machine: system packages, then the dlib models.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  pkg-config openssl libssl-dev libargon2-dev libsqlite3-dev   # crypto + store
  libdlib-dev libblas-dev liblapack-dev libopenblas0-serial    # face matcher (dlib + fast BLAS)
  ffmpeg fonts-dejavu-core                                      # video decode/encode; contact-sheet labels
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us      # spoken digits of the video liveness check
  espeak-ng sox                                                 # synthetic speech for the liveness attack tests
  postgresql-15                                                 # several-node store; the test suite runs on it too
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: system packages present"
fi

command -v swift >/dev/null || { echo "setup: swift is not on PATH (Swift 6.1+ required)" >&2; exit 1; }

if [ -x scripts/fetch-models.sh ]; then
  scripts/fetch-models.sh
fi
