"""Finding quotes verbatim in source texts, forgiving only what never changes meaning."""

from __future__ import annotations

import bisect
import heapq
import re
from dataclasses import dataclass
from typing import Iterable

# Only these differences are forgiven: quote marks and apostrophes, dash variants, whitespace runs.
_CHAR_MAP = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d", "-"),
    }
)
# Folding with a regex touches only the characters that change; str.translate with a dict table looks
# up every character of the text, which is several times slower on long sources.
_FOLD_TO = {chr(code): value for code, value in _CHAR_MAP.items()}
_FOLDABLE = re.compile("[" + re.escape("".join(_FOLD_TO)) + "]")
_SPACE_RUN = re.compile(r"\s+")


def _fold(text: str) -> str:
    """Quote marks and dashes folded to their ASCII forms."""
    return _FOLDABLE.sub(lambda match: _FOLD_TO[match.group()], text)

_CHANGING_RUN = re.compile(r"\s{2,}|[^\S ]")  # whitespace that normalising rewrites


def normalize(text: str) -> str:
    """Fold quote marks, dashes and whitespace runs so that only meaning-neutral variants match."""
    return _SPACE_RUN.sub(" ", _fold(text))


_EXHAUSTIVE_WORK = 300_000  # window starts × quote length up to which every window is compared
_CANDIDATES = 48  # windows compared in full in a long source (each with two neighbours either side)
_LONG_QUOTE = 2_000
_PUNCT = "\"'.,;:!?()[]{}-"


def _token(word: str) -> str:
    """A word for counting shared words: case and edge punctuation do not matter."""
    return word.strip(_PUNCT).casefold()


@dataclass(frozen=True)
class Match:
    """Where a quote was found: character offsets into the original source text."""

    start: int
    end: int


@dataclass(frozen=True)
class Near:
    """The passage of a source closest to a quote that is not in it."""

    text: str
    start: int
    end: int
    score: float


class SourceText:
    """A source's text prepared for quote look-ups (normalised once, offsets mapped back)."""

    def __init__(self, text: str):
        self.text = text
        folded = _fold(text)
        # Collapse whitespace runs, remembering (normalised position, original position) breakpoints.
        # A lone space stays as it is, so only runs that change length (or are not a space) count.
        parts: list[str] = []
        self._norm_pos: list[int] = [0]
        self._orig_pos: list[int] = [0]
        last = 0
        npos = 0
        for match in _CHANGING_RUN.finditer(folded):
            parts.append(folded[last : match.start()])
            npos += match.start() - last
            parts.append(" ")
            npos += 1
            last = match.end()
            self._norm_pos.append(npos)
            self._orig_pos.append(match.end())
        parts.append(folded[last:])
        self.norm = "".join(parts)
        self._starts: list[int] | None = None
        self._tokens: list[str] | None = None

    def _to_orig(self, npos: int) -> int:
        i = bisect.bisect_right(self._norm_pos, npos) - 1
        return self._orig_pos[i] + (npos - self._norm_pos[i])

    def _span(self, nstart: int, nend: int) -> tuple[int, int]:
        """Original offsets of a normalised span (end exclusive, never inside a whitespace run)."""
        if nend <= nstart:
            at = self._to_orig(nstart)
            return at, at
        return self._to_orig(nstart), self._to_orig(nend - 1) + 1

    def find(self, quote: str) -> Match | None:
        """The first place the quote occurs, or None."""
        q = normalize(quote).strip()
        if not q:
            return None
        at = self.norm.find(q)
        if at < 0:
            return None
        return Match(*self._span(at, at + len(q)))

    def _word_starts(self) -> list[int]:
        """Offsets in ``norm`` where a word starts (and 0), computed once."""
        if self._starts is None:
            self._starts = [0] + [match.end() for match in re.finditer(r"\s", self.norm)]
        return self._starts

    def _likely_windows(self, probe: str) -> list[int]:
        """Indexes into ``_word_starts`` of the windows sharing the most words with ``probe`` (and their
        neighbours), found in one pass: a window as many words long as the probe slides over the text."""
        if self._tokens is None:
            self._tokens = [_token(w) for w in self.norm.split(" ")]
        tokens = self._tokens
        words = probe.split(" ")
        wanted: dict[str, int] = {}
        for w in words:
            t = _token(w)
            wanted[t] = wanted.get(t, 0) + 1
        window = len(words)
        have: dict[str, int] = {}
        overlap = 0
        top: list[tuple[int, int]] = []  # (overlap, -index): a heap of the best windows
        for i in range(len(tokens) + window):
            if i < len(tokens):  # the word entering the window
                t = tokens[i]
                if t in wanted:
                    if have.get(t, 0) < wanted[t]:
                        overlap += 1
                    have[t] = have.get(t, 0) + 1
            if i >= window:  # the word leaving it
                t = tokens[i - window]
                if t in wanted:
                    have[t] -= 1
                    if have[t] < wanted[t]:
                        overlap -= 1
            first = i - window + 1
            if first < 0:
                continue
            if first >= len(tokens):
                break
            entry = (overlap, -first)
            if len(top) < _CANDIDATES:
                heapq.heappush(top, entry)
            elif entry > top[0]:
                heapq.heapreplace(top, entry)
        picked = {j for _, neg in top for j in range(-neg - 2, -neg + 3) if 0 <= j < len(tokens)}
        return sorted(picked)

    def nearest(self, quote: str) -> Near:
        """The passage most similar to the quote, with a 0–1 similarity score.

        Short sources are compared window by window; in long ones only the windows sharing the most
        words with the quote are (every window of a long source is far too slow). Quotes longer
        than 2,000 characters are compared by their first 2,000.
        """
        q = normalize(quote).strip()
        n = len(q)
        if not self.norm or not q:
            return Near("", 0, 0, 0.0)
        probe = q[:_LONG_QUOTE]
        width = len(probe)
        starts = self._word_starts()
        if len(starts) * width <= _EXHAUSTIVE_WORK:
            candidates: Iterable[int] = starts
        else:
            candidates = [starts[i] for i in self._likely_windows(probe)]
        best_score, best_start = -1.0, 0
        import difflib  # only for a quote that is not found verbatim

        sm = difflib.SequenceMatcher(None, autojunk=False)
        sm.set_seq2(probe)
        for s in candidates:
            window = self.norm[s : s + width]
            sm.set_seq1(window)
            if sm.real_quick_ratio() <= best_score or sm.quick_ratio() <= best_score:
                continue
            score = sm.ratio()
            if score > best_score:
                best_score, best_start = score, s
        # widen or trim to word boundaries so the analyst sees whole words
        end = best_start + n
        while end < len(self.norm) and not self.norm[end].isspace() and end - best_start < n + 30:
            end += 1
        start, stop = self._span(best_start, end)
        return Near(self.text[start:stop].strip(), start, stop, round(max(best_score, 0.0), 3))
