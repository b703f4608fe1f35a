"""Read a briefgen PDF back page by page: note numbers, markers, link targets and text positions."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field

from pypdf import PdfReader

from briefgen.writers.pdf.writer import DEFAULT_MARGINS_MM

NOTE_SIZE = 7.5  # the note style's font size (briefgen.writers.pdf)
CONT_SIZE = 6.6  # the "continued on next page" label (apart from 6.8, a marker in 10 pt text)
MARKER_MAX = 7.0  # superscript markers are 0.68 x the text size (6.5 in body text, 5.6 in tables)


@dataclass
class Chunk:
    """A run of text as drawn: text, baseline position and font size."""

    text: str
    x: float
    y: float
    size: float


@dataclass
class Page:
    """What one page holds."""

    number: int
    chunks: list[Chunk] = field(default_factory=list)
    markers: list[int] = field(default_factory=list)  # superscript numbers in the body, in drawing order
    notes: list[int] = field(default_factory=list)  # note numbers printed in the note band
    links_to: list[int] = field(default_factory=list)  # pages that internal links on this page point at
    uris: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All the text of the page."""
        return "\n".join(c.text for c in self.chunks)


def read_pages(data: bytes, left_margin: float = DEFAULT_MARGINS_MM[3] * 72 / 25.4) -> list[Page]:
    """Parse every page of ``data``."""
    reader = PdfReader(io.BytesIO(data))
    page_no = {p.indirect_reference.idnum: i + 1 for i, p in enumerate(reader.pages)}
    out: list[Page] = []
    for i, pdf_page in enumerate(reader.pages, start=1):
        page = Page(i)

        def visit(text, cm, tm, font_dict, font_size, page=page):
            if text.strip():
                x = cm[4] + tm[4] * cm[0]
                y = cm[5] + tm[5] * cm[3]
                page.chunks.append(Chunk(text.strip(), x, y, round(font_size * tm[0] * cm[0], 3)))

        pdf_page.extract_text(visitor_text=visit)
        for c in page.chunks:
            if c.y <= 1.0:  # form XObject content (page total) reported at the origin
                continue
            if c.text.isdigit() and c.size < MARKER_MAX and c.size != CONT_SIZE:
                page.markers.append(int(c.text))
            elif abs(c.size - NOTE_SIZE) < 0.01 and abs(c.x - left_margin) < 1.0:
                m = re.match(r"(\d+)(\s|$)", c.text)  # the number hangs at the margin before the text
                if m:
                    page.notes.append(int(m.group(1)))
        for annot in pdf_page.get("/Annots", []) or []:
            a = annot.get_object()
            if "/Dest" in a:
                page.links_to.append(page_no.get(a["/Dest"][0].idnum, -1))
            elif "/A" in a and a["/A"].get("/URI"):
                page.uris.append(str(a["/A"]["/URI"]))
        out.append(page)
    return out


def check_notes(pages: list[Page], count: int, body_bottom: float = DEFAULT_MARGINS_MM[2] * 72 / 25.4) -> None:
    """Every note number appears exactly once, in order, on the page of its marker; no overlap."""
    printed = [n for p in pages for n in p.notes]
    assert printed == list(range(1, count + 1)), _first_difference(printed, count)
    marked = [n for p in pages for n in p.markers]
    assert marked == list(range(1, count + 1)), _first_difference(marked, count)
    for p in pages:
        assert sorted(p.markers) == sorted(p.notes), f"page {p.number}: markers {p.markers} notes {p.notes}"
        assert all(t == p.number for t in p.links_to), f"page {p.number} links to pages {set(p.links_to)}"
        check_no_overlap(p, body_bottom)


def check_no_overlap(p: Page, body_bottom: float = DEFAULT_MARGINS_MM[2] * 72 / 25.4) -> None:
    """Body text on a page stays above its highest note line."""
    note_tops = [c.y + c.size for c in p.chunks if abs(c.size - NOTE_SIZE) < 0.01 or c.size == CONT_SIZE]
    body = [c.y - 0.25 * c.size for c in p.chunks
            if c.y > body_bottom and c.size >= MARKER_MAX and abs(c.size - NOTE_SIZE) >= 0.01]
    if note_tops and body:
        assert min(body) > max(note_tops), (
            f"page {p.number}: body text reaches {min(body):.1f}, notes start at {max(note_tops):.1f}")


