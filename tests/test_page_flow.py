"""The page-break checker (page_flow.py) fails on broken layouts, and documents built to stress it
break cleanly in the PDF and in the Word file as LibreOffice lays it out."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from briefgen import outline as o
from briefgen.build import render_format
from briefgen.writers import RenderOptions
from briefgen.writers.pdf.writer import DEFAULT_MARGINS_MM
from libreoffice import soffice, word_as_pdf
from page_flow import Frag, Word, fragments, place, place_fragments, problems
from pdf_layout_check import generated_document

MARGINS_PT = (DEFAULT_MARGINS_MM[0] * 72 / 25.4, DEFAULT_MARGINS_MM[2] * 72 / 25.4)
LEFT = 56.7

# ----------------------------------------------------------------------------- crafted positions

DOC = o.Document(o.DocMeta(title="Crafted"), [
    o.Heading(1, [o.Text("Intro")]),
    o.Para([o.Text("alpha beta gamma delta epsilon zeta")]),
    o.BulletList([[o.Para([o.Text("one two three four")])], [o.Para([o.Text("five six")])]], ordered=True),
    o.Table(header=[[o.Cell([o.Para([o.Text("Actor")])]), o.Cell([o.Para([o.Text("Stance")])])]],
            rows=[[o.Cell([o.Para([o.Text("Alice Smith")])]), o.Cell([o.Para([o.Text("yes")])])],
                  [o.Cell([o.Para([o.Text("Bob")])]), o.Cell([o.Para([o.Text("no")])])]],
            caption=[o.Text("Matrix")], kind="matrix"),
    o.Para([o.Text("yes supports, no opposes")], role="small"),
    o.Heading(1, [o.Text("End")]),
    o.Para([o.Text("last words here")]),
])

# one line per entry: (page, top, x0, text, list number); a clean layout on one page
CLEAN = [
    (1, 60, LEFT, "Intro", None),
    (1, 75, LEFT, "alpha beta", None), (1, 87, LEFT, "gamma delta", None), (1, 99, LEFT, "epsilon zeta", None),
    (1, 111, 72, "one two", "1."), (1, 123, 72, "three four", None), (1, 135, 72, "five six", "2."),
    (1, 150, LEFT, "Matrix", None),
    (1, 165, 60, "Alice", None), (1, 165, 300, "yes", None), (1, 177, 60, "Smith", None),
    (1, 189, 60, "Bob", None), (1, 189, 300, "no", None),
    (1, 204, LEFT, "yes supports, no opposes", None),
    (1, 220, LEFT, "End", None), (1, 235, LEFT, "last words here", None),
]


def _frags(lines) -> list[Frag]:
    out = []
    for page, top, x0, text, number in lines:
        words, x = [], x0
        for token in text.split():
            words.append(Word(page, x, x + 5.0 * len(token), top, top + 9.5, 9.5, token))
            x += 5.0 * len(token) + 2.5
        mark = None if number is None else Word(page, LEFT, LEFT + 8, top, top + 9.5, 9.5, number)
        out.append(Frag(page, top, top + 9.5, x0, words, mark))
    return sorted(out, key=lambda f: (f.page, f.top, f.x0))


def _moved(lines, texts: set[str], page: int = 2, **changes):
    """The clean layout with the lines in ``texts`` on ``page`` (or changed as ``changes`` says)."""
    out = []
    for page_no, top, x0, text, number in lines:
        if text in texts:
            page_no = page
            x0 = changes.get("x0", x0)
        out.append((page_no, top, x0, text, number))
    return out


def test_a_clean_layout_has_no_problems():
    assert problems(place_fragments(DOC, _frags(CLEAN))) == []


@pytest.mark.parametrize("lines, expected", [
    (_moved(CLEAN, {"gamma delta", "epsilon zeta"} | {t for _, _, _, t, _ in CLEAN[4:]}), "orphan"),
    (_moved(CLEAN, {t for _, _, _, t, _ in CLEAN[3:]}), "widow"),
    (_moved(CLEAN, {t for _, _, _, t, _ in CLEAN[1:]}), "heading last on page 1"),
    (_moved(CLEAN, {t for _, _, _, t, _ in CLEAN[5:]}), "item split across pages"),
    (_moved(CLEAN, {t for _, _, _, t, _ in CLEAN[10:]}), "row split across pages"),
    (_moved(CLEAN, {t for _, _, _, t, _ in CLEAN[8:]}), "caption apart from its table"),
    (_moved(CLEAN, {t for _, _, _, t, _ in CLEAN[13:]}), "legend apart from its table"),
    (_moved(CLEAN, {"one two", "three four"}, page=1, x0=64.7), "touches its text"),
    (_moved(CLEAN, {"five six"}, page=1, x0=80), "start their text at"),
    ([line for line in CLEAN if line[3] != "last words here"], "not found on any page"),
], ids=["orphan", "widow", "heading-at-foot", "item-split", "row-split", "caption-apart", "legend-apart",
        "number-touching", "items-misaligned", "block-missing"])
def test_a_broken_layout_is_named(lines, expected):
    found = problems(place_fragments(DOC, _frags(lines)))
    assert any(expected in p for p in found), found


def test_notes_markers_and_running_heads_are_no_body_text_and_gaps_part_table_cells():
    height = 792.0
    words = [
        Word(1, LEFT, 200, 22, 30, 8.0, "Running head"),  # above the top margin
        Word(1, LEFT, 88, 60, 69.5, 9.5, "alpha"), Word(1, 88.2, 93, 58, 64.5, 6.46, "12"),  # a note marker
        Word(1, 90.5, 115, 60, 69.5, 9.5, "beta"),
        Word(1, LEFT, 62, 80, 89.5, 9.5, "10."), Word(1, 72, 100, 80, 89.5, 9.5, "Open"),  # number, then text
        Word(1, 60, 100, 100, 108.5, 8.5, "Alice"), Word(1, 300, 320, 100, 108.5, 8.5, "yes"),  # two cells
        Word(1, LEFT, 300, 700, 707.5, 7.5, "12 A note"),  # the note band
        Word(1, LEFT, 100, 760, 768, 8.0, "Page 1 of 1"),  # below the bottom margin
    ]
    frags = fragments(words, [(612.0, height)], MARGINS_PT)
    assert [(f.key, f.number.text if f.number else None) for f in frags] == [
        ("alphabeta", None), ("Open", "10."), ("Alice", None), ("yes", None)]


# ----------------------------------------------------------------------------- generated documents

WORDS = "security guarantee ceasefire troops alliance deterrence negotiations mandate reassurance border".split()


def stress_document(seed: int) -> o.Document:
    """Headings, paragraphs of two to seven lines, lists (one of twelve items), captioned tables
    with rows of one to four lines, and a figure with its legend, in a deterministic mix."""
    rnd = random.Random(seed)

    def words(k: int) -> str:
        return " ".join(rnd.choice(WORDS) for _ in range(k))

    def cell(text: str) -> o.Cell:
        return o.Cell([o.Para([o.Text(text)])])

    blocks: list = [o.Para([o.Text("Stress")], role="title")]
    n = 0
    for s in range(14):
        blocks.append(o.Heading(1, [o.Text(f"Section {s} {words(2)}")]))
        for _ in range(rnd.randint(1, 4)):
            n += 1
            blocks.append(o.Para([o.Text(f"P{n} " + words(rnd.choice([14, 28, 40, 55, 70])) + ".")]))
        if s == 0:
            blocks.append(o.BulletList([[o.Para([o.Text(f"Q{i} {words(3)}")])] for i in range(12)], ordered=True))
        if s % 3 == 1:
            blocks.append(o.BulletList([[o.Para([o.Text(f"I{n}-{i} " + words(rnd.choice([8, 25, 45, 60])))])]
                                        for i in range(rnd.randint(2, 6))], ordered=True))
        if s % 4 == 2:
            blocks.append(o.Heading(2, [o.Text(f"Sub {s} {words(2)}")]))
            rows = [[cell(f"R{s}-{r} " + words(2)), cell(words(rnd.choice([6, 20, 40])))]
                    for r in range(rnd.randint(3, 8))]
            blocks.append(o.Table(header=[[cell("Risk"), cell("What")]], rows=rows, widths=[1, 3],
                                  caption=[o.Text(f"Table {s}")]))
        if s % 5 == 3:
            rows = [[cell(f"Actor {s}-{r} {words(1)}"), cell("yes"), cell("no")] for r in range(rnd.randint(4, 9))]
            blocks.append(o.Table(header=[[cell("Actor"), cell("A"), cell("B")]], rows=rows, kind="matrix"))
            blocks.append(o.Para([o.Text(f"Legend {s}: " + words(12))], role="small"))
    return o.Document(o.DocMeta(title="Stress", header="Stress {page}", footer="Page {page} of {pages}"), blocks)


@pytest.mark.parametrize("seed", [1, 3, 4, 5])
def test_generated_documents_break_cleanly_in_the_pdf(seed):
    doc = stress_document(seed)
    assert problems(place(doc, render_format(doc, "pdf", RenderOptions()), MARGINS_PT)) == []


def test_a_long_document_with_notes_breaks_cleanly_in_the_pdf():
    doc, _ = generated_document(200)
    assert problems(place(doc, render_format(doc, "pdf", RenderOptions()), MARGINS_PT)) == []


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: the Word layout is not checked")
def test_a_generated_document_breaks_cleanly_in_word_as_libreoffice_renders_it(tmp_path: Path):
    doc = stress_document(1)  # list items that Word would split without keep-lines-together
    pdf = word_as_pdf(render_format(doc, "docx", RenderOptions()), tmp_path)
    assert problems(place(doc, pdf, MARGINS_PT)) == []


def test_small_print_after_any_table_is_its_legend():
    """A legend under a plain table (a risk register with its score key) is held to the same rule
    as a figure's: on the page of the table's last row."""
    grid = o.Document(DOC.meta, [b if not isinstance(b, o.Table) else
                                 o.Table(b.header, b.rows, b.widths, b.caption, "grid") for b in DOC.blocks])
    assert problems(place_fragments(grid, _frags(CLEAN))) == []
    found = problems(place_fragments(grid, _frags(_moved(CLEAN, {t for _, _, _, t, _ in CLEAN[13:]}))))
    assert any("legend apart from its table" in p for p in found), found


# ----------------------------------------------------------------------------- a table pushed to a page end

PADDING = "Padding line {} with a few words, one line."


def _register() -> list[o.Block]:
    """The example's risk register as the 'register' variant draws it: heading, captioned table with
    notes in its rows, and the score key as its legend."""
    import briefgen
    from briefgen.build import settings_for
    from briefgen.compose.composer import compose
    from conftest import EXAMPLE_BRIEF

    report = briefgen.check(briefgen.load(EXAMPLE_BRIEF))
    layout, _ = settings_for(None)
    layout = layout.with_(variants={**layout.variants, "risks": "register"}, limits={})
    blocks = compose(report.brief, layout, report).blocks
    start = next(i for i, b in enumerate(blocks) if isinstance(b, o.Heading) and b.anchor == "risks")
    out = blocks[start:start + 3]
    assert [type(b) for b in out] == [o.Heading, o.Table, o.Para] and out[2].role == "small"
    return out


def _long_table() -> list[o.Block]:
    """A 40-row plain table (longer than Word keeps whole) with a two-line legend."""
    def cell(text: str) -> o.Cell:
        return o.Cell([o.Para([o.Text(text)])])

    rows = [[cell(f"Row {r}"), cell(f"stance {r} with some words")] for r in range(40)]
    return [o.Table([[cell("Actor"), cell("Stance")]], rows, [1, 3], [o.Text("Long table")]),
            o.Para([o.Text("Key: " + "every row names an actor and the stance it takes on the question. " * 3)],
                   role="small")]


def _padded(blocks: list[o.Block], n: int) -> o.Document:
    pad = [o.Para([o.Text(PADDING.format(i))]) for i in range(n)]
    return o.Document(o.DocMeta(title="Pushed", header="Pushed", footer="Page {page} of {pages}"), [*pad, *blocks])


@pytest.mark.parametrize("table", [_register, _long_table], ids=["risk-register", "long-table"])
def test_a_table_pushed_to_a_page_end_keeps_its_caption_and_legend_in_the_pdf(table):
    """Padding moves the table down line by line across a whole page: the caption always has the
    first row below it, the legend the last row above it, and no heading ends a page."""
    blocks = table()
    for n in range(0, 50):
        doc = _padded(blocks, n)
        assert problems(place(doc, render_format(doc, "pdf", RenderOptions()), MARGINS_PT)) == [], n


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: the Word layout is not checked")
@pytest.mark.parametrize("table, step", [(_register, 4), (_long_table, 2)], ids=["risk-register", "long-table"])
def test_a_table_pushed_to_a_page_end_keeps_its_legend_in_word_as_libreoffice_renders_it(table, step, tmp_path):
    blocks = table()
    for n in range(0, 50, step):
        doc = _padded(blocks, n)
        pdf = word_as_pdf(render_format(doc, "docx", RenderOptions()), tmp_path / str(n))
        assert problems(place(doc, pdf, MARGINS_PT)) == [], n
