"""Word writer: native footnotes, valid XML order, styles from the reference document, reproducible bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Mm, Pt, RGBColor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from briefgen.brief import models as m
from briefgen.brief.check import check_file
from briefgen.compose.composer import citation_points, compose
from briefgen.outline import DocMeta, Document, Link, Note, Para, Text
from briefgen.textsafe import UnsafeTextWarning
from briefgen.writers import RenderOptions
from briefgen.writers.docx.writer import DEFAULT_REFERENCE, REQUIRED_STYLES, write
from richbrief import CITATION_POINTS, FULL, make_rich_brief

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
REPO = Path(__file__).resolve().parent.parent


def q(tag: str) -> str:
    return "{%s}%s" % (W, tag)


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rich")
    report = check_file(make_rich_brief(folder))
    assert report.ok()
    doc = compose(report.brief, FULL)
    data = write(doc)
    path = folder / "rich.docx"
    path.write_bytes(data)
    return {"brief": report.brief, "doc": doc, "data": data, "path": path, "folder": folder}


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def rels(data: bytes, name: str) -> dict[str, tuple[str, str, str]]:
    root = part(data, name)
    return {r.get("Id"): (r.get("Type").rsplit("/", 1)[-1], r.get("Target"), r.get("TargetMode", ""))
            for r in root}


# --------------------------------------------------------------------------- footnotes


def test_separators_are_minus_one_and_zero_and_settings_point_at_them(rich):
    notes = part(rich["data"], "word/footnotes.xml")
    first, second = notes[0], notes[1]
    assert (first.get(q("type")), first.get(q("id"))) == ("separator", "-1")
    assert (second.get(q("type")), second.get(q("id"))) == ("continuationSeparator", "0")
    assert first.find(".//w:separator", NS) is not None and first.find(".//w:footnoteRef", NS) is None
    settings_ = part(rich["data"], "word/settings.xml")
    refs = [f.get(q("id")) for f in settings_.findall("w:footnotePr/w:footnote", NS)]
    assert refs == ["-1", "0"]
    assert settings_.find("w:endnotePr", NS) is None


def test_one_note_per_citation_point_with_unique_ids_and_a_number_mark(rich):
    notes = part(rich["data"], "word/footnotes.xml")
    body = part(rich["data"], "word/document.xml")
    normal = [n for n in notes if n.get(q("type")) is None]
    ids = [n.get(q("id")) for n in normal]
    assert len(normal) == CITATION_POINTS == citation_points(rich["brief"])
    assert ids == [str(i) for i in range(1, CITATION_POINTS + 1)]
    refs = [r.get(q("id")) for r in body.iter(q("footnoteReference"))]
    assert refs == ids  # each note referenced exactly once, in reading order
    for note in normal:
        paras = note.findall("w:p", NS)
        assert paras[0].find("w:pPr/w:pStyle", NS).get(q("val")) == "FootnoteText"
        mark = paras[0].find("w:r", NS)
        assert mark.find("w:footnoteRef", NS) is not None
        assert mark.find("w:rPr/w:rStyle", NS).get(q("val")) == "FootnoteReference"
    for ref in body.iter(q("footnoteReference")):
        assert ref.getparent().find("w:rPr/w:rStyle", NS).get(q("val")) == "FootnoteReference"


def test_footnotes_part_is_related_and_has_its_content_type(rich):
    doc_rels = rels(rich["data"], "word/_rels/document.xml.rels")
    assert ("footnotes", "footnotes.xml", "") in doc_rels.values()
    types = part(rich["data"], "[Content_Types].xml")
    overrides = {o.get("PartName"): o.get("ContentType") for o in types}
    assert overrides["/word/footnotes.xml"].endswith("wordprocessingml.footnotes+xml")


def test_links_in_notes_are_related_from_the_footnotes_part(rich):
    notes = part(rich["data"], "word/footnotes.xml")
    note_rels = rels(rich["data"], "word/_rels/footnotes.xml.rels")
    links = notes.findall(".//w:hyperlink", NS)
    assert links
    for link in links:
        kind, target, mode = note_rels[link.get("{%s}id" % R)]
        assert kind == "hyperlink" and mode == "External" and target.startswith("https://")
        assert link.find("w:r/w:rPr/w:rStyle", NS).get(q("val")) == "Hyperlink"


def test_run_properties_come_first_and_paragraph_properties_first(rich):
    for name in ("word/document.xml", "word/footnotes.xml", "word/header1.xml", "word/footer1.xml"):
        root = part(rich["data"], name)
        for r in root.iter(q("r")):
            kids = [c.tag for c in r]
            if q("rPr") in kids:
                assert kids.index(q("rPr")) == 0, name
        for p in root.iter(q("p")):
            kids = [c.tag for c in p]
            if q("pPr") in kids:
                assert kids.index(q("pPr")) == 0, name


def test_python_docx_reopens_the_file(rich):
    reopened = docx.Document(io.BytesIO(rich["data"]))
    texts = [p.text for p in reopened.paragraphs]
    assert "Security guarantees for Ukraine — «гарантії безпеки»" in texts
    assert len(reopened.tables) == 4
    # note text lives in the footnotes part, not in the body
    assert not any("a force of up to 30,000 troops" in t for t in texts)


# --------------------------------------------------------------------------- body


def test_tables_have_repeating_header_rows_and_coloured_cells(rich):
    body = part(rich["data"], "word/document.xml")
    tbls = body.findall(".//w:tbl", NS)
    assert len(tbls) == 4
    for tbl in tbls:
        first = tbl.find("w:tr", NS)
        assert first.find("w:trPr/w:tblHeader", NS) is not None
        assert tbl.find("w:tblPr/w:tblStyle", NS).get(q("val")) == "Table"
    heat = tbls[2]
    fills = [tc.find("w:tcPr/w:shd", NS).get(q("fill")) for tr in heat.findall("w:tr", NS)[1:]
             for tc in tr.findall("w:tc", NS)[1:]]
    assert len(fills) == 25 and set(fills) == {"C6EFCE", "FFEB9C", "FFC7CE"}
    stance = tbls[0]
    colours = {r.find("w:rPr/w:color", NS).get(q("val")) for r in stance.iter(q("r"))
               if r.find("w:rPr/w:color", NS) is not None}
    assert {"1E7B34", "B3261E", "9A6700"} <= colours


def test_lists_use_numbering_that_restarts_per_ordered_list(rich):
    body = part(rich["data"], "word/document.xml")
    num_ids = [p.find("w:pPr/w:numPr/w:numId", NS).get(q("val")) for p in body.iter(q("p"))
               if p.find("w:pPr/w:numPr", NS) is not None]
    numbering = part(rich["data"], "word/numbering.xml")
    defined = {n.get(q("numId")) for n in numbering.findall("w:num", NS)}
    assert num_ids and set(num_ids) <= defined
    kinds = [child.tag.split("}")[1] for child in numbering]
    assert kinds.index("num") > max(i for i, k in enumerate(kinds) if k == "abstractNum")


def test_headings_use_heading_styles_and_carry_bookmarks(rich):
    body = part(rich["data"], "word/document.xml")
    h1 = [p for p in body.iter(q("p")) if p.find("w:pPr/w:pStyle", NS) is not None
          and p.find("w:pPr/w:pStyle", NS).get(q("val")) == "Heading1"]
    assert "".join(t.text for t in h1[0].iter(q("t"))) == "Key judgments"
    names = [b.get(q("name")) for b in body.iter(q("bookmarkStart"))]
    assert len(names) == len(set(names)) and all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", n) for n in names)


def test_header_and_footer_carry_the_marking_and_page_fields(rich):
    header = part(rich["data"], "word/header1.xml")
    footer = part(rich["data"], "word/footer1.xml")
    for root in (header, footer):
        text = "".join(t.text or "" for t in root.iter(q("t")))
        assert "UNCLASSIFIED" in text and "TLP:AMBER" in text
        tlp_run = next(r for r in root.iter(q("r")) if "".join(t.text or "" for t in r.iter(q("t"))) == "TLP:AMBER")
        assert tlp_run.find("w:rPr/w:color", NS).get(q("val")) == "FFC000"
        assert tlp_run.find("w:rPr/w:shd", NS).get(q("fill")) == "000000"
        assert int(tlp_run.find("w:rPr/w:sz", NS).get(q("val"))) >= 24  # 12 pt or larger
    instr = [i.text.strip() for i in footer.iter(q("instrText"))]
    assert instr == ["PAGE", "NUMPAGES"]
    assert "Page " in "".join(t.text or "" for t in footer.iter(q("t")))


def test_core_properties_come_from_the_brief(rich):
    props = docx.Document(io.BytesIO(rich["data"])).core_properties
    assert props.title == "Security guarantees for Ukraine — «гарантії безпеки»"
    assert props.author == "Ann Analyst; Bob Writer"
    assert props.subject == "Will European troops be deployed to Ukraine after a ceasefire?"
    assert props.keywords == "Ukraine, peacekeeping"
    assert props.language == "en"
    assert props.category == "UNCLASSIFIED  TLP:AMBER"
    assert props.created == props.modified == dt.datetime(2025, 2, 20, tzinfo=dt.timezone.utc)


def test_two_renders_are_byte_identical_and_zip_times_are_the_brief_date(rich):
    again = write(compose(rich["brief"], FULL))
    assert again == rich["data"]
    with zipfile.ZipFile(io.BytesIO(again)) as z:
        assert {i.date_time for i in z.infolist()} == {(2025, 2, 20, 0, 0, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"


def test_unknown_node_type_fails_loudly():
    class Odd:
        pass

    doc = Document(DocMeta(title="t"), [Odd()])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="cannot render a Odd block"):
        write(doc)


# --------------------------------------------------------------------------- reference documents


@pytest.mark.parametrize("path", sorted({DEFAULT_REFERENCE, *REPO.glob("briefgen/templates/**/reference.docx")}))
def test_every_shipped_reference_document_defines_every_style_the_writer_uses(path):
    styles = docx.Document(str(path)).styles
    have = {(s.name.casefold(), {WD_STYLE_TYPE.PARAGRAPH: "paragraph", WD_STYLE_TYPE.CHARACTER: "character",
                                 WD_STYLE_TYPE.TABLE: "table"}.get(s.type)) for s in styles}
    missing = [name for name, kind in REQUIRED_STYLES if (name.casefold(), kind) not in have]
    assert not missing, f"{path} lacks styles {missing}"


def test_default_reference_uses_words_builtin_ids_for_notes_and_a_letter_page():
    ref = docx.Document(str(DEFAULT_REFERENCE))
    ids = {s.name.casefold(): s.style_id for s in ref.styles}
    assert ids["footnote text"] == "FootnoteText" and ids["footnote reference"] == "FootnoteReference"
    assert ref.styles["footnote reference"].font.superscript is True
    section = ref.sections[0]
    assert (round(section.page_width.inches, 2), round(section.page_height.inches, 2)) == (8.5, 11.0)
    assert round(section.left_margin.mm) == 20  # the margins of the PDF (one house style)


def make_custom_reference(path: Path) -> Path:
    """A reference document with a different Heading 1, an A4 page and its own footer."""
    ref = docx.Document(str(DEFAULT_REFERENCE))
    h1 = ref.styles["Heading 1"]
    h1.font.name = "Georgia"
    h1.font.color.rgb = RGBColor(0x8B, 0x00, 0x00)
    h1.font.size = Pt(20)
    section = ref.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    footer = section.footer
    footer.is_linked_to_previous = False
    footer.paragraphs[0].text = "Custom footer for {title}"
    ref.save(str(path))
    return path


def test_reference_document_changes_fonts_page_size_and_footer(rich, tmp_path):
    ref = make_custom_reference(tmp_path / "custom.docx")
    data = write(rich["doc"], RenderOptions(reference_docx=ref))
    out = docx.Document(io.BytesIO(data))
    h1 = out.styles["Heading 1"]
    assert h1.font.name == "Georgia" and h1.font.color.rgb == RGBColor(0x8B, 0x00, 0x00)
    assert h1.font.size == Pt(20)
    section = out.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    footer_text = "\n".join(p.text for p in section.footer.paragraphs)
    assert "Custom footer for Security guarantees for Ukraine — «гарантії безпеки»" in footer_text
    assert "TLP:AMBER" in footer_text  # the marking is never dropped
    # the body still uses the reference's Heading 1 by id, and the table grid fits the A4 text width
    body = part(data, "word/document.xml")
    grid = sum(int(g.get(q("w"))) for g in body.find(".//w:tblGrid", NS))
    assert grid <= int(170 / 25.4 * 1440) + 5
    default = write(rich["doc"])
    assert docx.Document(io.BytesIO(default)).styles["Heading 1"].font.name != "Georgia"


def test_reference_without_the_writers_styles_gets_them_copied(rich, tmp_path):
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))  # python-docx's own template has no footnote styles
    data = write(rich["doc"], RenderOptions(reference_docx=plain))
    out = docx.Document(io.BytesIO(data))
    names = {s.name.casefold() for s in out.styles}
    for name, _ in REQUIRED_STYLES:
        assert name.casefold() in names
    notes = part(data, "word/footnotes.xml")
    assert notes.find(".//w:pStyle", NS).get(q("val")) == "FootnoteText"


def test_reference_with_its_own_sample_notes_is_cleaned(rich, tmp_path):
    first = tmp_path / "first.docx"
    first.write_bytes(rich["data"])  # a document that already has notes, used as a reference
    data = write(rich["doc"], RenderOptions(reference_docx=first))
    notes = part(data, "word/footnotes.xml")
    assert len(notes) == CITATION_POINTS + 2
    assert data.count(b"word/footnotes.xml") == rich["data"].count(b"word/footnotes.xml")


def test_page_size_option_overrides_the_reference(rich):
    data = write(rich["doc"], RenderOptions(page_size="a4"))
    section = docx.Document(io.BytesIO(data)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_unreadable_reference_document_is_a_clear_error(rich, tmp_path):
    from briefgen.errors import InputError

    bad = tmp_path / "bad.docx"
    bad.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="not a readable .docx"):
        write(rich["doc"], RenderOptions(reference_docx=bad))


# --------------------------------------------------------------------------- external readers


@pytest.mark.skipif(not shutil.which("pandoc"), reason="pandoc is not installed")
def test_pandoc_reads_one_real_note_per_citation_point_with_title_and_quote(rich):
    out = subprocess.run(["pandoc", "-f", "docx", "-t", "markdown", "--wrap=none", str(rich["path"])],
                         capture_output=True, text=True, check=True).stdout
    calls = re.findall(r"\[\^(\d+)\](?!:)", out)
    defs = re.findall(r"^\[\^(\d+)\]: (.*(?:\n    .*)*)", out, flags=re.M)
    assert len(calls) == len(defs) == CITATION_POINTS
    assert not re.search(r"\^\d+\^", out)  # no fake superscript numbers
    brief = rich["brief"]
    # the first note names both sources of the first judgment and quotes both passages
    first = " ".join(defs[0][1].split())
    for cit in brief.key_judgments[0].citations:
        assert cit.quote in first.replace("\\'", "'")
    assert "Europe discusses troops for Ukraine" in first and "Ukraine pushes for foreign troops" in first
    assert "<https://caliber.az/en/post/ukraine-pushes-for-foreign-troops>" in first


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="LibreOffice (soffice) or pdftotext is not installed")
def test_libreoffice_renders_notes_at_the_foot_of_the_page(rich, tmp_path):
    src = tmp_path / "brief.docx"
    src.write_bytes(rich["data"])
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                   capture_output=True, timeout=180, check=True)
    pdf = tmp_path / "brief.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")
    assert "«гарантії безпеки»" in text and "“" in text and "”" in text
    assert "Ми не можемо відмовитися від членства в НАТО" in text
    assert re.search(r"Page 1 of \d+", pages[0])
    # note 1 sits below the body text of its page: its line comes after the reference's paragraph
    first_page = pages[0]
    body_at = first_page.find("European states are preparing")
    note_at = first_page.find("a force of up to 30,000 troops")
    assert 0 <= body_at < note_at
    lines = first_page.rstrip().splitlines()
    note_line = next(i for i, ln in enumerate(lines) if "30,000 troops" in ln)
    assert note_line > len(lines) * 0.6


# --------------------------------------------------------------------------- any user text


_TOKENS = ["\x00", "\x0b", "\ufffe", "\ud800", "<b>", "&amp;", "]]>", "*", "[^1]", "\n", "\t", "«", "“", "Ж"]
_TEXT = st.lists(st.text(max_size=8) | st.sampled_from(_TOKENS), min_size=1, max_size=8).map("".join)


def _doc_with(text: str) -> Document:
    return Document(DocMeta(title=text, author=text, keywords=[text], date="2025-02-20"), [
        Para([Text(text), Note([[Text(text), Text(" "), Link("https://example.org/a?b=1&c=2", [Text(text)])]])]),
    ])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_any_text_gives_well_formed_word_xml_without_crashing(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsafeTextWarning)
        data = write(_doc_with(text))
    body = part(data, "word/document.xml")
    notes = part(data, "word/footnotes.xml")
    from briefgen.textsafe import clean

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsafeTextWarning)
        expected = clean(text)
    got = "".join(t.text or "" for t in body.iter(q("t")))
    flat = expected.replace("\r\n", "").replace("\n", "").replace("\r", "").replace("\t", "")
    assert got == flat
    assert len([n for n in notes if n.get(q("type")) is None]) == 1


def test_illegal_characters_are_removed_with_a_warning():
    with pytest.warns(UnsafeTextWarning, match="U\\+0001"):
        data = write(_doc_with("a\x01b"))
    assert "ab" in "".join(t.text or "" for t in part(data, "word/document.xml").iter(q("t")))


def test_brief_with_control_characters_builds_through_compose(tmp_path):
    report = check_file(make_rich_brief(tmp_path))
    brief: m.Brief = report.brief
    brief.positions[0].summary = "Kyiv\x07 wants <troops> & “guarantees”"
    with pytest.warns(UnsafeTextWarning):
        data = write(compose(brief))
    body = "".join(t.text or "" for t in part(data, "word/document.xml").iter(q("t")))
    assert "Kyiv wants <troops> & “guarantees”" in body


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def _pandoc_notes(path: Path) -> list[str]:
    out = subprocess.run(["pandoc", "-f", "docx", "-t", "markdown", "--wrap=none", str(path)],
                         capture_output=True, text=True, check=True).stdout
    assert not re.search(r"\^\d+\^", out)  # no fake superscripts anywhere
    return [m.group(1) for m in re.finditer(r"^\[\^\d+\]: (.*(?:\n\n?    .*)*)", out, flags=re.M)]


@pytest.mark.skipif(not shutil.which("pandoc"), reason="pandoc is not installed")
@pytest.mark.parametrize("which", ["rich", "example"])
def test_pandoc_sees_every_note_word_for_word_in_reading_order(rich, tmp_path, which):
    from briefgen.outline import walk_notes
    from conftest import EXAMPLE_BRIEF

    if which == "example":
        if not EXAMPLE_BRIEF.exists():
            pytest.skip("the example brief has not been written yet")
        report = check_file(EXAMPLE_BRIEF)
        path = tmp_path / "example.docx"
        path.write_bytes(write(compose(report.brief, FULL)))
        brief = report.brief
    else:
        brief, path = rich["brief"], rich["path"]
    expected = [" ".join(" ".join(_words(plain_text_of(p))) for p in n.paragraphs)
                for n in walk_notes(compose(brief, FULL).blocks)]
    got = [" ".join(_words(n)) for n in _pandoc_notes(path)]
    assert len(got) == citation_points(brief) == len(expected)
    assert got == expected
    # every citation's quote is in some note (pandoc escapes quotes; compare words)
    all_notes = " ".join(got)
    for _, cit in brief.iter_citations():
        assert " ".join(_words(cit.quote)) in all_notes


def plain_text_of(inlines) -> str:
    from briefgen.outline import plain_text

    return plain_text(inlines)


def test_endnotes_option_puts_the_notes_at_the_end(rich, tmp_path):
    data = write(rich["doc"], RenderOptions(notes="endnotes"))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "word/endnotes.xml" in names and "word/footnotes.xml" not in names
    notes = part(data, "word/endnotes.xml")
    assert [(n.get(q("type")), n.get(q("id"))) for n in notes[:2]] == [("separator", "-1"), ("continuationSeparator", "0")]
    normal = [n for n in notes if n.get(q("type")) is None]
    assert len(normal) == CITATION_POINTS
    assert all(n.find("w:p/w:r/w:endnoteRef", NS) is not None for n in normal)
    assert normal[0].find("w:p/w:pPr/w:pStyle", NS).get(q("val")) == "EndnoteText"
    body = part(data, "word/document.xml")
    assert len(list(body.iter(q("endnoteReference")))) == CITATION_POINTS
    assert not list(body.iter(q("footnoteReference")))
    settings_ = part(data, "word/settings.xml")
    assert settings_.find("w:footnotePr", NS) is None
    assert [e.get(q("id")) for e in settings_.findall("w:endnotePr/w:endnote", NS)] == ["-1", "0"]
    assert any(t == "hyperlink" for t, _, _ in rels(data, "word/_rels/endnotes.xml.rels").values())
    if shutil.which("pandoc"):
        path = tmp_path / "end.docx"
        path.write_bytes(data)
        assert len(_pandoc_notes(path)) == CITATION_POINTS


@pytest.mark.skipif(not shutil.which("pandoc"), reason="pandoc is not installed")
def test_pandocs_own_reference_docx_works_as_a_reference(rich, tmp_path):
    ref = tmp_path / "pandoc-reference.docx"
    subprocess.run(["pandoc", "-o", str(ref), "--print-default-data-file", "reference.docx"], check=True)
    data = write(rich["doc"], RenderOptions(reference_docx=ref))
    out = docx.Document(io.BytesIO(data))
    ids = {s.name.casefold(): s.style_id for s in out.styles}
    assert ids["footnote text"] == "FootnoteText" and ids["compact"] == "Compact"
    notes = part(data, "word/footnotes.xml")
    assert len([n for n in notes if n.get(q("type")) is None]) == CITATION_POINTS  # its sample note is gone
    path = tmp_path / "out.docx"
    path.write_bytes(data)
    assert len(_pandoc_notes(path)) == CITATION_POINTS


# ECMA-376 sequences (the subsets a brief can contain), to check child order where Word is strict.
_SEQUENCES = {
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
            "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
            "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
            "sectPr", "pPrChange"],
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
            "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w",
            "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
            "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
              "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"],
    "lvl": ["start", "numFmt", "lvlRestart", "pStyle", "isLgl", "suff", "lvlText", "lvlPicBulletId", "legacy",
            "lvlJc", "pPr", "rPr"],
    "tbl": ["bookmarkStart", "tblPr", "tblGrid", "tr"],
    "tc": ["tcPr", "p", "tbl"],
}


def test_property_elements_follow_the_schema_sequence(rich):
    for name in ("word/document.xml", "word/footnotes.xml", "word/header1.xml", "word/footer1.xml",
                 "word/numbering.xml"):
        root = part(rich["data"], name)
        for tag, order in _SEQUENCES.items():
            for el in root.iter(q(tag)):
                kids = [c.tag.split("}")[1] for c in el if c.tag.startswith("{%s}" % W)]
                positions = [order.index(k) for k in kids if k in order]
                assert positions == sorted(positions), (name, tag, kids)
                if tag == "tc":
                    assert kids[-1] == "p", (name, "a cell must end with a paragraph")


_STYLE_SEQUENCE = ["name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority", "semiHidden",
                   "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose", "personalReply", "rsid",
                   "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr"]


def test_default_reference_styles_follow_the_schema_sequence():
    with zipfile.ZipFile(DEFAULT_REFERENCE) as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
    for style in styles.findall("w:style", NS):
        kids = [c.tag.split("}")[1] for c in style]
        positions = [_STYLE_SEQUENCE.index(k) for k in kids]
        assert positions == sorted(positions), (style.get(q("styleId")), kids)
        for tag, order in (("pPr", _SEQUENCES["pPr"]), ("rPr", _SEQUENCES["rPr"])):
            for el in style.findall(f"w:{tag}", NS):
                pos = [order.index(c.tag.split("}")[1]) for c in el if c.tag.split("}")[1] in order]
                assert pos == sorted(pos), (style.get(q("styleId")), tag)


def test_first_and_even_page_headers_of_a_reference_also_carry_the_marking(rich, tmp_path):
    ref_doc = docx.Document(str(DEFAULT_REFERENCE))
    section = ref_doc.sections[0]
    section.different_first_page_header_footer = True
    ref_doc.settings.odd_and_even_pages_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    section.first_page_header.paragraphs[0].text = "First page of {title}"
    ref = tmp_path / "pages.docx"
    ref_doc.save(str(ref))
    out = docx.Document(io.BytesIO(write(rich["doc"], RenderOptions(reference_docx=ref))))
    sec = out.sections[0]
    for hf in (sec.header, sec.first_page_header, sec.even_page_header, sec.footer, sec.first_page_footer,
               sec.even_page_footer):
        assert "TLP:AMBER" in "\n".join(p.text for p in hf.paragraphs)
    assert sec.first_page_header.paragraphs[0].text.startswith("First page of Security guarantees for Ukraine")


def _pandoc_docx_text(data: bytes, tmp_path: Path) -> list[str]:
    """The plain text of each body paragraph as pandoc reads the .docx (via its JSON AST)."""
    import json

    path = tmp_path / "t.docx"
    path.write_bytes(data)
    ast = json.loads(subprocess.run(["pandoc", "-f", "docx", "-t", "json", str(path)], capture_output=True,
                                    text=True, check=True).stdout)

    def text(inlines):
        out = []
        for node in inlines:
            t, c = node["t"], node.get("c")
            if t == "Str":
                out.append(c)
            elif t in ("Space", "SoftBreak", "LineBreak"):
                out.append(" ")
            elif t == "Quoted":
                mark = '"' if c[0]["t"] == "DoubleQuote" else "'"
                out.append(mark + text(c[1]) + mark)
            elif t in ("Emph", "Strong", "Span", "Underline"):
                out.append(text(c if t != "Span" else c[1]))
            elif t == "Note":
                out.append("[NOTE]")
            else:
                out.append(f"<{t}>")
        return "".join(out)

    return [text(b["c"]) for b in ast["blocks"] if b["t"] == "Para"]


_MARKUP = ["*not bold*", "<b>tag</b>", "&amp; &", "[^1]", "# hash", "1. one", "$x$", "@cite", "| pipe |",
           "\\back\\slash", "«Ж» “q” ‘s’", "a  b   c"]


@pytest.mark.skipif(not shutil.which("pandoc"), reason="pandoc is not installed")
def test_markup_like_text_round_trips_through_word(tmp_path):
    paras = [Para([Text(t)]) for t in _MARKUP]
    got = _pandoc_docx_text(write(Document(DocMeta(title="t", date="2025-01-01"), paras)), tmp_path)
    assert got == [" ".join(t.split()) for t in _MARKUP]


# --------------------------------------------------------------------------- the package around the body

_MAIN_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _bare_docx(path: Path, document: str | None = None, extra: dict[str, str] | None = None,
               doc_rels: str = "", overrides: str = "") -> Path:
    """A .docx holding only a main document (no styles, settings, numbering or properties)."""
    document = document or (f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body><w:p/>'
                            f'<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   f'<Override PartName="/word/document.xml" ContentType="{_MAIN_CT}"/>{overrides}</Types>')
        z.writestr("_rels/.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", document)
        if doc_rels:
            z.writestr("word/_rels/document.xml.rels",
                       f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       f'{doc_rels}</Relationships>')
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return path


def _with_main_type(path: Path, content_type: str) -> Path:
    """The same package with another content type for its main document."""
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(_MAIN_CT.encode(), content_type.encode())
    with zipfile.ZipFile(path, "w") as z:
        for n, blob in members.items():
            z.writestr(n, blob)
    return path


def test_a_bare_reference_gets_styles_settings_numbering_and_properties(rich, tmp_path):
    data = write(rich["doc"], RenderOptions(reference_docx=_bare_docx(tmp_path / "bare.docx")))
    out = docx.Document(io.BytesIO(data))
    names = {s.name.casefold() for s in out.styles}
    assert all(name.casefold() in names for name, _ in REQUIRED_STYLES)
    assert out.core_properties.title == rich["doc"].meta.title
    assert round(out.sections[0].page_width.mm) == 210  # the reference's A4 page is kept
    settings_xml = part(data, "word/settings.xml")
    assert [n.get(q("id")) for n in settings_xml.find("w:footnotePr", NS)] == ["-1", "0"]
    assert part(data, "word/numbering.xml").find("w:abstractNum", NS) is not None
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        types = etree.fromstring(z.read("[Content_Types].xml"))
        listed = {t.get("PartName") for t in types if t.get("PartName")}
        members = {"/" + n for n in z.namelist() if n.endswith(".xml") and n != "[Content_Types].xml"}
    assert listed == members  # every part has its content type, and no type names a missing part


def test_a_header_reference_to_a_missing_part_is_replaced_by_ours(rich, tmp_path):
    document = (f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body><w:p/><w:sectPr>'
                f'<w:headerReference w:type="default" r:id="rId9"/></w:sectPr></w:body></w:document>')
    rels = ('<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/header" Target="header9.xml"/>')
    ref = _bare_docx(tmp_path / "dangling.docx", document, doc_rels=rels)
    data = write(rich["doc"], RenderOptions(reference_docx=ref))
    sect = part(data, "word/document.xml").find("w:body/w:sectPr", NS)
    refs = sect.findall("w:headerReference", NS)
    assert len(refs) == 1
    header = docx.Document(io.BytesIO(data)).sections[0].header
    assert "TLP:AMBER" in "\n".join(p.text for p in header.paragraphs)


@pytest.mark.parametrize("broken, named", [
    ({"word/styles.xml": "<w:styles"}, "malformed XML"),
    ({}, "no Word main document"),
    ({"macros": "application/vnd.ms-word.document.macroEnabled.main+xml"}, "holds macros"),
])
def test_a_reference_with_a_broken_part_is_a_clear_error(rich, tmp_path, broken, named):
    from briefgen.errors import InputError

    if "macros" in broken:
        ref = _with_main_type(_bare_docx(tmp_path / "broken.docx"), broken["macros"])
    elif broken:
        rels = ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/styles" Target="styles.xml"/>')
        ref = _bare_docx(tmp_path / "broken.docx", extra=broken, doc_rels=rels, overrides=(
            '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.styles+xml"/>'))
    else:  # the main document's content type is not Word's
        ref = _with_main_type(_bare_docx(tmp_path / "broken.docx"), "text/plain")
    with pytest.raises(InputError, match=f"reference document .*broken.docx is not a readable .docx file .*{named}"):
        write(rich["doc"], RenderOptions(reference_docx=ref))


def test_a_note_inside_a_link_closes_the_link_around_its_call():
    doc = Document(DocMeta(title="t", date="2025-02-20"), [
        Para([Link("https://example.org/x", [Text("before "), Note([[Text("the note")]]), Text(" after")])]),
    ])
    p = part(write(doc), "word/document.xml").find("w:body/w:p", NS)
    kinds = [child.tag.rsplit("}", 1)[1] for child in p if child.tag != q("pPr")]
    assert kinds == ["hyperlink", "r", "hyperlink"]
    assert p[-1].get(f"{{{R}}}id") == p.find("w:hyperlink", NS).get(f"{{{R}}}id")  # one relationship, two spans
    assert p.find("w:r/w:footnoteReference", NS) is not None
    assert ["".join(t.text for t in h.iter(q("t"))) for h in p.findall("w:hyperlink", NS)] == ["before ", " after"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, _TEXT)
def test_any_link_address_and_style_name_survive_as_attributes(url, style_name):
    """Addresses go into relationship targets and style names into attributes: any text reads back as given."""
    from briefgen.textsafe import clean

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsafeTextWarning)
        data = write(Document(DocMeta(title="t", date="2025-02-20"), [Para([Link(url, [Text("x")])])]))
        expected = clean(url)
    targets = [t for t, mode in [(v[1], v[2]) for v in rels(data, "word/_rels/document.xml.rels").values()]
               if mode == "External"]
    assert targets == [expected]
    from briefgen.writers.docx import wml as x

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsafeTextWarning)
        name = clean(style_name)
    p = x.fragment(x.paragraph(name, x.run("y", x.RunFormat(style=name))))[0]
    found = [el.get(q("val")) for el in (p.find("w:pPr/w:pStyle", NS), p.find("w:r/w:rPr/w:rStyle", NS))
             if el is not None]
    assert found == ([name, name] if name else [])  # an empty name is no style at all


def test_a_word_template_works_as_a_reference_and_gives_a_document(rich, tmp_path):
    template_ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
    dotx = _with_main_type(_bare_docx(tmp_path / "ref.dotx"), template_ct)
    data = write(rich["doc"], RenderOptions(reference_docx=dotx))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        types = z.read("[Content_Types].xml").decode()
    assert _MAIN_CT in types and template_ct not in types
    assert docx.Document(io.BytesIO(data)).core_properties.title == rich["doc"].meta.title


@pytest.mark.parametrize("document", [
    # the main namespace as the default one, relationships under another prefix
    f'<document xmlns="{W}" xmlns:rel="{R}"><body><p/><sectPr><pgSz w:w="11906" w:h="16838" xmlns:w="{W}"/>'
    '</sectPr></body></document>',
    # w: bound on the body rather than the root, and r: nowhere
    f'<x:document xmlns:x="{W}"><w:body xmlns:w="{W}"><w:p/><w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
    '</w:sectPr></w:body></x:document>',
])
def test_a_reference_binding_the_word_namespaces_its_own_way_gives_the_same_body(rich, tmp_path, document):
    ordinary = part(write(rich["doc"], RenderOptions(reference_docx=_bare_docx(tmp_path / "plain.docx"))),
                    "word/document.xml")
    data = write(rich["doc"], RenderOptions(reference_docx=_bare_docx(tmp_path / "own.docx", document)))
    own = part(data, "word/document.xml")
    body, expected = own.find(q("body")), ordinary.find(q("body"))
    assert [etree.QName(c).localname for c in body] == [etree.QName(c).localname for c in expected]
    def shape(el):  # names, attributes and text, whatever the prefixes
        return [(e.tag, sorted(e.attrib.items()), e.text) for e in el.iter()]

    assert shape(body) == shape(expected)
    assert ["".join(p.itertext()) for p in body.iter(q("p"))] == ["".join(p.itertext()) for p in expected.iter(q("p"))]
    assert round(docx.Document(io.BytesIO(data)).sections[0].page_width.mm) == 210


def _widow_control(styles: etree._Element, style_id: str) -> bool:
    """Whether paragraphs of ``style_id`` get widow control: the first explicit setting up its
    basedOn chain, else the document defaults, else off (ECMA-376 17.3.1.44)."""
    by_id = {s.get(q("styleId")): s for s in styles.findall("w:style", NS)}
    seen: set[str] = set()
    sid: str | None = style_id
    while sid and sid in by_id and sid not in seen:
        seen.add(sid)
        el = by_id[sid].find("w:pPr/w:widowControl", NS)
        if el is not None:
            return el.get(q("val"), "1") not in ("0", "false", "off")
        based = by_id[sid].find("w:basedOn", NS)
        sid = based.get(q("val")) if based is not None else None
    el = styles.find("w:docDefaults/w:pPrDefault/w:pPr/w:widowControl", NS)
    return el is not None and el.get(q("val"), "1") not in ("0", "false", "off")


def test_body_styles_set_widow_control_even_when_the_reference_turns_it_off(rich, tmp_path):
    """A reference document whose document defaults and Normal style switch widow control off
    still gives every paragraph style the writer sets text in widow and orphan control."""
    off = tmp_path / "no-widow-control.docx"
    with zipfile.ZipFile(DEFAULT_REFERENCE) as src, zipfile.ZipFile(off, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/styles.xml":
                styles = etree.fromstring(data)
                ppr = styles.find("w:docDefaults/w:pPrDefault/w:pPr", NS)
                ppr.insert(0, etree.Element(q("widowControl"), {q("val"): "0"}))
                normal = next(s for s in styles.findall("w:style", NS) if s.get(q("styleId")) == "Normal")
                normal_ppr = normal.find("w:pPr", NS)
                if normal_ppr is None:
                    normal_ppr = etree.SubElement(normal, q("pPr"))
                    normal.insert(list(normal).index(normal.find("w:rPr", NS)), normal_ppr)
                normal_ppr.insert(0, etree.Element(q("widowControl"), {q("val"): "0"}))
                data = etree.tostring(styles, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(item, data)
    for reference in (None, off):
        data = write(rich["doc"], RenderOptions(reference_docx=reference))
        styles = part(data, "word/styles.xml")
        ids = {s.find("w:name", NS).get(q("val")).casefold(): s.get(q("styleId")) for s in styles.findall("w:style", NS)}
        body = [n.casefold() for n in ("Normal", "Body Text", "Compact", "Table Text", "Small Print", "Block Text",
                                       "Bibliography", "Caption", "Table Caption", "Title Block", "Heading 1",
                                       "Footnote Text")]
        assert all(_widow_control(styles, ids[n]) for n in body), [n for n in body if not _widow_control(styles, ids[n])]
        # the setting sits where the schema puts it, and the file still opens
        for style in styles.findall("w:style", NS):
            kids = [c.tag.split("}")[1] for c in style]
            assert [_STYLE_SEQUENCE.index(k) for k in kids] == sorted(_STYLE_SEQUENCE.index(k) for k in kids)
            for ppr in style.findall("w:pPr", NS):
                pos = [_SEQUENCES["pPr"].index(c.tag.split("}")[1]) for c in ppr
                       if c.tag.split("}")[1] in _SEQUENCES["pPr"]]
                assert pos == sorted(pos), style.get(q("styleId"))
        docx.Document(io.BytesIO(data))
    # the reference's own document defaults are kept (only the styles the writer uses are set)
    assert not _widow_control(part(write(rich["doc"], RenderOptions(reference_docx=off)), "word/styles.xml"),
                              "NoSuchStyle")
