"""Pipes and devices never block briefgen: every kind of file it reads is refused when it is not a regular file.

Each case runs the real command line in a subprocess with a timeout, so a regression fails instead of
hanging the suite (an open() on a pipe with no writer waits forever).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL_BRIEF, SOURCE_TEXT

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
TIMEOUT = 60


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """briefgen's command line in a fresh process; fails the test if it blocks."""
    environment = {**os.environ, **env}
    try:
        return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd, env=environment,
                              capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"briefgen {' '.join(args)} blocked for {TIMEOUT} s")


def python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """A snippet of library code in a fresh process; fails the test if it blocks."""
    try:
        return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                              timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{code!r} blocked for {TIMEOUT} s")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "article.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (tmp_path / "brief.yaml").write_text(MINIMAL_BRIEF, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe")
    return tmp_path


def _template(project: Path, toml: str) -> Path:
    folder = project / "tpl"
    folder.mkdir()
    (folder / "template.toml").write_text('name = "acme"\n' + toml + '[[sections]]\nkey = "title"\n',
                                          encoding="utf-8")
    return folder


def _clean(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert message in result.stderr, result.stderr


def test_a_source(project):
    os.rename(project / "pipe", project / "pipe.txt")
    (project / "brief.yaml").write_text(MINIMAL_BRIEF.replace("path: article.txt", "path: pipe.txt"))
    _clean(run(["validate", "brief.yaml"], project), "source file is not a regular file (a pipe, device or socket)")


def test_dev_zero_as_a_source_even_when_allowed(project):
    (project / "brief.yaml").write_text(MINIMAL_BRIEF.replace("path: article.txt", "path: /dev/zero"))
    _clean(run(["validate", "brief.yaml", "--allow-outside", "/dev"], project), "/dev/zero")


def test_a_brief(project):
    os.rename(project / "pipe", project / "pipe.yaml")
    _clean(run(["validate", "pipe.yaml"], project), "pipe.yaml:1:1: error: is not a regular file")


def test_a_reference_docx_option(project):
    _clean(run(["build", "brief.yaml", "-o", "out", "-f", "docx", "--reference-docx", "pipe"], project),
           "is not a regular file")


def test_a_templates_reference_docx(project):
    folder = _template(project, "")
    os.mkfifo(folder / "reference.docx")
    _clean(run(["build", "brief.yaml", "-o", "out", "-f", "docx", "-t", str(folder)], project),
           "reference.docx is not a regular file")


def test_a_template_toml(project):
    (project / "tpl").mkdir()
    os.mkfifo(project / "tpl" / "template.toml")
    _clean(run(["build", "brief.yaml", "-o", "out", "-t", "tpl"], project), "template.toml: cannot be read")


def test_a_logo_and_a_font(project):
    folder = _template(project, 'logo = "logo.png"\n')
    os.mkfifo(folder / "logo.png")
    _clean(run(["build", "brief.yaml", "-o", "out", "-t", "tpl"], project), "logo 'logo.png' is not a regular file")
    (folder / "template.toml").write_text('name = "acme"\n[fonts]\nregular = "f.ttf"\nbold = "f.ttf"\n'
                                          'italic = "f.ttf"\nbolditalic = "f.ttf"\n[[sections]]\nkey = "title"\n')
    os.mkfifo(folder / "f.ttf")
    _clean(run(["build", "brief.yaml", "-o", "out", "-t", "tpl"], project), "'f.ttf' is not a regular file")


def test_a_gazetteer(project):
    _clean(run(["draft", "article.txt", "-o", "new.yaml", "--gazetteer", "pipe"], project),
           "is not a regular file")
    assert not (project / "new.yaml").exists()


def test_a_config_file(project):
    _clean(run(["email", "brief.yaml", "--to", "b@example.org", "--from", "a@example.org"], project,
               BRIEFGEN_CONFIG=str(project / "pipe")), "cannot read config file")


def test_an_smtp_cafile(project):
    result = python("from pathlib import Path\nfrom briefgen.mail.smtp import tls_context\n"
                    "from briefgen.errors import MailError\n"
                    "try:\n    tls_context(Path('pipe'))\nexcept MailError as exc:\n    print(exc)\n", project)
    assert result.returncode == 0 and "pipe is not a regular file" in result.stdout, result.stderr


def test_an_attachment(project):
    result = python("from briefgen import mail\nfrom briefgen.errors import MailError\n"
                    "try:\n    mail.Attachment.from_path('pipe')\nexcept MailError as exc:\n    print(exc)\n", project)
    assert result.returncode == 0 and "cannot read attachment pipe" in result.stdout, result.stderr


def test_pipes_in_a_sources_folder_are_passed_over(project):
    src = project / "src"
    src.mkdir()
    (src / "a.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    os.mkfifo(src / "b.txt")
    os.mkfifo(src / "sources.yaml")
    result = run(["draft", "src", "-o", "new.yaml"], project)
    assert result.returncode == 0, result.stderr
    assert "b.txt" not in (project / "new.yaml").read_text(encoding="utf-8")
