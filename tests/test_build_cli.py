"""`briefgen build` and build_brief: validate first, write every output atomically or none."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefgen import build as build_module
from briefgen.build import DEFAULT_FORMATS, brief_name, build_brief
from briefgen.brief.check import check_file
from briefgen.cli import main
from briefgen.compose.composer import citation_points
from briefgen.errors import InputError, ValidationFailed
from briefgen.compose.layout import Layout
from briefgen.outline import from_dict, walk_notes
from conftest import EXAMPLE_BRIEF
from richbrief import CITATION_POINTS, make_rich_brief

runner = CliRunner()
REPO = Path(__file__).resolve().parent.parent


def run(*args: str):
    return runner.invoke(main, [str(a) for a in args])


@pytest.fixture
def rich(tmp_path) -> Path:
    return make_rich_brief(tmp_path / "rich-brief")


def test_build_writes_docx_and_md_named_after_the_brief_folder(rich, tmp_path):
    out = tmp_path / "out"
    result = run("build", rich, "-o", out, "--format", "docx", "--format", "md")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [".rich-brief.build.json", "rich-brief.docx", "rich-brief.md"]
    assert result.output.split() == [str(out / "rich-brief.docx"), str(out / "rich-brief.md")]
    with zipfile.ZipFile(out / "rich-brief.docx") as z:
        assert z.read("word/footnotes.xml").count(b"<w:footnote ") == CITATION_POINTS + 2
    assert (out / "rich-brief.md").read_text(encoding="utf-8").count("\n[^") == CITATION_POINTS


def test_default_output_folder_is_out_slash_brief_name(rich, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("build", rich, "-f", "md")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "rich-brief" / "rich-brief.md").is_file()


def test_default_formats_include_docx_and_md():
    assert {"docx", "md"} <= set(DEFAULT_FORMATS)
    if "pdf" in DEFAULT_FORMATS:
        import briefgen.writers.pdf.writer  # noqa: F401 - listed only when importable


def test_brief_name_uses_the_stem_unless_it_is_generic(tmp_path):
    assert brief_name(tmp_path / "ukraine" / "brief.yaml") == "ukraine"
    assert brief_name(tmp_path / "ukraine" / "kyiv-2025.yaml") == "kyiv-2025"


def test_ungrounded_brief_is_refused_and_nothing_is_written(rich, tmp_path):
    text = rich.read_text(encoding="utf-8").replace("a force of up to 30,000 troops", "a force of 50,000 troops")
    rich.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run("build", rich, "-o", out, "--emit-outline", tmp_path / "outline.json")
    assert result.exit_code == 1
    assert "refusing to build" in result.output and "no file was written" in result.output
    assert "quote not found in source 'newsbg'" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "outline.json").exists()


def test_strict_refuses_a_brief_with_warnings(rich, tmp_path):
    out = tmp_path / "out"
    result = run("build", rich, "-o", out, "-f", "md", "--strict")
    assert result.exit_code == 1
    assert "single source" in result.output and not out.exists()
    assert run("build", rich, "-o", out, "-f", "md").exit_code == 0


def test_emit_outline_writes_the_tree_as_json(rich, tmp_path):
    outline = tmp_path / "tree" / "outline.json"
    result = run("build", rich, "-o", tmp_path / "out", "-f", "md", "--emit-outline", outline)
    assert result.exit_code == 0, result.output
    doc = from_dict(json.loads(outline.read_text(encoding="utf-8")))
    assert len(list(walk_notes(doc.blocks))) == CITATION_POINTS
    assert doc.meta.title.startswith("Security guarantees for Ukraine")


def test_no_quotes_and_full_notes_switches(rich, tmp_path):
    out = tmp_path / "out"
    assert run("build", rich, "-o", out, "-f", "md", "--no-quotes", "--full-notes").exit_code == 0
    text = (out / "rich-brief.md").read_text(encoding="utf-8")
    notes = re.findall(r"^\[\^\d+\]: (.*)$", text, flags=re.M)
    assert notes and not any(": “" in n for n in notes)
    guliyeva = [n for n in notes if "Guliyeva" in n]
    assert len(guliyeva) > 1 and all("Vafa Guliyeva, “Ukraine pushes for foreign troops in peacekeeping" in n
                                     for n in guliyeva)


def test_reference_docx_option(rich, tmp_path):
    from test_docx_writer import make_custom_reference

    ref = make_custom_reference(tmp_path / "ref.docx")
    out = tmp_path / "out"
    result = run("build", rich, "-o", out, "-f", "docx", "--reference-docx", ref)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out / "rich-brief.docx") as z:
        assert b'w:w="11906"' in z.read("word/document.xml")  # A4 width in twips


def test_bad_reference_docx_is_a_clean_error(rich, tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_text("plain text", encoding="utf-8")
    result = run("build", rich, "-o", tmp_path / "out", "-f", "docx", "--reference-docx", bad)
    assert result.exit_code == 1 and "not a readable .docx" in result.output
    assert not (tmp_path / "out").exists()
    assert run("build", rich, "--reference-docx", tmp_path / "missing.docx").exit_code == 2


def test_unknown_format_is_a_usage_error(rich):
    result = run("build", rich, "--format", "odt")
    assert result.exit_code == 2 and "'odt' is not one of" in result.output


def test_missing_brief_file_is_a_clean_error(tmp_path):
    result = run("build", tmp_path / "nope.yaml", "-o", tmp_path / "out")
    assert result.exit_code == 1 and "no such file" in result.output


def test_help_shows_an_example():
    result = run("build", "--help")
    assert result.exit_code == 0 and "Example:" in result.output and "briefgen build " in result.output


def test_two_builds_are_byte_identical(rich, tmp_path):
    for name in ("a", "b"):
        assert run("build", rich, "-o", tmp_path / name, "-f", "docx", "-f", "md").exit_code == 0
    for suffix in (".docx", ".md"):
        assert (tmp_path / "a" / f"rich-brief{suffix}").read_bytes() == (tmp_path / "b" / f"rich-brief{suffix}").read_bytes()


def test_control_characters_are_reported_and_removed(rich, tmp_path):
    text = rich.read_text(encoding="utf-8").replace("summary: Kyiv wants", 'summary: "Kyiv\\a wants')
    text = text.replace("in the air and at sea.\n", 'in the air and at sea."\n', 1)
    rich.write_text(text, encoding="utf-8")
    assert check_file(rich).ok(), [p.format() for p in check_file(rich).errors]
    result = runner.invoke(main, ["build", str(rich), "-o", str(tmp_path / "out"), "-f", "md"])
    assert result.exit_code == 0, result.output
    assert "removed characters" in result.stderr and "U+0007" in result.stderr
    assert "Kyiv wants foreign troops" in (tmp_path / "out" / "rich-brief.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- build_brief, the library call


def test_build_brief_returns_paths_and_honours_layout(rich, tmp_path):
    layout = Layout(sections=(("title", ""), ("bibliography", "Works cited")))
    paths = build_brief(rich, tmp_path / "out", ["md"], layout=layout)
    assert paths == {"md": tmp_path / "out" / "rich-brief.md"}
    text = paths["md"].read_text(encoding="utf-8")
    assert "## Works cited" in text and "[^" not in text


def test_build_brief_writes_nothing_when_a_writer_fails(rich, tmp_path, monkeypatch):
    real = build_module.writer_for

    def failing(fmt):
        if fmt == "md":
            def boom(doc, options):
                raise RuntimeError("writer failed")
            return boom
        return real(fmt)

    monkeypatch.setattr(build_module, "writer_for", failing)
    with pytest.raises(RuntimeError):
        build_brief(rich, tmp_path / "out", ["docx", "md"], emit_outline=tmp_path / "o.json")
    assert not (tmp_path / "out").exists() and not (tmp_path / "o.json").exists()


def test_build_brief_keeps_old_outputs_when_a_write_fails(rich, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build_brief(rich, out, ["docx", "md"])
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    with pytest.raises(Exception):
        build_brief(rich, out, ["docx", "md"], emit_outline=blocker / "outline.json")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_build_brief_raises_a_briefgen_error_listing_problems(rich, tmp_path):
    rich.write_text(rich.read_text(encoding="utf-8").replace("source: durden", "source: durdn"), encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        build_brief(rich, tmp_path / "out")
    assert "unknown source 'durdn'" in str(info.value.message)
    with pytest.raises(InputError, match="unknown output format 'rtf'"):
        build_brief(rich, tmp_path / "out", ["rtf"])


# --------------------------------------------------------------------------- the example brief


@pytest.mark.skipif(not EXAMPLE_BRIEF.exists(), reason="the example brief has not been written yet")
def test_example_brief_builds_with_one_note_per_citation_point(tmp_path):
    paths = build_brief(EXAMPLE_BRIEF, tmp_path, ["docx", "md"])
    brief = check_file(EXAMPLE_BRIEF).brief
    with zipfile.ZipFile(paths["docx"]) as z:
        assert z.read("word/footnotes.xml").count(b"<w:footnote ") == citation_points(brief) + 2


@pytest.mark.skipif(not EXAMPLE_BRIEF.exists(), reason="the example brief has not been written yet")
def test_example_builds_to_docx_importing_only_what_it_needs(tmp_path):
    """Speed is measured by bench/bench_docx.py and bench/run.py; here: no heavy import on the Word path."""
    probe = ("import sys\nfrom briefgen.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n"
             "    pass\nprint('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n")
    cmd = [sys.executable, "-c", probe, "build", str(EXAMPLE_BRIEF), "-o", str(tmp_path), "-f", "docx"]
    imported = set(subprocess.run(cmd, check=True, capture_output=True, text=True).stderr.split())
    assert "briefgen.writers.docx" in imported and (tmp_path / "ukraine-security-guarantees.docx").is_file()
    assert not {"reportlab", "briefgen.writers.pdf", "briefgen.writers.markdown", "pypdf", "pdfplumber",
                "docx"} & imported  # python-docx is only for logos and .docx sources


@pytest.mark.skipif(not (REPO / "examples" / "ukraine-security-guarantees").is_dir(),
                    reason="the examples have not been generated yet")
def test_committed_examples_are_up_to_date(tmp_path):
    """The .docx and .md in examples/ are what the current code builds from the example brief."""
    paths = build_brief(EXAMPLE_BRIEF, tmp_path, ["docx", "md"])
    folder = REPO / "examples" / "ukraine-security-guarantees"
    for fmt, path in paths.items():
        committed = folder / path.name
        assert committed.is_file(), committed
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed} is stale; regenerate with: python -m briefgen build {EXAMPLE_BRIEF.relative_to(REPO)} "
            f"-o {folder.relative_to(REPO)} -f docx -f md")


def test_benchmark_generator_makes_a_valid_brief_with_the_requested_citations(tmp_path):
    sys.path.insert(0, str(REPO / "bench"))
    from genbrief import generate

    path = generate(tmp_path, n_sources=5, n_citations=60)
    report = check_file(path)
    assert report.ok(), [p.format() for p in report.errors]
    assert len(report.matches) == 60 and citation_points(report.brief) == 60
    semicolons = check_file(generate(tmp_path / "two", n_sources=3, n_citations=40, per_note=2))
    assert len(semicolons.matches) == 40 and citation_points(semicolons.brief) < 40


def test_endnotes_switch_reaches_the_word_writer(rich, tmp_path):
    result = run("build", rich, "-o", tmp_path / "out", "-f", "docx", "--endnotes")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "out" / "rich-brief.docx") as z:
        assert z.read("word/endnotes.xml").count(b"<w:endnote ") == CITATION_POINTS + 2
        assert "word/footnotes.xml" not in z.namelist()


@pytest.mark.parametrize("enabled", [True, False])
def test_a_build_pauses_the_cyclic_collector_and_restores_it_even_on_failure(brief_dir, monkeypatch, enabled):
    import gc

    import briefgen.compose.composer

    seen = []
    real = briefgen.compose.composer.compose

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(briefgen.compose.composer, "compose", spy)
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        build_brief(brief_dir / "brief.yaml", brief_dir / "out", ["md"])
        assert seen == [False] and gc.isenabled() is enabled
        (brief_dir / "brief.yaml").write_text("meta: [\n", encoding="utf-8")
        with pytest.raises(ValidationFailed):
            build_brief(brief_dir / "brief.yaml", brief_dir / "out2", ["md"])
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_a_fault_in_briefgen_itself_is_one_line_with_exit_70_and_the_traceback_on_request(brief_dir, monkeypatch):
    import briefgen.compose.composer

    def broken(*args, **kwargs):
        raise RuntimeError("layout went wrong")

    monkeypatch.setattr(briefgen.compose.composer, "compose", broken)
    args = ["build", str(brief_dir / "brief.yaml"), "-o", str(brief_dir / "out"), "-f", "md"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 70, result.output
    assert "Error: internal error (RuntimeError: layout went wrong). This is a bug in briefgen" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not (brief_dir / "out").exists()
    result = CliRunner().invoke(main, args, env={"BRIEFGEN_DEBUG": "1"})
    assert isinstance(result.exception, RuntimeError)
