"""Page breaks as a typesetter would set them, checked from the text positions of a rendered PDF.

The outline a brief was rendered from says what its blocks are (headings, paragraphs, list items,
table rows, captions and legends); the PDF says where their words were drawn. ``place`` finds every
block's lines on the pages (notes, markers, running heads and footers set aside), and ``problems``
names each break a careful editor would not allow:

- a heading last on its page (it keeps with the next block);
- a paragraph leaving one line alone at the foot of a page (orphan) or at the head of the next (widow);
- a list item or a table row split across pages, a figure (stance matrix, heat map, key) split at all;
- a caption apart from its table, a legend or key (small print right after any table) apart from its
  table's last row;
- a list number touching its text, or the items of one list starting their text at different places.

It reads any PDF: the PDF writer's own, and a Word file as LibreOffice lays it out.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field

from briefgen import outline as o

NOTE_SIZE = 7.5  # footnote text in both writers: its lines are no body text
MIN_SIZE = 7.0  # below this: note markers (superscripts), the "continued" label
GAP = 5.0  # a horizontal gap wider than this between words on one line separates table cells
FIGURES = ("matrix", "heatmap", "key")  # tables read as figures: kept whole with their caption and legend
MIN_NUMBER_GAP = 1.5  # a list number closer than this to its text touches it
_MARK = re.compile(r"^(\d{1,4}[.)]|[\u2022\u25aa\u25e6\u2013\u00b7\uf0b7\uf0a7-])$")


@dataclass(frozen=True)
class Word:
    """A word as drawn: page (from 1), box in points from the page's top-left, font size, text."""

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    text: str


@dataclass
class Frag:
    """One line of one column: the words of a line between gaps wider than ``GAP``."""

    page: int
    top: float
    bottom: float
    x0: float
    words: list[Word]
    number: Word | None = None  # a list number or bullet drawn before the text

    @property
    def key(self) -> str:
        """The text without its list number, normalised for matching."""
        return normalise("".join(w.text for w in self.words))

    @property
    def full_key(self) -> str:
        """The text with a leading number, normalised (for paragraphs that start with one)."""
        return normalise((self.number.text if self.number else "") + "".join(w.text for w in self.words))


@dataclass
class Placed:
    """A block of the outline and where its lines were found; ``lines`` is empty when they were not."""

    kind: str  # heading | para | item | row | caption | legend
    text: str
    lines: list[Frag] = field(default_factory=list)
    group: int = 0  # the list or table it belongs to
    figure: bool = False  # a row of a table read as a figure (kept whole on one page)
    numbers: list[Word] = field(default_factory=list)

    @property
    def pages(self) -> list[int]:
        """The pages its lines are on, in order, each once."""
        return sorted({f.page for f in self.lines})

    def where(self) -> str:
        """Its first words and pages, for messages."""
        return f"{self.kind} {self.text[:50]!r} (pages {', '.join(map(str, self.pages)) or 'not found'})"


def normalise(text: str) -> str:
    """Text as compared: compatibility forms (ligatures), no white space, no soft hyphens."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\u00ad\u200b\u200c\u200d\u2060]+", "", text)


# ----------------------------------------------------------------------------- reading a PDF


def read_words(pdf: bytes) -> tuple[list[Word], list[tuple[float, float]]]:
    """Every word of ``pdf`` with its position and size, and each page's (width, height)."""
    import pdfplumber

    words: list[Word] = []
    sizes: list[tuple[float, float]] = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for n, page in enumerate(doc.pages, 1):
            sizes.append((float(page.width), float(page.height)))
            for w in page.extract_words(extra_attrs=["size"], x_tolerance=1.5, keep_blank_chars=False):
                words.append(Word(n, w["x0"], w["x1"], w["top"], w["bottom"], round(w["size"], 2), w["text"]))
    return words, sizes


