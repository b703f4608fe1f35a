"""Any Unicode in any text field of a brief builds to .docx and .pdf, and reads back as written.

Characters XML cannot hold are removed with a warning (never a crash); everything else — right-to-left
scripts, emoji, combining marks, markup-like text, very long words — comes back from the Word file
exactly, and from the PDF wherever the shipped fonts have a glyph for it (a character no shipped
font covers, such as an emoji, still builds but cannot be drawn or read back).
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import unicodedata
import warnings
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader

from briefgen.build import build_brief
from briefgen.compose.wording import clause
from pdf_layout_check import CONT_SIZE, MARKER_MAX, NOTE_SIZE, has_rtl, strong_core
from test_pdf_writer import _readable
from briefgen.compose.citations import nest_quotes
from briefgen.textsafe import _ILLEGAL, UnsafeTextWarning


def clean(text: str) -> str:
    """What the writers keep of ``text`` (the XML-illegal characters removed), without warning."""
    return _ILLEGAL.sub("", text)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

_interesting = st.sampled_from([
    "<b>", "</b>", "a < b", "AT&T", "]]>", "&amp;", "\u202eevil", "שלום", "مرحبا", "😀", "👩‍👩‍👧",
    "e\u0301", "Ж", "Ω", "“", "”", "‘", "—", "\u00a0", "\t", "\x00", "\x0b", "\ufffe", "x" * 120,
    "{title}", "[^1]", "*", "_", "\\", "#", "|",
])
TEXT = st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cn")), max_size=12) | _interesting,
                min_size=1, max_size=5).map("".join).filter(lambda s: clean(s).strip() != "")

_FIELD_NAMES = (
    "title", "question", "author", "organisation", "audience", "kj", "background", "actor", "role",
    "summary", "condition", "option", "description", "pro", "con", "risk", "event", "mitigation",
    "question2", "why", "resolution", "recommendation", "source_title", "outlet", "quote1", "quote2",
)
FIELDS = st.fixed_dictionaries({k: TEXT for k in _FIELD_NAMES})


def _brief(f: dict[str, str]) -> dict:
    cite1 = [{"source": "s1", "quote": f["quote1"]}]
    cite2 = [{"source": "s2", "quote": f["quote2"]}]
    return {
        "meta": {"title": f["title"], "question": f["question"], "date": "2025-02-15",
                 "authors": [f["author"]], "organisation": f["organisation"], "audience": f["audience"],
                 "marking": {"tlp": "TLP:GREEN"}},
        "key_judgments": [{"id": "kj", "text": f["kj"], "confidence": "low", "likelihood": "likely",
                           "citations": cite1 + cite2}],
        "background": [{"text": f["background"], "citations": cite1}],
        "actors": [{"id": "a", "name": f["actor"], "kind": "person", "role": f["role"]}],
        "positions": [{"actor": "a", "about": "o", "stance": "conditional", "condition": f["condition"],
                       "summary": f["summary"], "citations": cite2}],
        "options": [{"id": "o", "title": f["option"], "description": f["description"],
                     "pros": [f["pro"]], "cons": [f["con"]], "citations": cite1}],
        "risks": [{"id": "r", "title": f["risk"], "event": f["event"], "likelihood": "likely", "impact": 4,
                   "mitigation": [f["mitigation"]], "options": ["o"], "citations": cite2}],
        "open_questions": [{"id": "q", "question": f["question2"], "why": f["why"],
                            "resolution": f["resolution"], "citations": cite1}],
        "recommendations": [{"text": f["recommendation"], "citations": cite2}],
        "sources": [{"id": "s1", "title": f["source_title"], "outlet": f["outlet"], "path": "s1.txt"},
                    {"id": "s2", "title": "Second source", "path": "s2.txt"}],
    }


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        parts = [n for n in zf.namelist() if re.match(r"word/(document|footnotes|header\d*|footer\d*)\.xml$", n)]
        return "\n".join("".join(t.text or "" for t in etree.fromstring(zf.read(n)).iter(f"{W}t")) for n in parts)


def _pdf_flow_text(data: bytes) -> str:
    """The body text of every page in order, then the note text in order (page furniture left out).

    A paragraph or a note split by a page break then reads as one, as the reader follows it.
    """
    body: list[str] = []
    notes: list[str] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        height = float(page.mediabox.height)

        def visit(text, cm, tm, font_dict, font_size):
            size = round(font_size * tm[0] * cm[0], 3)
            y = cm[5] + tm[5] * cm[3]
            if not text.strip() or y < 50 or y > height - 50:  # header, footer, page total
                return
            if abs(size - NOTE_SIZE) < 0.01 or size == CONT_SIZE:
                notes.append(text)
            elif size >= MARKER_MAX:  # superscript note markers are smaller
                body.append(text)

        page.extract_text(visitor_text=visit)
    return "".join(body) + "".join(notes)


_PDF_SCRIPTS = re.compile(r"[\s!-~\u00a0-\u00ff\u0100-\u024f\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff"
                          r"\u0600-\u06ff\u2010-\u2027\u2030-\u205e\u0300-\u036f\u2190-\u21ff]*")


def _pdf_checkable(value: str) -> bool:
    """Text in the scripts the shipped fonts cover (Latin, Greek, Cyrillic, Hebrew, Arabic, punctuation).

    Other characters (Han, most symbols, emoji other than the two below) still build, but a PDF can
    only give back what it could draw with a glyph.
    """
    return bool(_PDF_SCRIPTS.fullmatch(value.replace("\U0001f600", "").replace("\U0001f469\u200d\U0001f469\u200d\U0001f467", "")))


def _squash(text: str) -> str:
    """Text without spaces, decomposed (NFD): with the spaces gone, a value that opens with a combining
    mark would otherwise compose with the last letter of the text before it ('A' + U+0323 -> 'Ạ')."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFD", text))


