"""Text hygiene for the PDF writer: characters a PDF text string cannot carry, safe URLs and colours.

The writer lays text out itself and never hands user text to a markup parser, so text such as
``<b>``, ``a < b`` or ``AT&T`` prints exactly as written.
"""

from __future__ import annotations

import re

from briefgen import textsafe

# Characters XML cannot carry, nor any text string meant to be extracted again: C0 controls other
# than tab/newline/CR, DEL and C1 controls, lone surrogates and the non-characters U+FFFE/U+FFFF.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# A bare web address inside text; trailing punctuation stays outside the link.
URL_RE = re.compile(r"""(?:https?://|www\.)[^\s<>"']+[^\s<>"'.,;:!?)\]}’”]""")


_PDF_ONLY = re.compile("[\x7f-\x9f]")  # allowed in XML, but no text string should carry them


def clean(text: str) -> str:
    """``text`` without characters a PDF text string cannot carry; removals XML forbids are warned."""
    if not _ILLEGAL.search(text):
        return text
    return _PDF_ONLY.sub("", textsafe.clean(text))


def safe_color(color: str | None, default: str | None = None) -> str | None:
    """``color`` if it is '#RRGGBB', else ``default``."""
    if color and _COLOR.match(color.strip()):
        return color.strip().upper()
    return default


def safe_url(url: str) -> str | None:
    """An absolute URL fit for a link annotation, or None (no scheme, or unsafe characters)."""
    url = clean(url).strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    if url.lower().startswith("www."):
        url = "https://" + url
    if not _SCHEME.match(url) or url.lower().startswith("javascript:"):
        return None
    return url