def _first_difference(seq: list[int], count: int) -> str:
    for i, n in enumerate(seq):
        if n != i + 1:
            return f"expected {i + 1} at position {i}, found {n} (of {len(seq)}; want {count})"
    return f"found {len(seq)} numbers, want {count}"


# ----------------------------------------------------------------------------- right-to-left text


def has_rtl(text: str) -> bool:
    """True when the text holds a right-to-left letter (Hebrew, Arabic, N'Ko...)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def strong_core(text: str) -> str:
    """Text from its first to its last strongly directional character.

    In a line whose direction is right-to-left (it starts with Hebrew, say), the Unicode bidirectional
    algorithm gives neutral characters at the ends of a left-to-right stretch — spaces, digits, '<',
    brackets — the line's direction, so they are drawn (and mirrored) on the other side; the
    stretch between its first and last letters keeps its order.
    """
    strong = [i for i, ch in enumerate(text) if unicodedata.bidirectional(ch) in ("L", "R", "AL")]
    return text[strong[0]:strong[-1] + 1] if strong else ""


# ----------------------------------------------------------------------------- test documents

WORDS = ("security guarantee ceasefire troops alliance deterrence negotiations mandate reassurance "
         "Україна Київ Ελλάδα Αθήνα café naïve Zürich “quoted” ‘single’ — – AT&T a<b <b>bold</b> x>y").split()


def generated_document(n_notes: int, seed: int = 7, *, long_every: int = 40, table_every: int = 4):
    """A deterministic long brief: sections of paragraphs with notes, tables whose cells cite,
    multi-paragraph notes, and a note every ``long_every`` that is too long for one page band."""
    import random

    from briefgen import outline as o

    rnd = random.Random(seed)

    def words(k: int) -> str:
        return " ".join(rnd.choice(WORDS) for _ in range(k))

    count = 0

    def note() -> o.Note:
        nonlocal count
        count += 1
        tag = f"NOTE{count}:"
        if long_every and count % long_every == 0:
            return o.Note([[o.T(f"{tag} {words(380)}")]])
        if count % 9 == 0:
            second = [o.Emph([o.T(words(12))]), o.T(f" https://example.org/n/{count}")]
            return o.Note([[o.T(f"{tag} {words(25)}")], second])
        return o.Note([[o.T(f"{tag} {words(rnd.randint(6, 24))}, https://example.org/s/{count}.")]])

    blocks: list = [
        o.Para([o.T("Generated brief: <b>markup</b> & “quotes” — Україна, Ελλάδα")], role="title"),
        o.Para([o.T("A long document for the footnote engine")], role="subtitle"),
        o.Para([o.Strong([o.T("Date: ")]), o.T("2025-02-15")], role="meta"),
    ]
    section = 0
    while count < n_notes:
        section += 1
        blocks.append(o.Heading(1, [o.T(f"Section {section}")], anchor=f"s{section}"))
        for _ in range(5):
            kids: list = []
            for _ in range(rnd.randint(1, 4)):
                kids.append(o.T(words(rnd.randint(10, 40)) + "."))
                if count < n_notes:
                    kids.append(note())
                kids.append(o.T(" "))
            blocks.append(o.Para(kids))
        if table_every and section % table_every == 0 and count < n_notes - 4:
            rows = []
            for _ in range(4):
                rows.append([o.Cell([o.Para([o.T(words(3))])]),
                             o.Cell([o.Para([o.T(words(6)), note()])], fill="#FFE699"),
                             o.Cell([o.Para([o.T(words(4))])], align="center")])
            blocks.append(o.Table(header=[[o.Cell([o.Para([o.T(h)])]) for h in ("Actor", "Stance", "Note")]],
                                  rows=rows, widths=[2, 3, 2], caption=[o.T(f"Table {section}")]))
        if section % 5 == 0:
            blocks.append(o.BulletList([[o.Para([o.T(words(10))])] for _ in range(3)]))
    meta = o.DocMeta(title="Generated brief", author="Test Author", subject="Footnote engine",
                     keywords=["test", "notes"], language="en", date="2025-02-15", tlp="TLP:AMBER",
                     banner="UNCLASSIFIED", header="Generated brief — {page}/{pages}",
                     footer="Page {page} of {pages}")
    return o.Document(meta, blocks), count