def fragments(words: list[Word], page_sizes: list[tuple[float, float]], margins_pt: tuple[float, float]) -> list[Frag]:
    """The body's line fragments in reading order, without running heads and footers (outside the
    top and bottom margins), notes and note markers (by their size)."""
    top_margin, bottom_margin = margins_pt
    kept = [w for w in words
            if w.top >= top_margin - 3 and w.bottom <= page_sizes[w.page - 1][1] - bottom_margin + 3
            and w.size >= MIN_SIZE and abs(w.size - NOTE_SIZE) > 0.05]
    kept.sort(key=lambda w: (w.page, w.bottom, w.x0))
    lines: list[list[Word]] = []
    for w in kept:
        if lines and lines[-1][0].page == w.page and abs(lines[-1][-1].bottom - w.bottom) <= 2.0:
            lines[-1].append(w)
        else:
            lines.append([w])
    out: list[Frag] = []
    for line in lines:
        line.sort(key=lambda w: w.x0)
        runs: list[list[Word]] = [[line[0]]]
        for prev, w in zip(line, line[1:]):
            if w.x0 - prev.x1 > GAP:
                runs.append([w])
            else:
                runs[-1].append(w)
        pending: Word | None = None
        for run in runs:
            number = pending
            pending = None
            if number is None and len(run) > 1 and _MARK.match(run[0].text):
                number, run = run[0], run[1:]
            elif len(run) == 1 and _MARK.match(run[0].text) and run is not runs[-1]:
                pending = run[0]  # a number set apart from its text by a tab
                continue
            out.append(Frag(run[0].page, min(w.top for w in run), max(w.bottom for w in run), run[0].x0, run,
                            number))
        if pending is not None:
            out.append(Frag(pending.page, pending.top, pending.bottom, pending.x0, [pending]))
    out.sort(key=lambda f: (f.page, f.top, f.x0))
    return out


# ----------------------------------------------------------------------------- the outline's blocks


def units(doc: o.Document) -> list[tuple[str, str, int, object]]:
    """The blocks whose breaks are checked, in reading order: (kind, text, group, payload)."""
    out: list[tuple[str, str, int, object]] = []
    group = 0
    previous_table = False
    for block in doc.blocks:
        group += 1
        if isinstance(block, o.Heading):
            out.append(("heading", o.plain_text(block.children), group, None))
        elif isinstance(block, o.Para):
            kind = "legend" if previous_table and block.role == "small" else "para"
            out.append((kind, o.plain_text(block.children), group, block.role))
        elif isinstance(block, o.BulletList):
            for item in block.items:
                text = " ".join(o.plain_text(b.children) for b in item if isinstance(b, o.Para))
                out.append(("item", text, group, block.ordered))
        elif isinstance(block, o.Table):
            if block.caption:
                out.append(("caption", o.plain_text(block.caption), group, None))
            for row in block.rows:
                cells = [" ".join(o.plain_text(b.children) for b in c.blocks if isinstance(b, o.Para)) for c in row]
                out.append(("row", " | ".join(cells), group, (cells, block.kind in FIGURES)))
        previous_table = isinstance(block, o.Table)
    return out


def _match(stream: list[Frag], start: int, target: str, full: bool) -> tuple[int, int] | None:
    """The first run of whole fragments from ``start`` on whose text is ``target``."""
    for i in range(start, len(stream)):
        first = stream[i].full_key if full else stream[i].key
        if not first or not target.startswith(first):
            continue
        got, j = first, i
        while len(got) < len(target) and j + 1 < len(stream):
            j += 1
            nxt = stream[j].full_key if full else stream[j].key
            if not target.startswith(got + nxt):
                break
            got += nxt
        if got == target:
            return i, j
    return None


def place(doc: o.Document, pdf: bytes, margins_pt: tuple[float, float]) -> list[Placed]:
    """Where each block of ``doc`` was drawn in ``pdf``."""
    words, sizes = read_words(pdf)
    return place_fragments(doc, fragments(words, sizes, margins_pt))


