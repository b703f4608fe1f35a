"""The example brief as a typesetter would set it: a body of at most four pages, headings kept with
what follows, no widows or orphans, list items and table rows whole, figures with their legends,
list numbers clear of their text; in the PDF and in the Word file as LibreOffice renders it (set in
the bundled fonts only, see libreoffice.py)."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pdfplumber
import pytest

import briefgen
from briefgen import outline as o
from briefgen.build import render_format, settings_for
from briefgen.compose.composer import compose
from briefgen.writers import RenderOptions
from briefgen.writers.pdf.writer import DEFAULT_MARGINS_MM, render
from conftest import EXAMPLE_BRIEF
from libreoffice import soffice, word_as_pdf
from page_flow import place, problems

ANNEX = "Annex A. Positions in detail"
BODY_HEADINGS = ("Key judgments", "Background", "Who stands where", "Policy options", "Recommendations",
                 "Top risks", "Open questions and intelligence gaps")
MARGINS_PT = (DEFAULT_MARGINS_MM[0] * 72 / 25.4, DEFAULT_MARGINS_MM[2] * 72 / 25.4)  # top, bottom
NO_SOFFICE = "LibreOffice (soffice) is not installed: the Word layout is not checked"


def _template(tmp_path: Path, size: str) -> Path:
    """The default template with the page size set."""
    folder = tmp_path / f"brief-{size}"
    shutil.copytree(Path(briefgen.__file__).parent / "templates" / "policy-brief", folder)
    toml = folder / "template.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('# size = "letter"', f'size = "{size}"', 1),
                    encoding="utf-8")
    return folder


class Example:
    """The example brief composed once for a page size, rendered to PDF and to Word (as LibreOffice lays it out)."""

    def __init__(self, size: str, work: Path):
        report = briefgen.check(briefgen.load(EXAMPLE_BRIEF))
        layout, self.options = settings_for(_template(work, size))
        self.size = size
        self.doc = compose(report.brief, layout, report)
        self.pdf = render_format(self.doc, "pdf", self.options)
        self.docx = render_format(self.doc, "docx", self.options)
        self.work = work
        self._word_pdf: bytes | None = None

    @property
    def word_pdf(self) -> bytes:
        """The Word file as LibreOffice renders it (converted on first use)."""
        if self._word_pdf is None:
            self._word_pdf = word_as_pdf(self.docx, self.work / "lo")
        return self._word_pdf


@pytest.fixture(scope="module", params=["letter", "a4"])
def example(request, tmp_path_factory) -> Example:
    return Example(request.param, tmp_path_factory.mktemp(f"example-{request.param}"))


def _pages_text(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [page.extract_text() or "" for page in doc.pages]


def _heading_pages(pages: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for n, text in enumerate(pages, 1):
        for line in text.splitlines():
            if line.strip() in (*BODY_HEADINGS, ANNEX):
                found.setdefault(line.strip(), n)
    return found


def _check_body(pages: list[str], what: str) -> None:
    found = _heading_pages(pages)
    assert set(found) == {*BODY_HEADINGS, ANNEX}, (what, found)
    # the annexes open on a page of their own, so the body is every page before it
    assert found[ANNEX] <= 5, f"{what}: the body runs to {found[ANNEX] - 1} pages"
    assert [found[h] for h in BODY_HEADINGS] == sorted(found[h] for h in BODY_HEADINGS), what


def test_pdf_body_fits_four_pages(example):
    _check_body(_pages_text(example.pdf), f"PDF {example.size}")


def test_pdf_pages_break_as_a_typesetter_would(example):
    """Headings with what follows, no widows or orphans, items and rows whole, figures with their
    legends, list numbers clear of their text."""
    assert problems(place(example.doc, example.pdf, MARGINS_PT)) == []


@pytest.mark.skipif(soffice() is None, reason=NO_SOFFICE)
def test_word_body_fits_four_pages_as_libreoffice_renders_it(example):
    pdf = example.word_pdf
    pages = _pages_text(pdf)
    _check_body(pages, f"Word {example.size}")
    _check_headings_keep_with_next(pdf, f"Word {example.size}")
    # page 1 does not repeat the title in the running head right above the title block
    assert pages[0].count("Foreign troops in Ukraine before NATO membership") == 1
    # set in the house face the project ships, whatever fonts the machine has
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        faces = {c["fontname"].split("+")[-1] for page in doc.pages for c in page.chars}
    assert faces and all(face.startswith("Carlito") for face in faces), faces


@pytest.mark.skipif(soffice() is None, reason=NO_SOFFICE)
def test_word_pages_break_as_a_typesetter_would_as_libreoffice_renders_them(example):
    assert problems(place(example.doc, example.word_pdf, MARGINS_PT)) == []


def _check_headings_keep_with_next(pdf: bytes, what: str) -> None:
    """No page ends with a heading: the last line above the notes and footer is never a heading."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for n, page in enumerate(doc.pages, 1):
            lines = page.extract_text_lines()
            body = [ln for ln in lines if ln["top"] > 60 and not re.match(r"^(\d+\s|Page \d+ of|TLP:)", ln["text"])]
            headings = [ln for ln in body if ln["text"].strip() in (*BODY_HEADINGS, ANNEX) or
                        all(ch.get("size", 0) >= 11.9 for ch in ln["chars"])]
            if not body or not headings:
                continue
            last = max(body, key=lambda ln: ln["top"])
            assert last not in headings, f"{what} page {n} ends with the heading {last['text']!r}"


