"""Chicago notes-bibliography text: full note on first use, short form after, bibliography entries.

Everything returns outline inlines (Text, Emph, Link), so every writer prints the same words.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Iterable

from briefgen.brief.models import Citation, Source
from briefgen.outline import Emph, Inline, Link, Text, plain_text

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_PARTICLES = {"von", "van", "der", "den", "de", "da", "del", "della", "di", "du", "la", "le", "bin", "al",
              "ter", "ten", "dos", "das"}
_SUFFIXES = {"jr.", "jr", "sr.", "sr", "ii", "iii", "iv"}
_ARTICLES = {"a", "an", "the"}
_MINOR = _ARTICLES | {"of", "for", "and", "or", "nor", "but", "to", "in", "on", "at", "by", "with",
                      "from", "as", "vs", "vs.", "into", "over", "per", "via"}
_OPEN, _CLOSE = "\u201c", "\u201d"


def format_date(date: dt.date) -> str:
    """A date as Chicago writes it: 'February 13, 2025' (independent of the machine's locale)."""
    return f"{_MONTHS[date.month - 1]} {date.day}, {date.year}"


def _ws(text: str) -> str:
    return " ".join(text.split())


def _is_bracketed(title: str) -> bool:
    """A descriptive title in brackets (an untitled source) is printed without quotation marks."""
    return title.startswith("[") and title.endswith("]")


_SWAP = {_OPEN: "\u2018", _CLOSE: "\u2019", "\u2018": _OPEN, "\u2019": _CLOSE}
_MARKS = re.compile('["\u2018\u2019\u201c\u201d]')


def nest_quotes(text: str) -> str:
    """Quoted words ready to go inside double marks: inner doubles become singles and back (“ ‘ ’ ”).

    Straight double quotes pair up by position; an apostrophe (’ inside a word, or with no ‘ open) stays.
    """
    if not _MARKS.search(text):  # most quotes hold no quotation marks: nothing to walk
        return text
    out: list[str] = []
    straight_open = True
    singles = 0  # single quotations opened and not yet closed
    for i, ch in enumerate(text):
        if ch == '"':
            out.append("\u2018" if straight_open else "\u2019")
            straight_open = not straight_open
        elif ch in (_OPEN, _CLOSE):
            out.append(_SWAP[ch])
        elif ch == "\u2018":
            singles += 1
            out.append(_OPEN)
        elif ch == "\u2019":
            inside_word = 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
            if singles and not inside_word:
                singles -= 1
                out.append(_CLOSE)
            else:
                out.append(ch)
        else:
            out.append(ch)
    return "".join(out)


def quote(text: str) -> str:
    """Text in curly double quotation marks, with quotations inside it in single marks."""
    return f"{_OPEN}{nest_quotes(_ws(text))}{_CLOSE}"


def is_description(src: Source) -> bool:
    """The source has no title of its own: its 'title' is a bracketed description or was made from the file name."""
    return src.title_from_file_name or _is_bracketed(_ws(src.title))


def _has_metadata(src: Source) -> bool:
    return bool(any(a.strip() for a in src.authors) or (src.outlet or src.publisher or "").strip()
                or src.published or src.url)


def description(src: Source) -> str:
    """What an untitled source is, in words: its bracketed description, or a document named by its file."""
    if src.title_from_file_name:
        name = src.path.replace("\\", "/").rsplit("/", 1)[-1]
        return f"Untitled document (file {name})"
    core = _ws(src.title)[1:-1].strip()
    return core[:1].upper() + core[1:]


def _described_title(src: Source) -> str:
    """Chicago's untitled web content: a plain description when other metadata identifies the source,
    a bracketed description only when nothing else does."""
    text = description(src)
    return text if _has_metadata(src) else f"[{text}]"


def _short_description(src: Source, words: int = 4) -> str:
    """The description cut at a word boundary, without a generic 'Untitled article:' lead."""
    text = description(src)
    if src.title_from_file_name:
        return text
    lead, sep, rest = text.partition(":")
    if sep and rest.strip() and lead.lower().startswith("untitled"):
        text = rest.strip()
        text = text[:1].upper() + text[1:]
    return _cut_words(text, words)


def _cut_words(text: str, significant_words: int) -> str:
    words = _ws(text).split(" ")
    out: list[str] = []
    significant = 0
    for word in words:
        minor = word.lower() in _MINOR
        if not minor and significant == significant_words:
            break
        out.append(word)
        significant += 0 if minor else 1
    while len(out) > 1 and out[-1].lower() in _MINOR:
        out.pop()
    return " ".join(out).rstrip(",;:.—–- ")


def _name_list(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + f", and {names[-1]}"


def surname(name: str) -> str:
    """The family name used in short notes: last word, with particles ('von der Leyen') and no 'Jr.'."""
    words = _ws(name).split(" ")
    while len(words) > 1 and words[-1].lower().rstrip(",") in _SUFFIXES:
        words = words[:-1]
    i = len(words) - 1
    while i > 1 and words[i - 1].lower() in _PARTICLES:
        i -= 1
    return " ".join(words[i:]).rstrip(",")


def invert_name(name: str) -> str:
    """'Vafa Guliyeva' -> 'Guliyeva, Vafa' for the first name of a bibliography entry."""
    name = _ws(name)
    last = surname(name)
    given = name[: len(name) - len(last)].strip() if name.endswith(last) else ""
    return f"{last}, {given}" if given else name


@lru_cache(maxsize=4096)  # a brief cites the same few titles again and again
def short_title(title: str) -> str:
    """A title cut to at most four significant words (Chicago short form), without a leading article."""
    title = _ws(title)
    bracketed = _is_bracketed(title)
    core = title[1:-1].strip() if bracketed else title
    # a subtitle or question part is the first thing to go
    head = re.split(r"(?<=\S)[:?!]\s|\s[—–]\s", core, maxsplit=1)[0]
    words = head.split(" ")
    if len(words) > 1 and words[0].lower() in _ARTICLES:
        words = words[1:]
    out: list[str] = []
    significant = 0
    for word in words:
        minor = word.lower() in _MINOR
        if not minor and significant == 4:
            break
        out.append(word)
        significant += 0 if minor else 1
    while len(out) > 1 and out[-1].lower() in _MINOR:
        out.pop()
    short = " ".join(out).rstrip(",;:.—–- ")
    return f"[{short}]" if bracketed else short


def _authors_full(src: Source) -> str:
    names = [_ws(a) for a in src.authors if a.strip()]
    if len(names) > 3:
        return f"{names[0]} et al."
    return _name_list(names) if names else ""


def _authors_short(src: Source) -> str:
    return _surnames(tuple(src.authors))


@lru_cache(maxsize=4096)
def _surnames(authors: tuple[str, ...]) -> str:
    names = [surname(a) for a in authors if a.strip()]
    if len(names) > 3:
        return f"{names[0]} et al."
    return _name_list(names) if names else ""


def _outlet(src: Source) -> list[Inline]:
    """The outlet in italics, with '(Reuters report)' when the source carries another's report."""
    outlet = _ws(src.outlet or src.publisher or "")
    out: list[Inline] = [Emph([Text(outlet)])] if outlet else []
    derived = _ws(src.derived_from or "")
    if derived and derived.lower() != outlet.lower():
        out.append(Text(f"{' ' if out else ''}({derived} report)"))
    return out


class _Builder:
    """Accumulates inlines and knows whether the text ends inside a quotation (for punctuation)."""

    def __init__(self) -> None:
        self.parts: list[Inline] = []
        self.ends_in_quote = False  # last thing written is a closing quotation mark
        self.quote_final = False  # ...and the quoted words already end with . ? !

    def text(self, s: str) -> None:

        """Append plain text."""
        if s:
            self.parts.append(Text(s))
            self.ends_in_quote = False

    def inlines(self, nodes: list[Inline]) -> None:

        """Append ready-made inlines."""
        if nodes:
            self.parts.extend(nodes)
            self.ends_in_quote = False

    def quoted(self, s: str) -> None:

        """Append text in curly double quotation marks."""
        self.parts.append(Text(f"{_OPEN}{s}{_CLOSE}"))
        self.ends_in_quote = True
        self.quote_final = s[-1:] in ".?!"

    def punct(self, mark: str) -> None:
        """Add punctuation; commas and periods go inside closing quotes (Chicago), others outside."""
        if self.ends_in_quote and mark in ",." and isinstance(self.parts[-1], Text):
            last = self.parts[-1].text
            if not self.quote_final:
                self.parts[-1] = Text(last[:-1] + mark + _CLOSE)
            self.ends_in_quote = False
            return
        if self.ends_in_quote and mark in ",." and self.quote_final:
            return
        if mark == "." and self.parts and isinstance(self.parts[-1], Text) and self.parts[-1].text.endswith("."):
            return  # 'n.d.' or 'et al.' already end the sentence
        self.text(mark)

    def sep(self, mark: str = ",") -> None:

        """Punctuation followed by a space."""
        self.punct(mark)
        self.text(" ")

    def merged(self) -> list[Inline]:
        """The inlines with neighbouring Text nodes joined."""
        out: list[Inline] = []
        run: list[str] = []  # text waiting to become one Text node
        for node in self.parts:
            if type(node) is Text:
                run.append(node.text)
                continue
            if run:
                out.append(Text("".join(run)))
                run = []
            out.append(node)
        if run:
            out.append(Text("".join(run)))
        return out


def _title(b: _Builder, title: str) -> None:
    title = _ws(title)
    if _is_bracketed(title):
        b.text(title)
    else:
        b.quoted(nest_quotes(title))


def _source_title(b: _Builder, src: Source) -> None:
    if is_description(src):
        b.text(_described_title(src))
    else:
        _title(b, src.title)


def _full(b: _Builder, src: Source) -> None:
    authors = _authors_full(src)
    if authors:
        b.text(authors)
        b.sep()
    _source_title(b, src)
    outlet = _outlet(src)
    if outlet:
        b.sep()
        b.inlines(outlet)
    b.sep()
    if src.published:
        b.text(format_date(src.published))
    else:
        b.text("n.d.")
        if src.accessed:
            b.sep()
            b.text(f"accessed {format_date(src.accessed)}")
    if src.url:
        b.sep()
        b.inlines([Link(src.url, [Text(src.url)])])


def _short(b: _Builder, src: Source, level: int = 0) -> None:
    """The short form; a higher level adds what tells apart sources whose short forms coincide."""
    authors = _authors_short(src)
    if authors:
        b.text(authors)
        b.sep()
    if is_description(src):
        outlet = _outlet(src) if not authors else []
        if outlet:
            b.inlines(outlet)
            b.sep()
        short = _short_description(src, 4 + 4 * (level >= 2) if level < 3 else 99)
        b.text(short if _has_metadata(src) else f"[{short}]")
    elif level >= 2:
        _title(b, src.title)
    else:
        _title(b, short_title(src.title))
    if level >= 1 and src.published:
        b.sep()
        b.text(format_date(src.published))
    if level >= 3:
        b.text(f" [{src.id}]")


def _short_key(src: Source, level: int) -> str:
    b = _Builder()
    _short(b, src, level)
    return plain_text(b.merged()).casefold()


def short_levels(sources: Iterable[Source]) -> dict[str, int]:
    """For each source, the least detail its short note needs so that no two sources share one."""
    srcs = list(sources)
    level = {s.id: 0 for s in srcs}
    for _ in range(4):
        seen: dict[str, list[str]] = {}
        for s in srcs:
            seen.setdefault(_short_key(s, level[s.id]), []).append(s.id)
        clashes = [ids for ids in seen.values() if len(ids) > 1]
        if not clashes:
            break
        for ids in clashes:
            for sid in ids:
                level[sid] = min(level[sid] + 1, 3)
    return level


class NoteMaker:
    """Builds note text in reading order: full form on a source's first use, short form afterwards."""

    def __init__(self, sources: Iterable[Source], style: str = "full-then-short", quotes: bool = True,
                 max_chars: int = 0):
        self.sources = {s.id: s for s in sources}
        self.style = style
        self.quotes = quotes
        self.max_chars = max_chars
        self.seen: set[str] = set()
        self.levels = short_levels(self.sources.values())
        self.left_out: list[tuple[int, list[Inline]]] = []  # (note number, its source and quoted words)
        self.count = 0

    def paragraph(self, citations: list[Citation]) -> list[Inline]:
        """One note's inlines: each citation in turn, separated by semicolons, ending with a period.

        With a length limit, a note that would run longer is written without its quoted words.
        """
        self.count += 1
        if not (self.quotes and self.max_chars):
            return self._paragraph(citations, self.quotes)
        seen = set(self.seen)
        with_quotes = self._paragraph(citations, True)
        if len(plain_text(with_quotes)) <= self.max_chars:
            return with_quotes
        self.seen = seen
        short = self._paragraph(citations, False)
        if any(c.quote.strip() for c in citations):  # the quoted words go to the evidence annex
            b = _Builder()
            for i, cit in enumerate(c for c in citations if c.quote.strip()):
                if i:
                    b.sep(";")
                src = self.sources.get(cit.source)
                if src is not None:
                    _short(b, src, self.levels.get(src.id, 0))
                    b.punct(":")
                    b.text(" ")
                b.quoted(nest_quotes(_ws(cit.quote)))
            b.punct(".")
            self.left_out.append((self.count, b.merged()))
        return short

    def _paragraph(self, citations: list[Citation], quotes: bool) -> list[Inline]:
        b = _Builder()
        if not quotes:  # without the quoted words a repeated source would only repeat its name
            unique = {(c.source, _ws(c.locator or "")): c for c in reversed(citations)}
            citations = [c for c in citations if unique.get((c.source, _ws(c.locator or ""))) is c]
        for i, cit in enumerate(citations):
            if i:
                b.sep(";")
            src = self.sources.get(cit.source)
            if src is None:  # check_file reports unknown sources; never crash on a partial brief
                b.text(f"[unknown source {cit.source}]")
            elif self.style == "full-then-short" and src.id in self.seen:
                _short(b, src, self.levels.get(src.id, 0))
            else:
                _full(b, src)
                self.seen.add(src.id)
            if cit.locator:
                b.sep()
                b.text(_ws(cit.locator))
            if quotes and cit.quote.strip():
                b.punct(":")
                b.text(" ")
                b.quoted(nest_quotes(_ws(cit.quote)))
        b.punct(".")
        return b.merged()


def full_note(src: Source) -> list[Inline]:
    """The full Chicago note for a source, ending with a period."""
    b = _Builder()
    _full(b, src)
    b.punct(".")
    return b.merged()


def short_note(src: Source) -> list[Inline]:
    """The short Chicago note for a source, ending with a period."""
    b = _Builder()
    _short(b, src)
    b.punct(".")
    return b.merged()


def bibliography_entry(src: Source) -> list[Inline]:
    """A Chicago bibliography entry: 'Surname, Given. “Title.” Outlet, Date. URL.'"""
    b = _Builder()
    names = [_ws(a) for a in src.authors if a.strip()]
    if names:
        first = invert_name(names[0])
        if len(names) == 1:
            b.text(first)
        elif len(names) == 2:
            b.text(f"{first}, and {names[1]}")
        else:
            b.text(f"{first}, " + ", ".join(names[1:-1]) + f", and {names[-1]}")
        b.punct(".")
        b.text(" ")
    _source_title(b, src)
    b.punct(".")
    outlet = _outlet(src)
    if outlet:
        b.text(" ")
        b.inlines(outlet)
        b.punct(",")
    b.text(" ")
    if src.published:
        b.text(format_date(src.published))
    else:
        b.text("n.d.")
        if src.accessed:
            b.text(f" Accessed {format_date(src.accessed)}")
    b.punct(".")
    if src.url:
        b.text(" ")
        b.inlines([Link(src.url, [Text(src.url)])])
        b.punct(".")
    return b.merged()


def bibliography_key(src: Source) -> str:
    """Sort key of a bibliography entry: the first author's surname, else the title without articles."""
    if any(a.strip() for a in src.authors):
        first = next(a for a in src.authors if a.strip())
        return invert_name(first).casefold()
    words = (description(src) if is_description(src) else _ws(src.title)).strip("[]\"“”'").split(" ")
    if len(words) > 1 and words[0].lower() in _ARTICLES:
        words = words[1:]
    return " ".join(words).casefold()
