"""Screenshots in reports and notices: each image file is read once, de-duplicated by its
content hash, re-encoded as WebP (the probes store lossless PNGs; WebP at quality 30 keeps
Chinese text legible at a tenth of the size, and every browser shows it) and given a thumbnail
for lists. `jpeg()` gives the same picture for Word, which cannot show WebP. Only files under
the data directory are read."""
from __future__ import annotations

import base64
import hashlib
import io
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_FILE = 20 * 1024 * 1024      # larger files are not embedded (named instead)
MAX_PIXELS = 40_000_000          # nor images beyond this (a decompression bomb)
FULL_WIDTH, MAX_HEIGHT, THUMB_WIDTH = 1000, 1300, 120
PORTRAIT_WIDTH = 500             # a portrait shot is a phone's (375 CSS px at 2x): wider is no clearer
CACHE = 64


@dataclass(frozen=True)
class Shot:
    key: str                    # first 16 hex digits of the file's SHA-256
    full: bytes                 # WebP, at most FULL_WIDTH wide and MAX_HEIGHT high
    thumb: bytes                # WebP, THUMB_WIDTH wide
    width: int
    height: int
    cropped: bool               # a page taller than MAX_HEIGHT (after scaling) shows its top only

    @property
    def full_uri(self) -> str:
        return "data:image/webp;base64," + base64.b64encode(self.full).decode()

    @property
    def thumb_uri(self) -> str:
        return "data:image/webp;base64," + base64.b64encode(self.thumb).decode()

    def jpeg(self, width: int = 480) -> bytes:
        """The picture as a JPEG at most `width` wide (for .docx, which cannot show WebP)."""
        with Image.open(io.BytesIO(self.full)) as img:
            return _encode(_scaled(img.convert("RGB"), width), "JPEG", 50)


def _encode(img: Image.Image, fmt: str, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, quality=quality)
    return buf.getvalue()


def _scaled(img: Image.Image, width: int) -> Image.Image:
    if img.width <= width:
        return img
    # reducing_gap: shrink by whole factors first (fast), then resample the rest
    return img.resize((width, max(1, round(img.height * width / img.width))), Image.Resampling.LANCZOS,
                      reducing_gap=2.0)


class Screenshots:
    def __init__(self, data_dir: str | Path | None):
        self.root = Path(data_dir).resolve() if data_dir else None
        self._cache: OrderedDict[str, Shot | None] = OrderedDict()

    def __call__(self, ref: str) -> Shot | None:
        """The screenshot an evidence `ref` names (relative to the data directory), or None when the
        file is missing, outside the data directory, too large or not an image."""
        if self.root is None or not ref:
            return None
        path = (self.root / ref).resolve()
        if not path.is_relative_to(self.root) or not path.is_file() or path.stat().st_size > MAX_FILE:
            return None
        raw = path.read_bytes()
        key = hashlib.sha256(raw).hexdigest()[:16]
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        shot = self._convert(key, raw)
        self._cache[key] = shot
        if len(self._cache) > CACHE:
            self._cache.popitem(last=False)
        return shot

    @staticmethod
    def _convert(key: str, raw: bytes) -> Shot | None:
        try:
            with Image.open(io.BytesIO(raw)) as img:
                if img.width * img.height > MAX_PIXELS:
                    return None
                rgb = img.convert("RGB")
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
            return None
        full = _scaled(rgb, PORTRAIT_WIDTH if rgb.height > rgb.width else FULL_WIDTH)
        cropped = full.height > MAX_HEIGHT
        if cropped:
            full = full.crop((0, 0, full.width, MAX_HEIGHT))
        thumb = _scaled(full.crop((0, 0, full.width, min(full.height, full.width))), THUMB_WIDTH)
        return Shot(key, _encode(full, "WEBP", 30), _encode(thumb, "WEBP", 30), full.width, full.height, cropped)
