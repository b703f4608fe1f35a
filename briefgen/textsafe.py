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
