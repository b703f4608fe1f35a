"""The footnote engine on a 200-page brief with 2,000 citations, read back page by page."""

from __future__ import annotations

import pytest

from briefgen.writers import RenderOptions
from briefgen.writers.pdf.writer import render
from pdf_layout_check import check_notes, generated_document, read_pages


# wide margins keep the generated text above 200 pages in the narrow house face
MARGINS = (42, 36, 42, 36)


@pytest.fixture(scope="module")
def big():
    """The rendered 2,000-note document and its pages as read back."""
    doc, count = generated_document(2000)
    result = render(doc, RenderOptions(margins_mm=MARGINS))
    return result, count, read_pages(result.data, left_margin=MARGINS[3] * 72 / 25.4)


def test_big_brief_has_at_least_200_pages_and_2000_notes(big):
    result, count, pages = big
    assert count == 2000 and result.notes == 2000
    assert len(pages) >= 200


def test_every_note_once_in_order_on_its_markers_page_without_overlap(big):
    _, count, pages = big
    check_notes(pages, count, MARGINS[2] * 72 / 25.4)


def test_long_notes_continue_on_the_next_page_with_a_visible_label(big):
    result, _, pages = big
    assert result.log.continued, "the generator's long notes should have run over a page"
    for number in result.log.continued:
        start = result.log.note_pages[number]
        page = pages[start - 1]
        assert "continued on next page" in page.text
        # the rest is on the next page, before that page's own notes
        nxt = pages[start]
        cut = [c for c in nxt.chunks if c.size == 7.5]
        assert cut and not cut[0].text.startswith(f"{number} ")


def test_layout_log_agrees_with_the_pdf(big):
    result, count, pages = big
    for p in pages:
        for n in p.notes:
            assert result.log.note_pages[n] == p.number
            assert result.log.marker_pages[n] == p.number


def _with_figures(n_notes: int, figures: int = 3):
    """The generated document with ``figures`` captioned matrix figures (kept with their caption)
    spread through it, each followed by a legend."""
    from briefgen import outline as o

    doc, count = generated_document(n_notes, table_every=0)
    step = max(1, len(doc.blocks) // (figures + 1))
    blocks = list(doc.blocks)
    for k in range(figures, 0, -1):
        figure = o.Table(header=[[o.Cell([o.Para([o.T(h)])]) for h in ("Actor", "Option A", "Option B")]],
                         rows=[[o.Cell([o.Para([o.T(f"Actor {r}")])]), o.Cell([o.Para([o.T("+")])]),
                                o.Cell([o.Para([o.T("−")])])] for r in range(4)],
                         caption=[o.T(f"Figure {k}")], kind="matrix")
        blocks[k * step:k * step] = [figure, o.Para([o.T("Legend: + supports, − opposes.")], role="small")]
    return o.Document(doc.meta, blocks), count


def test_keeping_a_figure_with_its_caption_does_not_copy_the_notes_laid_out_so_far(monkeypatch):
    """ReportLab measures a kept-together figure on a deep copy of the current frame. The note
    frame's copy shares the notes built so far, so the objects copied per figure stay the same
    whether 100 or 1,600 notes precede it (a plain deep copy copied them all: layout time grew
    with notes × figures)."""
    import reportlab.platypus.flowables as flowables

    real = flowables.deepcopy
    copied: list[int] = []

    def counting(obj, memo=None):
        memo = {} if memo is None else memo
        out = real(obj, memo)
        copied.append(len(memo))
        return out

    monkeypatch.setattr(flowables, "deepcopy", counting)
    most = {}
    for n in (100, 1600):
        copied.clear()
        doc, count = _with_figures(n)
        result = render(doc, RenderOptions())
        assert result.notes == count == n
        assert len(copied) >= 3, "every kept-together figure is measured on a copy of the frame"
        most[n] = max(copied)
    assert most[1600] <= 1.2 * most[100], most
    # the layout is the same as without the copy: every note on its marker's page
    check_notes(read_pages(result.data), count)
