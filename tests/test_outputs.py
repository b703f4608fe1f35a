"""What briefgen writes: never over an input, all outputs or none, outputs tied to their brief, text kept as text."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefgen.build import build_brief
from briefgen.cli import main
from conftest import MINIMAL_BRIEF, SOURCE_TEXT
from richbrief import BRIEF as RICH_BRIEF
from richbrief import make_rich_brief

FROM = "Jane Analyst <jane@example.org>"


@pytest.fixture(autouse=True)
def _no_user_config(no_user_config):
    """Never read the real user's config file or password (see conftest)."""


def run(*args) -> object:
    """Run the command line in-process."""
    return CliRunner().invoke(main, [str(a) for a in args])


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its sha256, and every folder."""
    return {str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir")
            for p in sorted(root.rglob("*"))}


def minimal(folder: Path, tlp: str | None = None, title: str | None = None) -> Path:
    """A minimal valid brief in ``folder`` (brief.yaml + article.txt), optionally marked or retitled."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    text = MINIMAL_BRIEF
    if tlp:
        text = text.replace("  date: 2025-02-15\n", f"  date: 2025-02-15\n  marking: {{tlp: '{tlp}'}}\n")
    if title:
        text = text.replace("  title: A test brief", f"  title: {json.dumps(title)}")
    (folder / "brief.yaml").write_text(text, encoding="utf-8")
    return folder / "brief.yaml"


# --------------------------------------------------------------------------- never over an input


def test_build_of_a_sources_folder_into_itself_is_refused_and_the_source_kept(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "src.md").write_text(SOURCE_TEXT, encoding="utf-8")
    before = snapshot(tmp_path)
    result = run("build", src, "-o", src)
    assert result.exit_code == 1, result.output
    assert "inside the sources folder" in result.output and "nothing was written" in result.output
    assert snapshot(tmp_path) == before


