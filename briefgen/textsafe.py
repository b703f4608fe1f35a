"""Removing characters that XML 1.0 (and therefore Word) cannot hold, with a warning instead of a crash."""

from __future__ import annotations

import re
import warnings

from briefgen.errors import BriefgenWarning

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF];
# lone surrogates cannot even be encoded as UTF-8.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class UnsafeTextWarning(BriefgenWarning):
    """Text contained characters an output format cannot hold; they were removed."""


def clean(text: str, where: str = "text") -> str:
    """``text`` without XML-illegal characters; warns once per call when something was removed."""
    if not _ILLEGAL.search(text):
        return text
    found = sorted({f"U+{ord(c):04X}" for c in _ILLEGAL.findall(text)})
    warnings.warn(
        f"{where}: removed characters that cannot be stored in the output ({', '.join(found)})",
        UnsafeTextWarning,
        stacklevel=2,
    )
    return _ILLEGAL.sub("", text)


def is_clean(text: str) -> bool:
    """True when ``text`` holds only characters XML 1.0 allows."""
    return not _ILLEGAL.search(text)


# What a terminal would act on rather than show: C0 controls except tab and newline, DEL, C1 controls
# (0x9B is a one-byte CSI), bidirectional overrides and isolates (they reorder what follows on the
# line) and lone surrogates (undecodable bytes in a file name).
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                              "\u2066-\u2069\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte Python could not decode: show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: str) -> str:
    """``text`` safe to print on a terminal: escape sequences, controls and bidi overrides shown as ``\\xNN``.

    Nothing printed can clear the screen, set the window title or reorder the line; the text stays
    readable and tells the user what was there.
    """
    return _TERMINAL_UNSAFE.sub(_visible, text) if _TERMINAL_UNSAFE.search(text) else text


def json_for_terminal(text: str) -> str:
    """JSON text safe to print: the same characters written as JSON ``\\uXXXX`` escapes (same data)."""
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
