"""Splitting messy article text into statement units (sentences, joined while a quotation is open) with offsets."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

# Words that end with a full stop but do not end a sentence. The parser's sentences alone cut after those it does
# not know ("Amb. Vassily Nebenzia"): measured, the example articles then lose an actor (recall 1.0 to 0.955).
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "amb", "gen", "sen", "rep", "gov", "lt", "col", "maj", "capt",
    "sgt", "st", "jr", "sr", "no", "vs", "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "e.u", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "ltd", "co", "corp",
    "approx", "dept", "fig", "pp", "p", "para", "art", "vol", "rev", "hon", "adm", "cmdr", "pres",
}

OPEN_QUOTES = "“„«"
CLOSE_QUOTES = "”»"
STRAIGHT = '"'
ALL_QUOTES = OPEN_QUOTES + CLOSE_QUOTES + STRAIGHT

_WORD_BEFORE = re.compile(r"([\w.]+)$")


@dataclass
class Unit:
    """A statement unit: a sentence (or sentences inside one quotation) with its place in the source."""

    start: int
    end: int
    text: str
    para: int
    index: int = 0
    mask: str = ""  # the text with quoted passages blanked out (same length)
    quoted: list[tuple[int, int]] = field(default_factory=list)  # spans inside quotes, unit-relative
    negated: frozenset[int] = frozenset()  # unit-relative offsets of words the parse marks as negated
    inert: frozenset[int] = frozenset()  # offsets of stance-looking words that state no stance ("fight against")
    verbs: frozenset[int] = frozenset()  # offsets of finite verbs and participles ("the ban came in")
    # offsets of the words the parse reads as nouns, gerunds included, and of those inside a person's name;
    # None when the unit was not parsed
    nouns: frozenset[int] | None = None
    people: frozenset[int] = frozenset()
    describing: frozenset[int] = frozenset()  # offsets of adjectives, adverbs and pronouns outside names
    bodies: frozenset[int] = frozenset()  # offsets of words inside the name of an organisation or a place
    past: frozenset[int] = frozenset()  # offsets of verbs in the simple past ("the quake sent waves")
    # offsets of nouns and past participles that qualify a noun ("target seats", "targeted screening")
    modifiers: frozenset[int] = frozenset()
    # offsets of action verbs that put nothing forward: an effect ("the plans could introduce…") or a description
    # of people ("those wanting to join…")
    effects: frozenset[int] = frozenset()
    # offsets of view words whose subject is named in the text, with that subject ("the unions want": 'unions')
    subjects: dict[int, tuple[str, bool]] = field(default_factory=dict)  # -> (subject text, a name or plural)

    @property
    def all_quoted(self) -> bool:
        """True when nearly all of the unit is a quotation (a continued quote without attribution)."""
        inside = sum(b - a for a, b in self.quoted)
        letters = sum(1 for ch in self.text if ch.isalnum())
        return bool(self.quoted) and inside >= 0.85 * max(1, len(self.text.strip()) - 2) and letters > 0


def _is_abbrev(chunk: str) -> bool:
    m = _WORD_BEFORE.search(chunk)
    if not m:
        return False
    word = m.group(1).rstrip(".").lower()
    if word in ABBREVIATIONS:
        return True
    return len(word) == 1 and word.isalpha()  # an initial: "J. Smith"


MAX_UNIT = 2000  # a "sentence" longer than this has lost its full stops: it is cut at spaces, keeping work linear


def _cut_long(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    out = []
    for a, b in spans:
        while b - a > MAX_UNIT:
            cut = text.rfind(" ", a + MAX_UNIT // 2, a + MAX_UNIT)
            cut = cut if cut > a else a + MAX_UNIT
            out.append((a, cut))
            a = cut
            while a < b and text[a].isspace():
                a += 1
        if b > a:
            out.append((a, b))
    return out


def sentence_starts(docs: list[tuple[int, Any]]) -> list[int]:
    """Where the parser's sentences begin (absolute offsets), from parsed pieces ((offset, Doc) pairs)."""
    return [off + sent.start_char for off, doc in docs for sent in doc.sents]


def _ends_in_abbrev(before: str) -> bool:
    """True when text ends in a known abbreviation or an initial ("Amb.", "J."), which ends no sentence."""
    before = before.rstrip()
    return before.endswith(".") and _is_abbrev(before)