def test_build_into_a_folder_under_the_sources_is_refused(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    before = snapshot(tmp_path)
    result = run("build", src, "-o", src / "out")
    assert result.exit_code == 1 and "inside the sources folder" in result.output
    assert snapshot(tmp_path) == before


def test_emit_outline_over_the_brief_is_refused(tmp_path):
    brief = minimal(tmp_path / "project")
    before = snapshot(tmp_path)
    result = run("build", brief, "-o", tmp_path / "out", "--emit-outline", brief)
    assert result.exit_code == 1, result.output
    assert "refusing to write the outline (--emit-outline)" in result.output and "the brief of this run" in result.output
    assert snapshot(tmp_path) == before


def test_emit_outline_onto_an_output_is_refused_naming_both(tmp_path):
    brief = minimal(tmp_path / "project")
    out = tmp_path / "out"
    result = run("build", brief, "-o", out, "-f", "md", "--emit-outline", out / "project.md")
    assert result.exit_code == 1, result.output
    assert "the md output goes to the same file" in result.output
    assert not out.exists()


def test_emit_outline_over_a_source_through_a_hard_link_is_refused(tmp_path):
    brief = minimal(tmp_path / "project")
    link = tmp_path / "outline.json"
    link.hardlink_to(tmp_path / "project" / "article.txt")
    before = snapshot(tmp_path)
    result = run("build", brief, "-o", tmp_path / "out", "--emit-outline", link)
    assert result.exit_code == 1 and "source 'article' of this run" in result.output
    assert snapshot(tmp_path) == before


def test_output_folder_equal_to_the_brief_folder_may_not_replace_a_source(tmp_path):
    folder = tmp_path / "project"
    brief = minimal(folder)
    (folder / "project.md").write_text(SOURCE_TEXT, encoding="utf-8")
    text = brief.read_text(encoding="utf-8").replace("path: article.txt", "path: project.md")
    brief.write_text(text, encoding="utf-8")
    before = snapshot(tmp_path)
    result = run("build", brief, "-o", folder, "-f", "md")
    assert result.exit_code == 1 and "source 'article' of this run" in result.output
    assert snapshot(tmp_path) == before


def test_draft_force_never_replaces_a_source(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (src / "b.txt").write_text(SOURCE_TEXT.replace("Brussels", "Paris"), encoding="utf-8")
    before = snapshot(tmp_path)
    result = run("draft", src, "-o", src / "a.txt", "--force", "-q")
    assert result.exit_code == 1 and "that file is source" in result.output
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------- all outputs or none


def test_an_output_that_is_a_folder_leaves_every_other_output_as_it_was(tmp_path):
    brief = minimal(tmp_path / "project")
    out = tmp_path / "out"
    out.mkdir()
    (out / "project.md").write_text("previous markdown", encoding="utf-8")
    (out / "project.docx").write_bytes(b"previous docx")
    (out / "project.pdf").mkdir()
    before = snapshot(tmp_path)
    result = run("build", brief, "-o", out, "-f", "md", "-f", "docx", "-f", "pdf")
    assert result.exit_code == 1, result.output
    assert "project.pdf: it is a folder" in result.output and "nothing was written" in result.output
    assert snapshot(tmp_path) == before


def test_a_failed_rename_restores_the_outputs_already_replaced(tmp_path, monkeypatch):
    import os

    from briefgen import fileio
    from briefgen.errors import OutputError

    a, b, c = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"
    a.write_text("old a")
    b.write_text("old b")
    real = os.replace
    calls = []

    def failing(src, dst):
        calls.append(dst)
        if str(dst) == str(c):
            raise PermissionError(13, "Permission denied")
        return real(src, dst)

    monkeypatch.setattr(fileio.os, "replace", failing)
    with pytest.raises(OutputError, match="cannot write .*c.txt: Permission denied"):
        fileio.replace_all([(a, b"new a"), (b, b"new b"), (c, b"new c")])
    monkeypatch.setattr(fileio.os, "replace", real)
    assert a.read_text() == "old a" and b.read_text() == "old b" and not c.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


# --------------------------------------------------------------------------- outputs know their brief


def test_build_records_a_manifest_of_brief_inputs_marking_and_outputs(tmp_path):
    brief = minimal(tmp_path / "project", tlp="TLP:AMBER")
    out = tmp_path / "out"
    build_brief(brief, out, formats=("md", "docx"))
    data = json.loads((out / ".project.build.json").read_text(encoding="utf-8"))
    assert data["brief"] == "../project/brief.yaml"
    assert data["marking"]["tlp"] == "TLP:AMBER"
    assert data["outputs"] == {name: hashlib.sha256((out / name).read_bytes()).hexdigest()
                               for name in ("project.docx", "project.md")}
    before = data["inputs"]
    (tmp_path / "project" / "article.txt").write_text(SOURCE_TEXT + "More.\n", encoding="utf-8")
    build_brief(brief, out, formats=("md",))
    after = json.loads((out / ".project.build.json").read_text(encoding="utf-8"))
    assert after["inputs"] != before
    assert set(after["outputs"]) == {"project.md"}  # the .docx was built from other inputs: no longer listed


def two_teams(tmp_path: Path) -> tuple[Path, Path]:
    """Two briefs both called 'project': team A's unmarked, team B's TLP:RED."""
    a = minimal(tmp_path / "teamA" / "project")
    b = minimal(tmp_path / "teamB" / "project", tlp="TLP:RED")
    return a, b


def test_email_never_attaches_another_briefs_outputs_of_the_same_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a, b = two_teams(tmp_path)
    assert run("build", "teamB/project/brief.yaml", "-f", "docx", "-f", "pdf").exit_code == 0
    red = snapshot(tmp_path / "out")
    result = run("email", "teamA/project/brief.yaml", "--to", "x@example.org", "--from", FROM, "--send",
                 "--smtp-host", "127.0.0.1", "--smtp-port", "9", "--smtp-timeout", "1")
    assert result.exit_code == 1, result.output
    assert "are the outputs of another brief with the same name" in result.output
    assert str(b.resolve()) in result.output and "teamA/project/brief.yaml" in result.output
    assert snapshot(tmp_path / "out") == red  # B's outputs neither attached nor replaced


def test_build_never_replaces_another_briefs_outputs_of_the_same_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    two_teams(tmp_path)
    assert run("build", "teamB/project/brief.yaml", "-f", "md").exit_code == 0
    red = snapshot(tmp_path / "out")
    result = run("build", "teamA/project/brief.yaml", "-f", "md")
    assert result.exit_code == 1 and "another brief with the same name" in result.output
    assert snapshot(tmp_path / "out") == red
    assert run("build", "teamA/project/brief.yaml", "-f", "md", "-o", "out/teamA").exit_code == 0


def test_email_refuses_red_outputs_by_the_marking_recorded_with_them(tmp_path, monkeypatch):
    """Files whose manifest says TLP:RED are not sent without --yes, whatever the brief says now."""
    import briefgen.commands.email as email_command
    from briefgen import mail, outputs
    from briefgen.brief.check import check_file
    from briefgen.errors import MailError

    brief = minimal(tmp_path / "project", tlp="TLP:RED")
    out = tmp_path / "out"
    build_brief(brief, out, formats=("docx",))
    unmarked = check_file(minimal(tmp_path / "other"))  # the same brief without its marking
    monkeypatch.setattr(email_command, "_ensure_outputs",
                        lambda *a, **k: ([out / "project.docx"], outputs.read_manifest(out, "project")))
    addresses = email_command._Addresses(mail.parse_mailbox(FROM), [mail.parse_mailbox("x@example.org")], [], [], [])
    with pytest.raises(MailError, match="TLP:RED.*--yes"):
        email_command._write_message(brief, unmarked, out, ["docx"], addresses, None, tmp_path / "m.eml", 2**24,
                                     refuse_restricted=True)
    assert not (tmp_path / "m.eml").exists()


def test_email_attaches_the_outputs_its_manifest_vouches_for_without_building(tmp_path):
    brief = minimal(tmp_path / "project")
    out = tmp_path / "out"
    build_brief(brief, out, formats=("docx", "pdf"))
    built = snapshot(out)
    result = run("email", brief, "--to", "x@example.org", "--from", FROM, "--outputs", out)
    assert result.exit_code == 0 and "Building" not in result.output
    assert {k: v for k, v in snapshot(out).items() if not k.endswith(".eml")} == built


# --------------------------------------------------------------------------- own outputs are never sources


def test_drafting_a_folder_skips_briefgens_own_outputs_with_a_note(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "article.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    brief = minimal(tmp_path / "project")
    build_brief(brief, src / "out", formats=("md", "docx", "pdf"))  # outputs that landed among the sources
    result = run("draft", src, "-o", tmp_path / "draft.yaml")
    assert result.exit_code == 0, result.output
    assert "not reading briefgen's own outputs as sources" in result.output
    draft = (tmp_path / "draft.yaml").read_text(encoding="utf-8")
    assert "project.md" not in draft and "project.pdf" not in draft and "project.docx" not in draft
    assert "article.txt" in draft


def test_redrafting_into_a_folder_under_the_sources_skips_that_folder(tmp_path):
    src = tmp_path / "src"
    (src / "draft").mkdir(parents=True)
    (src / "article.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (src / "draft" / "notes.md").write_text("Officials said the draft notes are not a source.\n", encoding="utf-8")
    result = run("draft", src, "-o", src / "draft" / "brief.yaml")
    assert result.exit_code == 0, result.output
    assert "notes.md" in result.output and "notes.md" not in (src / "draft" / "brief.yaml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- placeholders in brief text

TITLE = "Costs {pages} per {page} and {{date}}"


@pytest.fixture(scope="module")
def braced(tmp_path_factory) -> Path:
    """The rich brief (several pages) titled with placeholder look-alikes, built to docx, pdf and md."""
    root = tmp_path_factory.mktemp("braced")
    brief = make_rich_brief(root / "braced")
    text = RICH_BRIEF.replace("  title: Security guarantees for Ukraine — «гарантії безпеки»", f"  title: {json.dumps(TITLE)}")
    assert text != RICH_BRIEF
    brief.write_text(text, encoding="utf-8")
    build_brief(brief, root / "out", formats=("docx", "pdf", "md"))
    return root / "out"


def test_placeholders_in_the_title_stay_text_in_the_word_header(braced):
    with zipfile.ZipFile(braced / "braced.docx") as z:
        headers = [z.read(n).decode("utf-8") for n in z.namelist() if re.match(r"word/header\d*\.xml", n)]
        footers = [z.read(n).decode("utf-8") for n in z.namelist() if re.match(r"word/footer\d*\.xml", n)]
    header_text = ["".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", h)) for h in headers]
    assert any(TITLE in t for t in header_text), header_text
    assert not any("instrText" in h for h in headers)  # no page field made from the title
    assert any("NUMPAGES" in f for f in footers)  # the template's own fields still work


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) is not installed")
def test_placeholders_in_the_title_stay_text_in_the_pdf_header(braced):
    text = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-layout", str(braced / "braced.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert TITLE in text, text[:400]
    assert re.search(r"Page 2 of \d+", text)


def test_placeholders_in_the_title_stay_text_in_markdown(braced):
    first = (braced / "braced.md").read_text(encoding="utf-8").splitlines()[0]
    assert re.sub(r"\\(.)", r"\1", first) == f"# {TITLE}"  # Markdown escapes, the text is the title
