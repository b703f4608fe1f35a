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
