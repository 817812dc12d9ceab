#!/usr/bin/env python3
"""Writes fixtures/decoder/: small synthetic JPEG/PNG variants and expected.json with the
CRC-32 of the RGB bytes FaceMatch's ImageDecoder must produce for each (PIL's
Image.open(f).convert("RGB"), except where noted). Needs pillow and numpy.

Run from the package root: python3 scripts/make_decoder_fixtures.py
"""
import io
import json
import os
import zlib

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "decoder")
W, H = 37, 23  # odd sizes catch stride mistakes


def gradient(channels):
    y, x = np.mgrid[0:H, 0:W]
    planes = [(x * 7 + y * 3) % 256, (x * 2 + y * 11) % 256, (x * 5 + y * 5 + 40) % 256, (x * 13) % 256]
    return np.stack(planes[:channels], axis=-1).astype(np.uint8)


def adam7_png(rgb):
    """Encodes an RGB array as an Adam7-interlaced PNG (PIL cannot write interlaced PNGs)."""
    import struct

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    h, w = rgb.shape[:2]
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = rgb[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        for row in sub:
            raw += b"\x00" + row.tobytes()
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def pil_rgb(data):
    return Image.open(io.BytesIO(data)).convert("RGB")


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = {}

    def save(name, image, note=None, expected_rgb=None, **params):
        buf = io.BytesIO()
        image.save(buf, **params)
        data = buf.getvalue()
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        rgb = expected_rgb if expected_rgb is not None else np.asarray(pil_rgb(data))
        cases[name] = {"width": image.width, "height": image.height,
                       "rgb_crc32": zlib.crc32(np.ascontiguousarray(rgb).tobytes())}
        if note:
            cases[name]["note"] = note

    rgba = gradient(4)
    rgba[:, : W // 2, 3] = 0  # left half fully transparent: alpha must be dropped, not composited
    save("rgba_transparent.png", Image.fromarray(rgba, "RGBA"), format="PNG")
    save("gray.png", Image.fromarray(gradient(1)[..., 0], "L"), format="PNG")
    la = np.stack([gradient(1)[..., 0], gradient(4)[..., 3]], axis=-1)
    save("gray_alpha.png", Image.fromarray(la, "LA"), format="PNG")
    save("palette.png", Image.fromarray(gradient(3), "RGB").quantize(colors=16), format="PNG")
    interlaced = adam7_png(gradient(3))
    with open(os.path.join(OUT, "interlaced.png"), "wb") as f:
        f.write(interlaced)
    cases["interlaced.png"] = {"width": W, "height": H,
                               "rgb_crc32": zlib.crc32(np.asarray(pil_rgb(interlaced)).tobytes())}
    # 16-bit grey: PIL's convert("RGB") clips I;16 at 255, so the expectation is the high byte.
    g16 = (gradient(1)[..., 0].astype(np.uint16) * 257 + 3)
    hi = (g16 >> 8).astype(np.uint8)
    save("gray16.png", Image.fromarray(g16), format="PNG",
         note="expected = high byte of each sample (PIL would clip to 255)",
         expected_rgb=np.stack([hi, hi, hi], axis=-1))
    save("gray.jpg", Image.fromarray(gradient(1)[..., 0], "L"), format="JPEG", quality=90)
    save("progressive.jpg", Image.fromarray(gradient(3), "RGB"), format="JPEG", quality=85, progressive=True)
    save("subsampled_420.jpg", Image.fromarray(gradient(3), "RGB"), format="JPEG", quality=80, subsampling=2)
    # CMYK is rejected as image_unsupported; no pixels are expected.
    Image.fromarray(gradient(4), "CMYK").save(os.path.join(OUT, "cmyk.jpg"), format="JPEG")

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"generator": "scripts/make_decoder_fixtures.py", "cases": cases}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(cases) + 1} files to {OUT}")


if __name__ == "__main__":
    main()
