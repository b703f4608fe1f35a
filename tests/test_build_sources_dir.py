"""`briefgen build SOURCES_DIR`: draft, then build; an existing draft (and the analyst's edits) is kept."""

from __future__ import annotations

import shutil

from click.testing import CliRunner
from docx import Document

from briefgen.cli import main
from conftest import EXAMPLE_DIR


def _sources(tmp_path):
    src = tmp_path / "articles"
    shutil.copytree(EXAMPLE_DIR / "sources", src)
    return src


def test_folder_of_sources_is_drafted_then_built(tmp_path):
    out, src = tmp_path / "out", _sources(tmp_path)
    result = CliRunner().invoke(main, ["build", str(src), "-o", str(out), "-f", "docx", "-f", "pdf"])
    assert result.exit_code == 0, result.output
    assert "drafted" in result.output
    assert f"--allow-outside {src}" in result.output  # the draft's sources are outside its folder: say how
    assert (out / "brief.yaml").is_file()
    args = ["validate", str(out / "brief.yaml"), "--strict"]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1 and "leads outside the brief's folder" in refused.output
    assert CliRunner().invoke(main, [*args, "--allow-outside", str(src)]).exit_code == 0
    doc = Document(str(out / "out.docx"))
    assert any(p.style.name.startswith("Heading") for p in doc.paragraphs)
    assert (out / "out.pdf").read_bytes().startswith(b"%PDF")


def test_an_existing_draft_is_used_not_overwritten(tmp_path):
    src, out = _sources(tmp_path), tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(src), "-o", str(out), "-f", "docx"]).exit_code == 0
    draft = out / "brief.yaml"
    edited = draft.read_text(encoding="utf-8").replace("title: 'Draft brief", "title: 'EDITED Draft brief", 1)
    draft.write_text(edited, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(src), "-o", str(out), "-f", "docx"])
    assert result.exit_code == 0, result.output
    assert "using the existing draft" in result.output
    assert draft.read_text(encoding="utf-8") == edited
    assert "EDITED" in Document(str(out / "out.docx")).core_properties.title


def test_a_failed_build_leaves_no_draft_behind(tmp_path, monkeypatch):
    from briefgen.errors import OutputError
    import briefgen.build as build

    def broken(*args, **kwargs):
        raise OutputError("disk full")

    monkeypatch.setattr(build, "build_brief", broken)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(_sources(tmp_path)), "-o", str(out), "-f", "docx"])
    assert result.exit_code == 1 and "disk full" in result.output
    assert not (out / "brief.yaml").exists()
