"""The library API: load -> check -> render to bytes, and draft, with the same rules as the command line."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import briefgen
from briefgen.errors import InputError, ValidationFailed

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_BRIEF = REPO / "inputs" / "ukraine-security-guarantees" / "brief.yaml"
EXAMPLE_OUT = REPO / "examples" / "ukraine-security-guarantees"


def test_load_check_render_round_trip_gives_the_example_outputs():
    brief = briefgen.load(EXAMPLE_BRIEF)
    assert brief.file == EXAMPLE_BRIEF
    report = briefgen.check(brief)
    assert report.ok(strict=True), [p.format() for p in report.problems]
    assert len(report.matches) == len(list(brief.iter_citations()))

    markdown = briefgen.render(brief, format="md")
    assert markdown == (EXAMPLE_OUT / "ukraine-security-guarantees.md").read_bytes()

    docx = briefgen.render(brief, format="docx")
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        document = package.read("word/document.xml").decode("utf-8")
        footnotes = package.read("word/footnotes.xml").decode("utf-8")
    assert "Foreign troops in Ukraine before NATO membership" in document
    assert footnotes.count("<w:footnote ") == brief.citation_points() + 2  # plus the two separators

    from pypdf import PdfReader

    pdf = briefgen.render(brief, format="pdf", template="one-pager")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Foreign troops in Ukraine" in text and "TLP:CLEAR" in text


def test_a_brief_changed_in_memory_is_checked_again_before_it_is_rendered():
    brief = briefgen.load(EXAMPLE_BRIEF)
    brief.key_judgments[0].citations[0].quote = "words no source contains anywhere at all"
    report = briefgen.check(brief)
    assert [p.code for p in report.errors] == ["quote-not-found"]
    with pytest.raises(ValidationFailed, match="refusing to render the brief: the brief has 1 errors"):
        briefgen.render(brief, format="md")


def test_load_refuses_a_broken_brief_naming_file_and_line(brief_dir):
    path = brief_dir / "brief.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("the only truly reliable", "the truly only"),
                    encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        briefgen.load(path)
    assert f"cannot load {path}: the brief has 1 errors" in str(info.value)
    assert f"{path}:" in str(info.value) and "quote not found" in str(info.value)


def test_render_refuses_an_unknown_format(brief_dir):
    with pytest.raises(InputError, match="unknown output format 'odt'"):
        briefgen.render(briefgen.load(brief_dir / "brief.yaml"), format="odt")


def test_draft_gives_a_brief_that_passes_its_check(monkeypatch):
    monkeypatch.chdir(REPO)
    brief = briefgen.draft(["inputs/ukraine-security-guarantees/sources"])
    assert brief.positions and brief.sources
    assert briefgen.check(brief).ok(), [p.format() for p in briefgen.check(brief).errors]


def test_import_briefgen_loads_no_pipeline():
    probe = "import sys, briefgen\nprint(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                                text=True).stdout.split())
    assert not {"pydantic", "click", "yaml", "reportlab", "lxml", "briefgen.brief.models"} & loaded


def test_the_package_is_typed():
    assert (Path(briefgen.__file__).parent / "py.typed").is_file()