def _sentences(text: str, start: int, end: int, starts: list[int]) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets, stripped) of the line text[start:end], none longer than MAX_UNIT.

    The parser's sentence starts, except where it cuts after an abbreviation or initial it does not know
    ("Amb. Vassily Nebenzia") or inside a word where a space was lost ("Caliber.Az"); punctuation left alone
    (a closing quotation mark cut off) stays with the sentence it closes.
    """
    lo, hi = bisect.bisect_right(starts, start), bisect.bisect_left(starts, end)
    cuts = [c for c in starts[lo:hi]
            if (text[c - 1].isspace() or text[c].isspace()) and not _ends_in_abbrev(text[max(start, c - 40):c])]
    spans: list[tuple[int, int]] = []
    for a, b in zip([start] + cuts, cuts + [end]):
        seg = text[a:b]
        lead, trail = len(seg) - len(seg.lstrip()), len(seg.rstrip())
        if trail <= lead:
            continue
        if spans and not any(ch.isalnum() for ch in seg):
            spans[-1] = (spans[-1][0], a + trail)
        else:
            spans.append((a + lead, a + trail))
    return _cut_long(spans, text)


def _marks(text: str) -> list[tuple[int, str]]:
    """Double quote marks with their role: 'o' opens, 'c' closes."""
    out = []
    for i, ch in enumerate(text):
        if ch not in ALL_QUOTES:
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if ch in CLOSE_QUOTES:
            role = "c"
        elif ch in OPEN_QUOTES:
            # a curly opener glued to the previous word is a mistyped closer (“…guarantee“he stressed)
            role = "c" if (before.isalnum() or before in ".,!?;:’'") and not after.isupper() else "o"
            if before.isalnum() and after.isupper():
                role = "o"
        else:
            role = "o" if (before.isspace() or before in "([{—–-:'’‘") else "c"
        out.append((i, role))
    return out


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of text inside double quotes (inner text), tolerant of unbalanced or mistyped marks."""
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    for i, role in _marks(text):
        if role == "o":
            if open_at is None:
                open_at = i + 1
        else:
            if open_at is not None:
                spans.append((open_at, i))
                open_at = None
            elif not spans and i > 0:
                # a closer without an opener: the quotation began before this unit or the mark was lost
                spans.append((0, i))
    if open_at is not None:
        # an unclosed quotation: up to the end, unless the text after it looks like an attribution
        spans.append((open_at, len(text)))
    return spans


def mask_quotes(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with quoted passages replaced by spaces (offsets kept)."""
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        for k in range(a, b):
            if chars[k] != "\n":
                chars[k] = " "
    return "".join(chars)


def _quote_count(s: str) -> int:
    return sum(1 for ch in s if ch in ALL_QUOTES)


def segment(text: str, body_start: int, docs: list[tuple[int, Any]]) -> list[Unit]:
    """Statement units of a text: the parse's sentences per paragraph, joined while a quotation stays open."""
    starts = sentence_starts(docs)
    units: list[Unit] = []
    para = 0
    pos = body_start
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        line_end = n if nl < 0 else nl
        if text[pos:line_end].strip():
            sents = _sentences(text, pos, line_end, starts)
            i = 0
            while i < len(sents):
                a, b = sents[i]
                count = _quote_count(text[a:b])
                j = i
                if count % 2 == 1:
                    # join following sentences while that balances the quotation marks (at most 4)
                    total = count
                    for k in range(i + 1, min(len(sents), i + 5)):
                        total += _quote_count(text[sents[k][0]:sents[k][1]])
                        if total % 2 == 0:
                            j = k
                            break
                b = sents[j][1]
                units.append(_unit(text, a, b, para, len(units)))
                i = j + 1
            para += 1
        pos = line_end + 1
    return units


def _unit(text: str, a: int, b: int, para: int, index: int) -> Unit:
    seg = text[a:b]
    spans = quoted_spans(seg)
    return Unit(a, b, seg, para, index, mask_quotes(seg, spans), spans)


# --------------------------------------------------------------------------- tokens

_TOKEN = re.compile(r"[^\W_][\w'’.\-]*[\w]|[^\W_]")
_GLUED_ACRONYM = re.compile(r"^([A-Z]{2,})([a-z]{2,})$")
SPEECH_SUFFIXES = ("said", "says", "told", "noted", "stressed", "added", "declared", "stated",
                   "explained", "argued", "warned", "insisted", "emphasized", "emphasised")
_NOT_PREFIX = {"un", "re", "mis", "over", "under", "afore", "fore", "over", "out", "co", "pre"}


@dataclass(frozen=True)
class Token:
    """A word with its offsets in the unit text."""

    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        """The lower-cased word."""
        return self.text.lower()

    @property
    def cap(self) -> bool:
        """True when the word starts with a capital letter."""
        return self.text[:1].isupper()


_GLUED_SPEECH = re.compile(r"^([a-z]{3,}?)(" + "|".join(SPEECH_SUFFIXES) + r")$")


# Mention finding reads these words rather than the parse's tokens: measured on eval-dev, spaCy's tokens here
# lowered actor precision (0.930 to 0.925) and affiliation (0.765 to 0.754), and without the glued-word repair
# below the example articles lose an actor ("peace missionssaid … Kaja Kallas": recall 1.0 to 0.955).
def tokens(text: str) -> list[Token]:
    """Words of a text with offsets; words glued across a lost space are split again where sure."""
    return list(_tokens(text))


@lru_cache(maxsize=16384)
def _tokens(text: str) -> tuple[Token, ...]:
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        w, s = m.group(0), m.start()
        if w.endswith(".") and w[:-1].lower() not in ABBREVIATIONS:
            w = w[:-1]
        g = _GLUED_ACRONYM.match(w)
        if g:  # "NATOthe" -> "NATO" "the"
            k = len(g.group(1))
            out.append(Token(w[:k], s, s + k))
            out.append(Token(w[k:], s + k, s + len(w)))
            continue
        if len(w) > 7 and w.islower():
            gs = _GLUED_SPEECH.match(w)
            if gs and gs.group(1) not in _NOT_PREFIX:  # "missionssaid" -> "missions" "said"
                k = len(gs.group(1))
                out.append(Token(w[:k], s, s + k))
                out.append(Token(w[k:], s + k, s + len(w)))
                continue
        out.append(Token(w, s, s + len(w)))
    return tuple(out)
