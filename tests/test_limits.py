"""Hostile inputs are refused quickly and without exhausting memory."""

from __future__ import annotations

import resource
import time
import zipfile

import pytest
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.errors import InputError
from briefgen.limits import check_zip


def _bomb(path, size=300 * 1024 * 1024):
    """A .docx-named zip whose one part inflates to ``size`` bytes of zeros (about 300 KB on disk)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    return _bomb(tmp_path_factory.mktemp("bomb") / "bomb.docx")


def test_zip_bomb_is_refused_by_its_directory(bomb):
    with pytest.raises(InputError, match="would expand to 315 MB.*zip bomb"):
        check_zip(bomb, "reference document")


def test_ratio_bomb_under_the_total_limit_is_refused(tmp_path):
    small = _bomb(tmp_path / "small.docx", size=40 * 1024 * 1024)
    with pytest.raises(InputError, match=r"part, word/document.xml, that expands [\d,]+× to 42 MB"):
        check_zip(small, "reference document")


def test_not_a_zip_is_named(tmp_path):
    (tmp_path / "x.docx").write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match=r"reference document .*x\.docx is not a readable \.docx"):
        check_zip(tmp_path / "x.docx", "reference document")


def test_build_refuses_a_zip_bomb_reference_quickly_and_writes_nothing(brief_dir, bomb):
    out = brief_dir / "out"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = CliRunner().invoke(main, ["build", str(brief_dir / "brief.yaml"), "-o", str(out),
                                       "--reference-docx", str(bomb), "-f", "docx"])
    assert time.perf_counter() - start < 5
    assert result.exit_code == 1 and "zip bomb" in result.output, result.output
    assert not out.exists()
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100


def test_a_zip_bomb_source_is_refused_by_the_reader(bomb):
    from briefgen.sources import SourceReadError, read_source

    with pytest.raises(SourceReadError, match=r"bomb\.docx.*zip bomb"):
        read_source(bomb)
