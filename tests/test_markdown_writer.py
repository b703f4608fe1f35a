"""Markdown writer: [^n] notes from the same tree, and user text that pandoc reads back literally."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.brief.check import check_file
from briefgen.compose.composer import compose
from briefgen.outline import (
    BulletList,
    Cell,
    DocMeta,
    Document,
    Emph,
    Heading,
    Link,
    Note,
    Para,
    Strong,
    Table,
    Text,
)
from briefgen.textsafe import UnsafeTextWarning
from briefgen.writers.markdown import escape, write
from richbrief import CITATION_POINTS, FULL, make_rich_brief

HAVE_PANDOC = shutil.which("pandoc") is not None
needs_pandoc = pytest.mark.skipif(not HAVE_PANDOC, reason="pandoc is not installed")


@pytest.fixture(scope="module")
def rich_md(tmp_path_factory):
    report = check_file(make_rich_brief(tmp_path_factory.mktemp("md")))
    return write(compose(report.brief, FULL)).decode("utf-8")


def md(*blocks) -> str:
    return write(Document(DocMeta(title="t"), list(blocks))).decode("utf-8")


def pandoc_json(text: str, reader: str = "markdown-smart") -> dict:
    out = subprocess.run(["pandoc", "-f", reader, "-t", "json"], input=text, capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)


def inline_text(inlines: list) -> str:
    """Literal text of pandoc inlines (Str/Space/Quoted…), the way a reader would see it."""
    out = []
    for node in inlines:
        t, c = node["t"], node.get("c")
        if t == "Str":
            out.append(c)
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in ("Emph", "Strong", "Span", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
            out.append(inline_text(c if t != "Span" else c[1]))
        elif t == "Quoted":
            q = '"' if c[0]["t"] == "DoubleQuote" else "'"
            out.append(q + inline_text(c[1]) + q)
        elif t == "Note":
            out.append("[NOTE]")
        else:
            out.append(f"<{t}>")  # anything else means user text became markup
    return "".join(out)


def test_one_note_definition_per_citation_point_numbered_in_reading_order(rich_md):
    calls = re.findall(r"\[\^(\d+)\](?!:)", rich_md)
    defs = re.findall(r"^\[\^(\d+)\]: ", rich_md, flags=re.M)
    assert calls == defs == [str(i) for i in range(1, CITATION_POINTS + 1)]


def test_title_block_headings_and_marking(rich_md):
    lines = rich_md.splitlines()
    assert lines[0] == "# Security guarantees for Ukraine — «гарантії безпеки»"
    assert "## Key judgments" in lines and "### European reassurance force" in lines
    assert "**Date:** February 20, 2025 · **Information cut-off:** February 18, 2025 · **Version:** 1.0 (draft)\\" in lines
    assert "**UNCLASSIFIED TLP:AMBER**" in lines


def test_tables_become_pipe_tables_with_captions(rich_md):
    assert "| Actor | European reassurance force | NATO membership | UN-mandated peacekeepers |" in rich_md
    assert "Table: Stances of the actors toward the options and issues" in rich_md
    assert "| **United Kingdom** | **conditional** *condition: the US provides a backstop* | — | — |" in rich_md


def test_note_text_has_full_then_short_forms_and_links(rich_md):
    first = re.search(r"^\[\^1\]: (.*)$", rich_md, flags=re.M).group(1)
    assert first.startswith("“Europe discusses troops for Ukraine,” *News.bg* (Reuters report), February 11, 2025, "
                            "<https://news.bg/int-politics/europe-troops.html>: “a force of up to 30,000 troops”;")
    second = re.search(r"^\[\^2\]: (.*)$", rich_md, flags=re.M).group(1)
    assert second.startswith("Guliyeva, “Ukraine pushes for foreign troops”:")


@needs_pandoc
def test_pandoc_reads_the_notes_as_real_notes(rich_md):
    doc = pandoc_json(rich_md, "markdown")
    assert json.dumps(doc).count('"t": "Note"') == CITATION_POINTS


def test_emphasis_never_hugs_spaces():
    out = md(Para([Strong([Text("Date: ")]), Text("today"), Emph([Text(" x ")])]))
    assert out == "**Date:** today *x* \n"


def test_lists_number_and_indent_continuations():
    out = md(BulletList([[Para([Text("one")]), Para([Text("more")])], [Para([Text("two")])]], ordered=True))
    assert out == "1. one\n\n    more\n\n2. two\n"


def test_links_with_odd_characters_stay_links():
    out = md(Para([Link("https://example.org/a (b)", [Text("see [this]")])]))
    assert out == "[see \\[this\\]](https://example.org/a%20%28b%29)\n"


def test_unknown_node_fails_loudly():
    with pytest.raises(TypeError, match="Markdown writer cannot render"):
        md(object())  # type: ignore[arg-type]


def test_control_characters_are_removed_with_a_warning():
    with pytest.warns(UnsafeTextWarning):
        out = md(Para([Text("a\x00b")]))
    assert out == "ab\n"


TRICKY = [
    "*not emphasis* and _not either_",
    "<b>not html</b> & &amp; entities",
    "[^1] is not a note, [a](b) not a link",
    "# not a heading",
    "1. not a list",
    "- not a bullet",
    "+ nor this",
    "> not a quote",
    "| not | a | table |",
    "$x$ is not maths, @smith is not a citation",
    "~sub~ ^sup^ `code` \\backslash\\",
    "i. roman? (a) letter?",
    ": not a definition",
    "Ж «ёлка» “curly” — dash",
]


@needs_pandoc
@pytest.mark.parametrize("text", TRICKY)
def test_markup_like_text_round_trips_through_pandoc(text):
    doc = pandoc_json(md(Para([Text(text)]), Heading(1, [Text(text)])))
    blocks = doc["blocks"]
    assert [b["t"] for b in blocks] == ["Para", "Header"]
    assert inline_text(blocks[0]["c"]) == text
    assert inline_text(blocks[1]["c"][2]) == text


@needs_pandoc
def test_markup_like_text_round_trips_in_notes_and_table_cells():
    text = "*a* | [b] <c> #d"
    out = md(Para([Text("x"), Note([[Text(text)]])]),
             Table([[Cell([Para([Text("h")])])]], [[Cell([Para([Text(text)])])]]))
    doc = pandoc_json(out)
    note = doc["blocks"][0]["c"][1]
    assert note["t"] == "Note" and inline_text(note["c"][0]["c"]) == text
    table = json.dumps(doc["blocks"][1])
    assert doc["blocks"][1]["t"] == "Table" and '"[b]"' in table and '"|"' in table


_TOKENS = ["*", "_", "[", "]", "<", ">", "#", "|", "`", "~", "^", "$", "@", "&", "\\", "1.", "-", "+", ":", "(a)",
           "i.", "=", "%", "!", "Ж", "«", "“", "\x00", "\t", "\n", " "]


@needs_pandoc
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS) | st.text("abc xyz", max_size=3), min_size=1, max_size=10).map("".join))
def test_any_markup_like_text_round_trips_through_pandoc(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsafeTextWarning)
        out = md(Para([Text("x "), Text(text)]))
        expected = " ".join(("x " + text.replace("\x00", "")).split())
    doc = pandoc_json(out)
    assert [b["t"] for b in doc["blocks"]] == ["Para"]
    assert inline_text(doc["blocks"][0]["c"]) == expected


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_escape_never_crashes_and_keeps_letters(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsafeTextWarning)
        out = escape(text)
    assert [c for c in out if c.isalnum()] == [c for c in text if c.isalnum() and c != "\x00"]
