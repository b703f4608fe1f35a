"""Limits that keep hostile or absurd inputs from exhausting time or memory, with clear refusals."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from briefgen.errors import InputError
from briefgen.fileio import ReadRefused, check_regular, read_capped

# Caps on every file briefgen reads, each far above what an honest input needs.
MAX_BRIEF_BYTES = 20 * 1024 * 1024  # a brief file (.yaml/.json), and a gazetteer
MAX_SOURCE_BYTES = 50 * 1024 * 1024  # one source document
MAX_CONFIG_BYTES = 1_000_000  # the user's config.toml: a few lines
MAX_ASSET_BYTES = 20 * 1024 * 1024  # a template's logo, font or reference document
MAX_TOML_CHARS = 1_000_000  # a template.toml: a few kilobytes
MAX_TEMPLATE_BYTES = 100 * 1024 * 1024  # a whole template folder copied by `templates init`
MAX_TEMPLATE_FILES = 1_000
MAX_ATTACHMENT_BYTES = 2**30  # a file attached to an email; the message's own size limit is checked later
MAX_ZIP_BYTES = 50 * 1024 * 1024  # a .docx on disk
MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_EXPANDED = 200 * 1024 * 1024  # all members once inflated
MAX_ZIP_RATIO = 150  # inflated / compressed, per member (ordinary XML compresses 5–20×)


class ZipRefused(InputError):
    """A zip package refused by ``check_zip``; ``reason`` is the message without the file's name."""

    def __init__(self, what: str, path: Path, reason: str):
        self.reason = reason
        super().__init__(f"{what} {path} {reason}")


def check_zip(path: Path | str, what: str) -> None:
    """Refuse a zip package (.docx) that is too large, has too many parts or inflates like a bomb.

    Reads only the central directory, so the check itself costs nothing on a hostile file.
    """
    path = Path(path)
    try:
        check_regular(path, MAX_ZIP_BYTES)
    except ReadRefused as exc:
        if exc.kind == "folder":
            raise ZipRefused(what, path, f"is not a readable .docx file ({exc.os_error})") from None
        raise ZipRefused(what, path, exc.reason) from None
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ZipRefused(what, path, f"is not a readable .docx file ({exc})") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ZipRefused(what, path, f"has {len(infos):,} parts; refusing more than {MAX_ZIP_MEMBERS:,}")
    total = sum(i.file_size for i in infos)
    if total > MAX_ZIP_EXPANDED:
        raise ZipRefused(what, path, f"would expand to {total / 1e6:,.0f} MB; "
                         f"refusing more than {MAX_ZIP_EXPANDED // 2**20} MB (a zip bomb?)")
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise ZipRefused(what, path, f"has a part, {info.filename}, that expands "
                             f"{info.file_size // max(info.compress_size, 1):,}× to {info.file_size / 1e6:,.0f} MB; "
                             "refusing it (a zip bomb?)")


MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000  # 5,000 × 5,000: far more than a logo 12 mm high needs


def check_image(path: Path | str, what: str = "logo") -> Any:
    """A PNG or JPEG small enough to decode safely; returns python-docx's Image (size, type, bytes).

    The pixel count comes from the file's header, so a decompression bomb is refused before any
    decoding. Raises ImageRefused, whose ``reason`` omits the file's name.
    """
    path = Path(path)
    try:
        data = read_capped(path, MAX_IMAGE_BYTES)
    except ReadRefused as exc:
        reason = "is a folder, not an image" if exc.kind == "folder" else exc.reason
        raise ImageRefused(what, path, reason) from None
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise ImageRefused(what, path, "is not a PNG or JPEG image")
    from docx.image.image import Image

    try:
        image = Image.from_blob(data)
        width, height = int(image.px_width), int(image.px_height)
    except Exception:  # python-docx raises several kinds for damaged images
        image, width, height = None, 0, 0
    if image is None and data.startswith(b"\xff\xd8\xff"):
        # python-docx knows only JPEGs with a JFIF or Exif header; a CMYK JPEG (Adobe header) is just
        # as embeddable in Word and in the PDF
        image = _PlainJpeg.from_blob(data)
        width, height = (image.px_width, image.px_height) if image else (0, 0)
    if not (width > 0 and height > 0):
        raise ImageRefused(what, path, "is unreadable (a damaged image)")
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageRefused(what, path, f"is {width:,} × {height:,} pixels; refusing more than "
                           f"{MAX_IMAGE_PIXELS // 1_000_000} million pixels (scale it down)")
    return image


class ImageRefused(InputError):
    """An image refused by ``check_image``; ``reason`` is the message without the file's name."""

    def __init__(self, what: str, path: Path, reason: str):
        self.reason = reason
        super().__init__(f"{what} {path} {reason}")


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


class _PlainJpeg:
    """A JPEG's size read from its frame header: what the writers need to embed it (as python-docx's Image)."""

    content_type = "image/jpeg"
    default_ext = "jpg"

    def __init__(self, blob: bytes, px_width: int, px_height: int):
        self.blob, self.px_width, self.px_height = blob, px_width, px_height
        self.width, self.height = px_width * 914400 // 72, px_height * 914400 // 72  # EMU at 72 dpi

    @classmethod
    def from_blob(cls, data: bytes) -> "_PlainJpeg | None":
        """The image, or None when no frame header is found before the data ends."""
        i = 2
        while i + 4 <= len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            if marker == 0xFF:  # fill byte
                i += 1
                continue
            if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
                i += 2
                continue
            length = int.from_bytes(data[i + 2:i + 4], "big")
            if marker in _SOF and i + 9 <= len(data):
                height = int.from_bytes(data[i + 5:i + 7], "big")
                width = int.from_bytes(data[i + 7:i + 9], "big")
                return cls(data, width, height)
            if length < 2:
                return None
            i += 2 + length
        return None