def place_fragments(doc: o.Document, stream: list[Frag]) -> list[Placed]:
    """Each block of ``doc`` matched, in reading order, to runs of ``stream``."""
    columns: dict[int, list[Frag]] = {}
    for f in stream:
        bucket = next((b for b in columns if abs(b - f.x0) <= 1.5), round(f.x0))
        columns.setdefault(bucket, []).append(f)
    position = {id(f): i for i, f in enumerate(stream)}
    cursor = 0
    out: list[Placed] = []
    for kind, text, group, payload in units(doc):
        placed = Placed(kind, text, group=group)
        out.append(placed)
        if kind != "row":
            found = _match(stream, cursor, normalise(text), full=kind != "item")
            if found:
                placed.lines = stream[found[0]:found[1] + 1]
                placed.numbers = [f.number for f in placed.lines[:1] if f.number and kind == "item"]
                cursor = found[1] + 1
            continue
        best: list[Frag] = []
        cells, placed.figure = payload  # type: ignore[misc]
        for cell in cells:
            target = normalise(cell)
            if not target:
                continue
            hits = []
            for column in columns.values():
                start = next((k for k, f in enumerate(column) if position[id(f)] >= cursor), len(column))
                m = _match(column, start, target, full=True)
                if m:
                    hits.append(column[m[0]:m[1] + 1])
            if hits:
                first = min(hits, key=lambda run: position[id(run[0])])
                best.extend(first)
        if best:
            placed.lines = sorted(best, key=lambda f: position[id(f)])
            cursor = max(position[id(f)] for f in best) + 1  # rows stack: the next one starts below
    return out


# ----------------------------------------------------------------------------- the rules


def problems(placed: list[Placed]) -> list[str]:
    """Every break a typesetter would not allow, as messages (empty when the pages are clean)."""
    bad: list[str] = []
    for p in placed:
        if not p.lines:
            bad.append(f"not found on any page: {p.where()}")
    found = [p for p in placed if p.lines]
    for k, p in enumerate(found):
        nxt = found[k + 1] if k + 1 < len(found) else None
        if p.kind == "heading" and nxt is not None and nxt.pages[0] != p.pages[-1]:
            bad.append(f"heading last on page {p.pages[-1]}: {p.where()}; next: {nxt.where()}")
        if p.kind in ("para", "legend") and len(p.pages) > 1:
            for a, b in zip(p.pages, p.pages[1:]):
                above = sum(1 for f in p.lines if f.page == a)
                below = sum(1 for f in p.lines if f.page == b)
                if above < 2:
                    bad.append(f"orphan: one line at the foot of page {a}: {p.where()}")
                if below < 2:
                    bad.append(f"widow: one line at the head of page {b}: {p.where()}")
        if p.kind in ("item", "row") and len(p.pages) > 1:
            bad.append(f"{p.kind} split across pages: {p.where()}")
        if p.kind == "caption" and nxt is not None and nxt.kind == "row" and nxt.pages[0] != p.pages[-1]:
            bad.append(f"caption apart from its table: {p.where()}; first row: {nxt.where()}")
        if p.kind == "legend" and k > 0 and found[k - 1].kind == "row" and found[k - 1].pages[-1] != p.pages[0]:
            bad.append(f"legend apart from its table: {p.where()}; last row: {found[k - 1].where()}")
    for group in sorted({p.group for p in found if p.figure}):
        rows = [p for p in found if p.group == group and p.kind == "row"]
        pages = sorted({n for p in rows for n in p.pages})
        if len(pages) > 1:
            bad.append(f"figure split across pages {pages}: its first row is {rows[0].where()}")
    for group in sorted({p.group for p in found if p.kind == "item"}):
        items = [p for p in found if p.kind == "item" and p.group == group]
        for p in items:
            for number in p.numbers:
                gap = p.lines[0].x0 - number.x1
                if gap < MIN_NUMBER_GAP:
                    bad.append(f"list number {number.text!r} touches its text ({gap:.1f} pt): {p.where()}")
        starts = {round(p.lines[0].x0, 0) for p in items}
        if len(starts) > 1:
            bad.append(f"the items of one list start their text at {sorted(starts)}: {items[0].where()}")
    return bad
