"""Reading sources: one reader per suffix, metadata only where it is really written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.errors import InputError
from briefgen.sources.readers import (SourceReadError, detect_metadata, expand_paths, html_to_text, read_source,
                              sidecar_metadata)


def test_text_file_is_read_natively_with_its_sha256(tmp_path: Path):
    p = tmp_path / "a.txt"
    p.write_text("Officials met.\n", encoding="utf-8")
    doc = read_source(p)
    assert doc.text == "Officials met.\n" and doc.native_text
    assert len(doc.sha256) == 64


def test_markdown_front_matter_becomes_metadata_and_body_starts_after_it(tmp_path: Path):
    p = tmp_path / "a.md"
    p.write_text("---\ntitle: Talks resume\nauthors: [Ann Lee]\npublished: 2025-03-01\n---\nThe body.\n",
                 encoding="utf-8")
    doc = read_source(p)
    assert doc.meta["title"] == "Talks resume"
    assert doc.meta["authors"] == ["Ann Lee"]
    assert doc.text[doc.body_start:] == "The body.\n"


def test_html_keeps_article_text_and_drops_navigation_scripts_and_entities(tmp_path: Path):
    p = tmp_path / "a.html"
    p.write_text(
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><html><head><title>T</title>'
        '<meta property="og:site_name" content="Daily Example"><script>var x = "secret";</script></head>'
        "<body><nav>Home | World | Sport</nav><article><h1>Ministers meet</h1>"
        "<p>The minister said the plan was &ldquo;ready&rdquo;. &xxe;</p></article>"
        "<footer>Copyright</footer></body></html>", encoding="utf-8")
    doc = read_source(p)
    assert "Ministers meet" in doc.text and "The minister said the plan was “ready”." in doc.text
    for junk in ("Home | World", "secret", "Copyright", "root:"):
        assert junk not in doc.text
    assert doc.meta["outlet"] == "Daily Example"
    assert not doc.native_text


def test_docx_paragraphs_and_core_properties(tmp_path: Path):
    import docx

    d = docx.Document()
    d.core_properties.title = "A memo"
    d.core_properties.author = "Jo Bloggs"
    d.add_paragraph("First paragraph of the memo.")
    d.add_paragraph("Second paragraph.")
    p = tmp_path / "m.docx"
    d.save(p)
    doc = read_source(p)
    assert "First paragraph of the memo.\nSecond paragraph." in doc.text
    assert doc.meta == {"title": "A memo", "authors": ["Jo Bloggs"]}


def test_pdf_text_layer_keeps_page_numbers(tmp_path: Path):
    pytest.importorskip("pypdf")
    from reportlab.pdfgen import canvas

    p = tmp_path / "r.pdf"
    c = canvas.Canvas(str(p))
    c.drawString(72, 720, "Page one says the talks stalled.")
    c.showPage()
    c.drawString(72, 720, "Page two says the envoy left.")
    c.save()
    doc = read_source(p)
    assert "talks stalled" in doc.text and "envoy left" in doc.text
    assert doc.page_at(doc.text.index("envoy left")) == 2
    assert doc.page_at(doc.text.index("talks stalled")) == 1


def test_unsupported_missing_and_broken_files_name_the_file(tmp_path: Path):
    with pytest.raises(SourceReadError, match="notes.xyz"):
        (tmp_path / "notes.xyz").write_text("x")
        read_source(tmp_path / "notes.xyz")
    with pytest.raises(SourceReadError, match="gone.txt.*no such file"):
        read_source(tmp_path / "gone.txt")
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(SourceReadError, match="broken.docx"):
        read_source(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    with pytest.raises(SourceReadError, match="empty.txt.*empty"):
        read_source(empty)


def test_folder_expansion_and_sources_yaml_beside_the_files(tmp_path: Path):
    (tmp_path / "b.txt").write_text("B text here.")
    (tmp_path / "a.md").write_text("A text here.")
    (tmp_path / "skip.png").write_bytes(b"\x89PNG")
    (tmp_path / "sources.yaml").write_text("a.md: {title: Alpha, outlet: Example Times}\n")
    files = expand_paths([tmp_path])
    assert [f.name for f in files] == ["a.md", "b.txt"]
    meta = sidecar_metadata(files)
    assert meta[(tmp_path / "a.md").resolve()] == {"title": "Alpha", "outlet": "Example Times"}
    with pytest.raises(InputError, match="no source files"):
        (tmp_path / "emptydir").mkdir()
        expand_paths([tmp_path / "emptydir"])


def test_metadata_detected_only_where_written():
    text = ("Tuesday, February 11, 2025\n\nMinisters Weigh a New Plan for the Border\n\nJANE ROE\n\n"
            "The plan was discussed, Example.Com reports.\n")
    meta = detect_metadata(text, Path("x.txt"))
    assert meta["published"] == dt.date(2025, 2, 11)
    assert meta["title"] == "Ministers Weigh a New Plan for the Border"
    assert meta["authors"] == ["Jane Roe"]
    assert meta["outlet"] == "Example.Com"
    bare = detect_metadata("Someone said something about the plan.\n", Path("notes.txt"))
    assert "published" not in bare and "authors" not in bare and "outlet" not in bare


def test_byline_and_wire_service():
    text = 'Leaders met on Monday, reports "Reuters", quoted by News.bg.\nBy Ann Lee\n'
    meta = detect_metadata(text, Path("x.txt"))
    assert meta["authors"] == ["Ann Lee"]
    assert meta["outlet"] == "News.bg" and meta["derived_from"] == "Reuters"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/&;\"'=!-[]abc pdivscriptnavh1\n#x")), max_size=300))
def test_html_reader_never_crashes(markup: str):
    text, meta = html_to_text(markup)
    assert isinstance(text, str) and isinstance(meta, dict)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_text_reader_reads_or_refuses_cleanly(tmp_path_factory, data: bytes):
    p = tmp_path_factory.mktemp("b") / "x.txt"
    p.write_bytes(data)
    try:
        doc = read_source(p)
    except SourceReadError as exc:
        assert "x.txt" in str(exc)
    else:
        assert doc.text.strip()


_YAMLISH = st.text(st.sampled_from(list("ab:- &*!|>'\"\n\t[]{}#%@`,?<=") + ["\u2028", "\x85", "é"]), max_size=80)


@settings(max_examples=300, deadline=None)
@given(front=_YAMLISH)
def test_any_front_matter_gives_metadata_plain_text_or_one_clear_refusal(tmp_path_factory, front):
    path = tmp_path_factory.mktemp("fm") / "a.md"
    path.write_text(f"---\n{front}\n---\nOfficials met in Brussels on Monday.\n", encoding="utf-8")
    try:
        doc = read_source(path)
    except SourceReadError as exc:
        # only a YAML rule briefgen refuses (an alias, a merge key, a repeated key...), with its place
        assert str(exc).startswith(f"cannot read source {path}: its front matter (line ")
        return
    assert "Officials met in Brussels" in doc.text[doc.body_start:]
    assert all(isinstance(k, str) for k in doc.meta)