def test_pdf_headings_keep_with_next():
    _check_headings_keep_with_next(briefgen.render(briefgen.load(EXAMPLE_BRIEF), "pdf"), "PDF")


def test_list_numbers_of_any_width_never_touch_their_text():
    items = [[o.Para([o.Text("Open question about the mandate")])] for _ in range(120)]
    doc = o.Document(o.DocMeta(title="Lists"), [o.BulletList(items, ordered=True)])
    with pdfplumber.open(io.BytesIO(render(doc, RenderOptions()).data)) as pdf:
        words = [w for page in pdf.pages for w in page.extract_words(keep_blank_chars=False)]
    assert not [w["text"] for w in words if re.match(r"^\d+\.\S", w["text"])]
    numbers = [i for i, w in enumerate(words) if re.fullmatch(r"\d+\.", w["text"])]
    assert len(numbers) == 120
    for i in numbers:
        number, text = words[i], words[i + 1]
        assert text["text"] == "Open" and text["x0"] - number["x1"] >= 2.0, (number, text)
    # every item's text starts at the same place, whatever the width of its number
    assert len({round(words[i + 1]["x0"], 1) for i in numbers}) == 1


def test_word_table_rows_never_split_and_short_tables_keep_with_their_legend():
    docx = briefgen.render(briefgen.load(EXAMPLE_BRIEF), "docx")
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    rows = re.findall(r"<w:tr>(.*?)</w:tr>", xml, re.S)
    assert rows and all("<w:cantSplit/>" in row for row in rows)
    matrix = next(t for t in re.findall(r"<w:tbl>.*?</w:tbl>", xml, re.S) if ">yes<" in t)
    assert matrix.count("<w:keepNext/>") >= matrix.count("<w:p>") + matrix.count("<w:p ") - 1


def test_pdf_figures_stay_with_their_legends():
    pages = _pages_text(briefgen.render(briefgen.load(EXAMPLE_BRIEF), "pdf"))
    legend = next(n for n, t in enumerate(pages) if "supports on a condition" in t)
    assert "Friedrich Merz" in pages[legend], "the stance matrix's last row and its legend share a page"
    key = next(n for n, t in enumerate(pages) if "Score = likelihood × impact" in t)
    assert "Heat map" in pages[key], "the heat map and its key share a page"


