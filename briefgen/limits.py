"""Limits that keep hostile or absurd inputs from exhausting time or memory, with clear refusals."""

from __future__ import annotations

import zipfile
from pathlib import Path

from briefgen.errors import InputError

MAX_ZIP_BYTES = 50 * 1024 * 1024  # a .docx on disk
MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_EXPANDED = 200 * 1024 * 1024  # all members once inflated
MAX_ZIP_RATIO = 150  # inflated / compressed, per member (ordinary XML compresses 5–20×)


def check_zip(path: Path | str, what: str) -> None:
    """Refuse a zip package (.docx) that is too large, has too many parts or inflates like a bomb.

    Reads only the central directory, so the check itself costs nothing on a hostile file.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{what} {path} not found") from None
    except OSError as exc:
        raise InputError(f"{what} {path} cannot be read: {exc.strerror or exc}") from None
    if size > MAX_ZIP_BYTES:
        raise InputError(f"{what} {path} is {size / 1e6:.0f} MB; the limit is {MAX_ZIP_BYTES // 2**20} MB")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{what} {path} is not a readable .docx file ({exc})") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise InputError(f"{what} {path} has {len(infos):,} parts; refusing more than {MAX_ZIP_MEMBERS:,}")
    total = sum(i.file_size for i in infos)
    if total > MAX_ZIP_EXPANDED:
        raise InputError(f"{what} {path} would expand to {total / 1e6:,.0f} MB; "
                         f"refusing more than {MAX_ZIP_EXPANDED // 2**20} MB (a zip bomb?)")
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise InputError(f"{what} {path}: part {info.filename} expands {info.file_size // max(info.compress_size, 1):,}× "
                             f"to {info.file_size / 1e6:,.0f} MB; refusing it (a zip bomb?)")
