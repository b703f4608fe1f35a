"""Files received from others: a brief, a sources folder or a template reads only inside its own tree.

Also: what is printed cannot drive the terminal, numbers are as strict in JSON as in YAML, and inputs
that used to end in an internal error get a clear message.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import briefgen
from briefgen.brief.check import check_file
from briefgen.cli import main
from briefgen.errors import ValidationFailed
from conftest import MINIMAL_BRIEF, SOURCE_TEXT

SECRET = "TOPSECRET: it is the only truly reliable guarantee; a small force could be ignored\n"


def _invoke(*args: str, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


@pytest.fixture
def outside(tmp_path: Path) -> tuple[Path, Path]:
    """(the brief's folder, a secret file beside it, outside its tree)."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "received"
    folder.mkdir()
    (folder / "article.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    return folder, secret


def _brief(folder: Path, path: str) -> Path:
    brief = folder / "brief.yaml"
    brief.write_text(MINIMAL_BRIEF.replace("path: article.txt", f"path: {path}"), encoding="utf-8")
    return brief


@pytest.mark.parametrize("how", ["parent", "absolute", "symlink", "symlinked-folder"])
def test_a_brief_cannot_read_a_file_outside_its_folder(outside, how):
    folder, secret = outside
    path = {"parent": "../secret.txt", "absolute": str(secret), "symlink": "linked.txt",
            "symlinked-folder": "up/secret.txt"}[how]
    if how == "symlink":
        (folder / "linked.txt").symlink_to(secret)
    if how == "symlinked-folder":
        (folder / "up").symlink_to(folder.parent, target_is_directory=True)
    brief = _brief(folder, path)
    for command in (["validate", brief], ["validate", brief, "--format", "json"], ["build", brief, "-o", folder / "out"]):
        result = _invoke(*command)
        assert result.exit_code == 1
        assert "TOPSECRET" not in result.output and "closest passage" not in result.output
        assert "sources[0].path" in result.output and "leads outside the brief's folder" in result.output
    assert not (folder / "out").exists()
    report = check_file(brief)
    assert [(p.code, p.line) for p in report.problems] == [("source-outside", 26)]
    assert report.texts == {}


def test_allow_outside_opens_exactly_the_named_place(outside):
    folder, secret = outside
    brief = _brief(folder, "../secret.txt")
    assert _invoke("validate", brief, "--allow-outside", secret).exit_code == 0
    assert _invoke("validate", brief, "--allow-outside", secret.parent).exit_code == 0
    other = secret.parent / "elsewhere"
    other.mkdir()
    assert _invoke("validate", brief, "--allow-outside", other).exit_code == 1
    result = _invoke("build", brief, "-o", folder / "out", "-f", "md", "--allow-outside", secret.parent)
    assert result.exit_code == 0, result.output


def test_the_library_api_confines_sources_too(outside):
    folder, secret = outside
    brief = _brief(folder, "../secret.txt")
    with pytest.raises(ValidationFailed, match=r"sources\[0\]\.path"):
        briefgen.load(brief)
    loaded = briefgen.load(brief, allow_outside=[secret.parent])
    assert not briefgen.check(loaded).ok()  # the allowance is given for each call
    assert briefgen.check(loaded, allow_outside=[secret.parent]).ok()
    with pytest.raises(ValidationFailed):
        briefgen.render(loaded, format="md")
    assert b"A test brief" in briefgen.render(loaded, format="md", allow_outside=[secret.parent])


def test_a_symlink_that_stays_inside_the_folder_is_fine(outside):
    folder, _ = outside
    (folder / "texts").mkdir()
    (folder / "texts" / "a.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (folder / "linked.txt").symlink_to(folder / "texts" / "a.txt")
    assert _invoke("validate", _brief(folder, "linked.txt")).exit_code == 0


def test_dev_stdin_is_never_read(outside):
    folder, _ = outside
    result = _invoke("validate", _brief(folder, "/dev/stdin"), input="it is the only truly reliable guarantee\n")
    assert result.exit_code == 1 and "'/dev/stdin' leads outside" in result.output


@pytest.mark.parametrize("command", ["build", "draft"])
def test_a_sources_folder_with_a_link_out_is_refused(outside, command):
    folder, secret = outside
    src = folder / "src"
    src.mkdir()
    (src / "a.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (src / "notes.txt").symlink_to(secret)
    out = folder / "drafted"
    args = ["build", src, "-o", out] if command == "build" else ["draft", src, "-o", out / "brief.yaml"]
    result = _invoke(*args)
    assert result.exit_code == 1
    assert "notes.txt is a symbolic link that leads outside the folder" in result.output
    assert "TOPSECRET" not in result.output and not out.exists()


def test_a_sources_folder_with_links_inside_it_drafts(outside):
    folder, _ = outside
    src = folder / "src"
    (src / "real").mkdir(parents=True)
    (src / "real" / "a.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (src / "b.txt").symlink_to(src / "real" / "a.txt")
    result = _invoke("build", src, "-o", folder / "drafted", "-f", "md")
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- templates


def test_templates_init_copies_only_regular_files_of_the_template(tmp_path):
    source = tmp_path / "theirs"
    assert _invoke("templates", "init", source).exit_code == 0
    (source / "assets" / "passwd").symlink_to("/etc/passwd")
    (source / "assets" / "etc").symlink_to("/etc", target_is_directory=True)
    os.mkfifo(source / "assets" / "pipe")
    result = _invoke("templates", "init", tmp_path / "mine", "--from", source)
    assert result.exit_code == 0, result.output
    for name in ("passwd", "etc", "pipe"):
        assert f"skipped assets/{name}" in result.stderr
    copied = sorted(p.relative_to(tmp_path / "mine").as_posix() for p in (tmp_path / "mine").rglob("*"))
    assert copied == ["assets", "assets/README.txt", "reference.docx", "template.toml"]
    assert not any(p.is_symlink() for p in (tmp_path / "mine").rglob("*"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "theirs"]  # no temporary folder left


def test_templates_init_refuses_a_template_too_large_and_leaves_nothing(tmp_path, monkeypatch):
    import briefgen.compose.templates as templates

    source = tmp_path / "theirs"
    assert _invoke("templates", "init", source).exit_code == 0
    (source / "assets" / "big.bin").write_bytes(b"\0" * 300_000)
    monkeypatch.setattr(templates, "MAX_TEMPLATE_BYTES", 200_000)
    result = _invoke("templates", "init", tmp_path / "new" / "mine", "--from", source)
    assert result.exit_code == 1 and "refusing to copy it" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs"]


def test_templates_init_cleans_up_when_a_file_fails_halfway(tmp_path, monkeypatch):
    import briefgen.compose.templates as templates

    monkeypatch.setattr(templates, "MAX_ASSET_BYTES", 5_000)  # reference.docx is larger: refused mid-copy
    result = _invoke("templates", "init", tmp_path / "a" / "b" / "mine")
    assert result.exit_code == 1 and "cannot create" in result.output
    assert list(tmp_path.iterdir()) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _invoke("templates", "init", empty).exit_code == 1
    assert list(empty.iterdir()) == []


def test_templates_init_into_the_current_empty_folder(tmp_path, monkeypatch):
    here = tmp_path / "house"
    here.mkdir()
    monkeypatch.chdir(here)
    result = _invoke("templates", "init", ".")
    assert result.exit_code == 0, result.output
    assert 'name = "house"' in (here / "template.toml").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["house"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_templates_init_into_a_read_only_folder(tmp_path, monkeypatch):
    here = tmp_path / "ro"
    here.mkdir()
    here.chmod(0o555)
    try:
        monkeypatch.chdir(here)
        result = _invoke("templates", "init", ".")
        assert result.exit_code == 1 and "cannot create" in result.output and "Permission denied" in result.output
        assert list(here.iterdir()) == []
    finally:
        here.chmod(0o755)


def test_a_templates_reference_docx_may_not_point_outside(brief_dir):
    folder = brief_dir / "tpl"
    assert _invoke("templates", "init", folder).exit_code == 0
    (folder / "reference.docx").unlink()
    elsewhere = brief_dir.parent / "elsewhere.docx"
    elsewhere.write_bytes(b"not read")
    (folder / "reference.docx").symlink_to(elsewhere)
    result = _invoke("build", brief_dir / "brief.yaml", "-o", brief_dir / "out", "-t", folder)
    assert result.exit_code == 1 and "leads outside the template folder" in result.output


def _cmyk_jpeg(path: Path) -> Path:
    from PIL import Image

    Image.new("CMYK", (60, 30), (0, 200, 255, 10)).save(path, "JPEG")
    assert b"Adobe" in path.read_bytes()[:64]  # the header python-docx does not know
    return path


def test_a_cmyk_jpeg_logo_is_embedded_in_word_and_pdf(brief_dir):
    folder = brief_dir / "tpl"
    assert _invoke("templates", "init", folder).exit_code == 0
    _cmyk_jpeg(folder / "assets" / "logo.jpg")
    toml = folder / "template.toml"
    toml.write_text(re.sub(r"(?m)^name = .*$", 'name = "tpl"\nlogo = "assets/logo.jpg"',
                           toml.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    result = _invoke("build", brief_dir / "brief.yaml", "-o", brief_dir / "out", "-t", folder, "-f", "docx", "-f", "pdf")
    assert result.exit_code == 0, result.output
    import zipfile

    with zipfile.ZipFile(next((brief_dir / "out").glob("*.docx"))) as zf:
        media = [n for n in zf.namelist() if n.startswith("word/media/")]
        assert media and zf.read(media[0]) == (folder / "assets" / "logo.jpg").read_bytes()
    pdf = next((brief_dir / "out").glob("*.pdf")).read_bytes()
    assert b"/DCTDecode" in pdf and b"/DeviceCMYK" in pdf


# --------------------------------------------------------------------------- text is text


def test_validate_never_echoes_escape_sequences(brief_dir):
    (brief_dir / "article.txt").write_text(SOURCE_TEXT.replace("Officials met", "Officials \x1b]0;pwned\x07\x1b[2J\x9b1J met"),
                                           encoding="utf-8")
    brief = brief_dir / "brief.yaml"
    brief.write_text(MINIMAL_BRIEF.replace('quote: "a small force could be ignored"',
                                           'quote: "Officials \\e[2J\\u202e met in Brussels"'), encoding="utf-8")
    for fmt in ("text", "json"):
        result = _invoke("validate", brief, "--format", fmt)
        assert result.exit_code == 1
        assert not re.search("[\x1b\x07\x9b\u202e]", result.output), repr(result.output)
    text = _invoke("validate", brief).output
    assert "\\x1b[2J" in text and "\\u202e" in text and "\\x1b]0;pwned\\x07" in text
    import json

    data = json.loads(_invoke("validate", brief, "--format", "json").stdout)
    assert "\x1b[2J" in data["problems"][0]["message"]  # JSON keeps the data, only escaped


def test_templates_show_escapes_what_a_template_says(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "template.toml").write_text('name = "acme"\ndescription = "Nice \\u001b]0;owned\\u0007 layout"\n'
                                          '[[sections]]\nkey = "title"\n', encoding="utf-8")
    result = _invoke("templates", "show", folder)
    assert result.exit_code == 0 and "\x1b" not in result.output and "Nice \\x1b]0;owned\\x07 layout" in result.output


def test_draft_refuses_an_undecodable_title(tmp_path):
    (tmp_path / "a.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    result = _invoke("draft", tmp_path / "a.txt", "-o", tmp_path / "new.yaml", "--title", "Costs \udcff\udcfe")
    assert result.exit_code == 2 and "Invalid value for --title: 'Costs \\xff\\xfe'" in result.output
    assert not (tmp_path / "new.yaml").exists()


def test_file_names_that_are_not_utf8_are_shown_escaped(tmp_path):
    (tmp_path / "article.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (tmp_path / "brief.yaml").write_text(MINIMAL_BRIEF, encoding="utf-8")
    for args in ([b"validate", b"bad\xff.yaml"], [b"build", b"brief.yaml", b"-o", b"out\xff", b"-f", b"md"],
                 [b"templates", b"init", b"t\xffx"], [b"draft", b"article.txt", b"-o", b"d\xff.yaml"]):
        result = subprocess.run([sys.executable.encode(), b"-m", b"briefgen", *args], cwd=tmp_path,
                                capture_output=True, timeout=120)
        assert b"Traceback" not in result.stderr and b"internal error" not in result.stderr, result.stderr
        assert b"\\xff" in result.stdout + result.stderr and b"\xff" not in result.stdout + result.stderr


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("text, where, message", [
    ('{"meta": {"title": "A",\n  "title": "B"}}', (2, 3), "has the key 'title' twice in one mapping"),
    ('{"meta": {"version": NaN}}', (1, 22), "has NaN, which is not a number"),
    ('{"meta": {"version": Infinity}}', (1, 22), "has Infinity, which is not a number"),
    ('{"meta": {"version": 1e99999}}', (1, 22), "has the number 1e99999, too large to be a number"),
    ('{"meta": {"version": ' + "9" * 4301 + "}}", (1, 22), "has a number with 4,301 digits"),
    ("meta:\n  version: " + "9" * 4301 + "\n", (2, 12), "has a number with more than 4,300 digits"),
    ("meta:\n  version: .NaN\n", (2, 12), "has .NaN, which is not a finite number"),
    ("meta:\n  version: .inf\n", (2, 12), "has .inf, which is not a finite number"),
])
def test_json_and_yaml_numbers_are_strict(tmp_path, text, where, message):
    path = tmp_path / ("b.json" if text.startswith("{") else "b.yaml")
    path.write_text(text, encoding="utf-8")
    (problem,) = check_file(path).problems
    assert (problem.line, problem.col) == where and problem.message.startswith(message)


def test_a_number_just_inside_the_limits_still_reads(tmp_path):
    path = tmp_path / "b.json"
    path.write_text('{"meta": {"version": ' + "9" * 4300 + ', "title": "NaN"}}', encoding="utf-8")
    assert not [p for p in check_file(path).problems if p.code == "read"]


@pytest.mark.parametrize("value, ok", [("3", True), ("true", False), ("'3'", False), ("3.0", False)])
def test_impact_is_a_whole_number_not_a_boolean(brief_dir, value, ok):
    brief = brief_dir / "brief.yaml"
    brief.write_text(MINIMAL_BRIEF.replace("sources:\n", "risks:\n  - id: r\n    title: R\n    event: E.\n"
                                           "    likelihood: likely\n    impact: " + value + "\n    citations:\n"
                                           '      - {source: article, quote: "a small force could be ignored"}\n'
                                           "sources:\n"), encoding="utf-8")
    report = check_file(brief)
    assert report.ok() is ok, [p.format() for p in report.problems]
    if not ok:
        assert any("`impact`" in p.message for p in report.problems)


# --------------------------------------------------------------------------- clear messages


def test_an_encrypted_pdf_source_is_named_as_such(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    from briefgen.sources.readers import SourceReadError, read_source

    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="s3cret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(SourceReadError, match=r"locked\.pdf: is encrypted \(a password is needed"):
        read_source(path)
    result = _invoke("draft", path, "-o", tmp_path / "new.yaml")
    assert result.exit_code == 1 and "is encrypted" in result.output and "FileNotDecrypted" not in result.output


def test_a_242_character_brief_name_builds(brief_dir):
    name = "b" * 242
    brief = brief_dir / f"{name}.yaml"
    brief.write_text(MINIMAL_BRIEF, encoding="utf-8")
    result = _invoke("build", brief, "-o", brief_dir / "out", "-f", "md", "-f", "docx")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (brief_dir / "out").iterdir()) == [f".{name}.build.json", f"{name}.docx",
                                                                     f"{name}.md"]


def test_no_home_folder_and_no_passwd_entry_means_no_config_file(brief_dir, monkeypatch):
    import pwd

    unused = next(uid for uid in range(54321, 64000) if not _has_passwd_entry(pwd, uid))
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("BRIEFGEN_CONFIG", raising=False)
    monkeypatch.setattr(os, "getuid", lambda: unused)  # the passwd database really has no such user
    with pytest.raises(RuntimeError):
        Path.home()
    result = _invoke("email", brief_dir / "brief.yaml", "--to", "b@example.org", "--from", "a@example.org",
                     "--outputs", brief_dir / "out", "-o", brief_dir / "m.eml", "--attach", "md")
    assert result.exit_code == 0, result.output
    result = _invoke("email", brief_dir / "brief.yaml", "--to", "b@example.org", "--attach", "md")
    assert result.exit_code == 1 and "no sender: pass --from" in result.output


def _has_passwd_entry(pwd, uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True