@pytest.mark.skipif(soffice() is None, reason=NO_SOFFICE)
def test_pdf_and_word_set_every_block_in_the_same_face_and_size(example):
    """One house style: each heading, paragraph, list item, caption, legend and table row (the
    stance matrix's cells among them) of the example is drawn in Carlito at the same size in the
    PDF and in the Word file as LibreOffice renders it."""
    def sizes(pdf: bytes) -> list[tuple[str, str, tuple[float, ...]]]:
        return [(p.kind, p.text[:40], tuple(sorted({round(w.size, 1) for f in p.lines for w in f.words})))
                for p in place(example.doc, pdf, MARGINS_PT) if p.lines]

    in_pdf, in_word = sizes(example.pdf), sizes(example.word_pdf)
    assert len(in_pdf) == len(in_word) > 100
    assert in_pdf == in_word
    matrix = next(b for b in example.doc.blocks if isinstance(b, o.Table) and b.kind == "matrix")
    first = o.plain_text(matrix.rows[0][0].blocks[0].children)
    cells = [s for k, t, s in in_pdf if k == "row" and t.startswith(first)]
    assert cells == [(8.5,)], cells  # reference.docx's Table Text, in both
    for pdf in (example.pdf, example.word_pdf):
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            assert all(c["fontname"].split("+")[-1].startswith("Carlito") for page in doc.pages for c in page.chars)


def _wide_matrix_brief():
    """The example brief with eight options (the most a stance matrix shows), three of them with
    long titles, and every third actor with a long name."""
    report = briefgen.check(briefgen.load(EXAMPLE_BRIEF))
    brief = report.brief
    copied = brief.options[:3]
    extra = [opt.model_copy(update={"id": f"{opt.id}-bis",
                                    "title": f"{opt.title} under a reinforced multinational peacekeeping mandate"})
             for opt in copied]
    ids = {opt.id for opt in copied}
    positions = [p.model_copy(update={"about": f"{p.about}-bis"}) for p in brief.positions if p.about in ids]
    actors = [a.model_copy(update={"name": f"{a.name} (Permanent Representation to the North Atlantic Council)"})
              if i % 3 == 0 else a for i, a in enumerate(brief.actors)]
    wide = brief.model_copy(update={"options": [*brief.options, *extra], "positions": [*brief.positions, *positions],
                                    "actors": actors})
    return wide, report


@pytest.mark.parametrize("size", ["letter", "a4"])
def test_a_wide_stance_matrix_fits_the_page_width_in_the_pdf_and_in_word(size, tmp_path):
    """Eight options and long actor names: every word of the matrix lies between the margins, on
    one page, in Table Text size, in the PDF and in Word as LibreOffice renders it."""
    brief, report = _wide_matrix_brief()
    layout, options = settings_for(_template(tmp_path, size))
    doc = compose(brief, layout, report)
    k = next(i for i, b in enumerate(doc.blocks) if isinstance(b, o.Table) and b.kind == "matrix")
    matrix = doc.blocks[k]
    assert len(matrix.header[0]) == 9
    only = o.Document(doc.meta, [matrix, doc.blocks[k + 1]])
    outputs = {"PDF": render_format(only, "pdf", options)}
    if soffice() is not None:
        outputs["Word"] = word_as_pdf(render_format(only, "docx", options), tmp_path / "lo")
    for what, pdf in outputs.items():
        placed = place(only, pdf, MARGINS_PT)
        assert problems(placed) == [], what
        rows = [p for p in placed if p.kind == "row"]
        assert len(rows) == len(matrix.rows) and {n for p in rows for n in p.pages} == {1}, what
        assert {round(w.size, 1) for p in rows for f in p.lines for w in f.words} == {8.5}, what
        with pdfplumber.open(io.BytesIO(pdf)) as pages:
            page = pages.pages[0]
            left = DEFAULT_MARGINS_MM[3] * 72 / 25.4
            right = float(page.width) - DEFAULT_MARGINS_MM[1] * 72 / 25.4
            body = [w for w in page.extract_words() if MARGINS_PT[0] - 3 <= w["top"] <= page.height - MARGINS_PT[1]]
            assert body and all(left - 1 <= w["x0"] and w["x1"] <= right + 1 for w in body), \
                (what, [(w["text"], w["x0"], w["x1"]) for w in body if w["x0"] < left - 1 or w["x1"] > right + 1])
