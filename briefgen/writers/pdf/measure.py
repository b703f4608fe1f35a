"""Fitting text into a width in time proportional to what fits, not to the text's length.

A field may hold up to the value cap (hundreds of thousands of characters); trimming such a text
one character at a time, or measuring ever shorter prefixes of it from the start, is quadratic.
These helpers measure prefixes that grow geometrically, then bisect, so the work is bounded by
the part that is kept (a few hundred characters per line), times a logarithm.
"""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import getFont


def _width(text: str, font: str, size: float) -> float:
    return getFont(font).stringWidth(text, size)


def longest_prefix(text: str, font: str, size: float, room: float, suffix: str = "") -> int:
    """The largest k such that ``text[:k] + suffix`` is at most ``room`` points wide (0 if none).

    Widths never shrink as characters are added, so the prefix lengths that fit form a range
    starting at 0; an exponential probe finds its end, and bisection pins it.
    """
    n = len(text)
    if n == 0:
        return 0
    lo, hi = 0, 1  # text[:lo] fits (or lo == 0); text[:hi] is the next length to try
    while True:
        if _width(text[:hi] + suffix, font, size) > room:
            break
        lo = hi
        if hi == n:
            return n
        hi = min(n, hi * 2)
    while hi - lo > 1:  # invariant: lo fits (or is 0), hi does not
        mid = (lo + hi) // 2
        if _width(text[:mid] + suffix, font, size) > room:
            hi = mid
        else:
            lo = mid
    return lo


def fit_with_ellipsis(text: str, font: str, size: float, width: float) -> str:
    """``text`` if it fits in ``width``, else its longest prefix that fits with an ellipsis after it."""
    ellipsis = "\u2026"
    if not text:
        return text if width >= 0 else ellipsis
    # Cheap first test on a bounded prefix: a text much longer than the line never fits whole.
    probe = longest_prefix(text, font, size, width)
    if probe == len(text):
        return text
    k = longest_prefix(text, font, size, width, ellipsis)
    return text[:k].rstrip() + ellipsis


def tall_row_table(page_room: float) -> type:
    """A reportlab ``Table`` class that splits inside a row only when the row cannot fit a page.

    A table row holding a very long field can be taller than the page; reportlab then fails the
    whole layout. A table holding a row taller than half of ``page_room`` (the body frame's height)
    that does not fit where it stands splits inside rows, between lines; every other table still
    moves its rows whole, as before.
    """
    from reportlab.platypus import Table

    class TallRowTable(Table):
        def split(self, availWidth, availHeight):
            parts = super().split(availWidth, availHeight)
            if parts or self.splitInRow:
                return parts
            heights = getattr(self, "_rowHeights", None) or []
            if not any(h > max(availHeight, page_room / 2) for h in heights):
                return parts
            # a row that can never fit: split inside rows from here on; a header row that tall is
            # not repeated on every page (it would fill them)
            repeat = self.repeatRows if isinstance(self.repeatRows, int) else len(self.repeatRows)
            if any(h > page_room / 2 for h in heights[:repeat]):
                self.repeatRows = 0
            self.splitInRow = 1
            return super().split(availWidth, availHeight)

    return TallRowTable
