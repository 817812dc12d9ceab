#!/usr/bin/env python3
"""Writes fixtures/reference_descriptors.json with Python face_recognition's view of every
fixture photo: raw dlib detection rects, 5-point landmarks and 128-D descriptors.

FaceMatch's parity tests compare the Swift/dlib shim against this file. It is generated once
and committed; rerun it only when fixtures change.

Setup (binary wheels only; building dlib from source takes >10 minutes):
    pip install --only-binary :all: dlib-bin numpy pillow click
    pip install wheel
    pip install --no-deps --no-build-isolation face_recognition_models==0.3.0 face_recognition==1.3.0
Run from the package root:
    python3 scripts/reference_descriptors.py
"""
import json
import os
import sys
import zlib
from importlib import metadata

import dlib
import face_recognition
from face_recognition import api

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "fixtures")
OUT = os.path.join(FIXTURES, "reference_descriptors.json")
UPSAMPLE = 1  # face_recognition's default; FaceMatch's DetectionOptions() matches it
CNN_IMAGES = ["faces/obama/4-small.jpg"]  # the CNN detector is slow without BLAS; one small image


def fixture_images():
    paths = []
    for folder in ("faces", "groups"):
        for dirpath, _, files in os.walk(os.path.join(FIXTURES, folder)):
            for name in files:
                if name.lower().endswith((".jpg", ".jpeg", ".png")):
                    paths.append(os.path.relpath(os.path.join(dirpath, name), FIXTURES))
    return sorted(paths)


def rect_list(rect):
    return [rect.left(), rect.top(), rect.right(), rect.bottom()]


def describe(relpath):
    image = face_recognition.load_image_file(os.path.join(FIXTURES, relpath))
    height, width = image.shape[:2]
    # The same calls face_recognition.face_encodings(image) makes, kept apart so the raw
    # (untrimmed) rects and the landmarks can be recorded too.
    rects = api._raw_face_locations(image, UPSAMPLE, "hog")
    shapes = [api.pose_predictor_5_point(image, r) for r in rects]
    encodings = face_recognition.face_encodings(image, model="small")
    assert len(encodings) == len(rects)
    faces = []
    for rect, shape, encoding in zip(rects, shapes, encodings):
        faces.append({
            "box": rect_list(rect),
            "landmarks": [[p.x, p.y] for p in shape.parts()],
            "descriptor": [float(v) for v in encoding],
            # The aligned 150 px chip the descriptor is computed from.
            "chip_crc32": zlib.crc32(dlib.get_face_chip(image, shape, 150, 0.25).tobytes()),
        })
    entry = {"path": relpath, "width": int(width), "height": int(height),
             # CRC-32 of PIL's decoded RGB bytes: FaceMatch's decoder must reproduce them.
             "rgb_crc32": zlib.crc32(image.tobytes()), "faces": faces}
    if relpath in CNN_IMAGES:
        entry["cnn_boxes"] = {
            str(up): [rect_list(d.rect) for d in api.cnn_face_detector(image, up)] for up in (0, 1)
        }
    return entry


def main():
    images = [describe(p) for p in fixture_images()]
    doc = {
        "generator": "scripts/reference_descriptors.py",
        "versions": {
            "face_recognition": metadata.version("face_recognition"),
            "face_recognition_models": metadata.version("face_recognition_models"),
            "dlib": dlib.__version__,
            "pillow": metadata.version("pillow"),
        },
        "pipeline": "PIL RGB load; HOG detector, upsample 1; 5-point landmarks; 150px chip, "
                    "padding 0.25; ResNet v1; num_jitters 1. box = raw dlib rect "
                    "[left, top, right, bottom], right/bottom inclusive, not trimmed.",
        "images": images,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    total = sum(len(i["faces"]) for i in images)
    print(f"wrote {OUT}: {len(images)} images, {total} faces", file=sys.stderr)


if __name__ == "__main__":
    main()
