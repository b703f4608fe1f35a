"""A Word file as LibreOffice lays it out, set in the fonts briefgen ships and no others.

LibreOffice finds fonts through fontconfig. A private configuration (``FONTCONFIG_FILE``) that names
only briefgen's font folder makes the layout the same on every machine, whatever fonts it has
installed, and leaves the user's own fonts, font cache and LibreOffice profile untouched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

from briefgen.writers.pdf.writer import FONT_DIR


def soffice() -> str | None:
    """The LibreOffice command, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def private_env(work: Path) -> dict[str, str]:
    """An environment whose fontconfig sees only the bundled fonts, with home and caches in ``work``."""
    home = work / "home"
    cache = work / "fontconfig-cache"
    home.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    conf = work / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{escape(str(FONT_DIR))}</dir>\n  <cachedir>{escape(str(cache))}</cachedir>\n</fontconfig>\n",
        encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FONTCONFIG", "XDG_"))}
    env.update(HOME=str(home), FONTCONFIG_FILE=str(conf), XDG_CACHE_HOME=str(work / "cache"),
               XDG_CONFIG_HOME=str(work / "config"), XDG_DATA_HOME=str(work / "data"))
    return env


def word_as_pdf(docx: bytes, work: Path, name: str = "brief") -> bytes:
    """``docx`` converted to PDF by LibreOffice (headless, its own profile in ``work``)."""
    work.mkdir(parents=True, exist_ok=True)
    src = work / f"{name}.docx"
    src.write_bytes(docx)
    command = soffice()
    assert command is not None, "LibreOffice is not installed"
    subprocess.run([command, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(work), str(src)],
                   check=True, capture_output=True, env=private_env(work), timeout=240)
    return (work / f"{name}.pdf").read_bytes()