def _holds(text: str, value: str) -> bool:
    """``text`` holds ``value`` (both squashed). Combining marks at the value's ends need only be present:
    with the spaces squashed away they meet the marks of the neighbouring text, and canonical ordering
    may swap them (è then U+0316 reads e, U+0316, U+0300)."""
    start, end = 0, len(value)
    while start < end and unicodedata.combining(value[start]):
        start += 1
    while end > start and unicodedata.combining(value[end - 1]):
        end -= 1
    return value[start:end] in text and all(ch in text for ch in value[:start] + value[end:])


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(FIELDS)
@example({**{k: "0" for k in _FIELD_NAMES}, "option": "A", "description": "\u0323"})  # composes with 'A'
@example({**{k: "0" for k in _FIELD_NAMES}, "option": "\u00e8", "description": "\u03160"})  # reorders
def test_every_text_field_round_trips_through_word_and_pdf(tmp_path, fields):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    # the sources hold the quotes verbatim, so the brief is grounded
    (folder / "s1.txt").write_bytes(f"Intro. {fields['quote1']} Outro.".encode())
    (folder / "s2.txt").write_bytes(f"Start. {fields['quote2']} End.".encode())
    (folder / "brief.json").write_text(json.dumps(_brief(fields)), encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = build_brief(folder / "brief.json", folder / "out", ("docx", "pdf"))
    # removing characters is announced, never silent
    if any(clean(v) != v for v in fields.values()):
        assert any(issubclass(w.category, UnsafeTextWarning) for w in caught)

    docx_text = _squash(_docx_text(out["docx"]))
    data = out["pdf"].read_bytes()
    # two readings of the same file: body-then-notes (a paragraph split by a page break reads as one)
    # and page by page (text in small print, e.g. a table cell, reads in place)
    pdf_text = _squash(_pdf_flow_text(data)) + "\n" + _squash(
        "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages))
    rtl_nearby = any(has_rtl(v) for v in fields.values())
    for name, value in fields.items():
        shown = clause(clean(value)) if name == "condition" else clean(value)  # printed as "if …" clause
        if name in ("quote1", "quote2", "source_title"):  # printed inside double marks: inner quotes alternate
            shown = nest_quotes(" ".join(shown.split()))
            if name == "source_title" and shown.startswith("[") and shown.endswith("]"):
                shown = shown[2:-1]  # an untitled source's description, without brackets or first letter
        value = shown if name in ("quote1", "quote2", "source_title") else value
        assert _holds(docx_text, _squash(shown)), (name, value)
        # the PDF draws what the shipped fonts have glyphs for; those stretches must all come back
        if not _pdf_checkable(value):
            continue  # still built above without a crash; see _pdf_checkable
        rtl = has_rtl(value)
        for stretch in _readable(unicodedata.normalize("NFC", value)):
            if rtl:  # right-to-left runs are drawn (and so extracted) in visual order
                assert set(_squash(stretch)) <= set(pdf_text), (name, value, stretch)
            elif rtl_nearby:  # beside right-to-left text, leading and trailing neutrals follow its direction
                assert _holds(pdf_text, _squash(strong_core(stretch))), (name, value, stretch)
            else:
                assert _holds(pdf_text, _squash(stretch)), (name, value, stretch)


def test_characters_beyond_the_basic_plane_read_back_from_the_pdf():
    from briefgen import outline as o
    from briefgen.writers import RenderOptions
    from briefgen.writers.pdf.writer import write

    data = write(o.Document(o.DocMeta(title="t"), [o.Para([o.T("Smile 😀 and 𝔸 end")])]), RenderOptions())
    assert "Smile 😀 and 𝔸 end" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_anchors_and_markers_inside_an_over_long_word_are_kept():
    from briefgen import outline as o
    from briefgen.writers import RenderOptions
    from briefgen.writers.pdf.writer import write

    doc = o.Document(o.DocMeta(title="t"), [
        o.Heading(1, [o.T("x" * 120)], anchor="long"),
        o.Para([o.T("y" * 300), o.Note([[o.T("the note")]]), o.T("z" * 200)]),
    ])
    reader = PdfReader(io.BytesIO(write(doc, RenderOptions())))
    assert [item.title for item in reader.outline] == ["x" * 120]  # the bookmark's destination exists
    assert "the note" in "".join(p.extract_text() for p in reader.pages)


def test_a_title_longer_than_a_word_property_allows_still_builds(brief_dir):
    text = (brief_dir / "brief.yaml").read_text(encoding="utf-8")
    (brief_dir / "brief.yaml").write_text(text.replace("title: A test brief", "title: " + "Long " * 80), encoding="utf-8")
    out = build_brief(brief_dir / "brief.yaml", brief_dir / "out", ("docx", "pdf"))
    import docx

    title = docx.Document(str(out["docx"])).core_properties.title
    assert len(title) == 255 and title.endswith("…")
    assert ("Long " * 80).strip() in _docx_text(out["docx"]).replace("\n", "")  # the full title is in the text
