"""Draft output: libyaml's emitter writes the very bytes of the pure-Python one; -j defaults to the usable cores."""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

import pytest
import yaml
import click
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.commands.draft import draft as draft_command

drafting = importlib.import_module("briefgen.draft")  # the subpackage (``briefgen.draft`` is the API function)

EXAMPLE_SOURCES = Path(__file__).resolve().parents[1] / "inputs" / "ukraine-security-guarantees" / "sources"


@pytest.fixture
def sources(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the example's sources, with a fixed drafting date."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1739577600")
    src = tmp_path / "sources"
    shutil.copytree(EXAMPLE_SOURCES, src)
    return src


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML built without libyaml")
def test_libyaml_and_pure_python_emitters_write_the_same_draft(sources: Path, tmp_path: Path, monkeypatch):
    """The example drafted with each emitter gives byte-identical files, and the default is libyaml's."""
    assert drafting._DUMPER is yaml.CSafeDumper
    fast = drafting.draft_to_file([sources], tmp_path / "fast.yaml").read_bytes()
    monkeypatch.setattr(drafting, "_DUMPER", yaml.SafeDumper)
    slow = drafting.draft_to_file([sources], tmp_path / "slow.yaml").read_bytes()
    assert fast == slow
    assert b"positions:" in fast and "’".encode() in fast  # non-ASCII written as is (allow_unicode)


def test_jobs_default_to_the_usable_cores_with_the_same_output(sources: Path, tmp_path: Path):
    """`draft` without -j runs on every usable core and writes what -j 1 writes."""
    jobs = next(p for p in draft_command.params if p.name == "jobs")
    assert jobs.get_default(click.Context(draft_command)) == max(1, min(64, len(os.sched_getaffinity(0))))
    runner = CliRunner()
    default = runner.invoke(main, ["draft", str(sources), "-o", str(tmp_path / "d.yaml"), "-q"])
    one = runner.invoke(main, ["draft", str(sources), "-o", str(tmp_path / "one.yaml"), "-q", "-j", "1"])
    assert default.exit_code == 0 and one.exit_code == 0, default.output + one.output
    assert (tmp_path / "d.yaml").read_bytes() == (tmp_path / "one.yaml").read_bytes()
    assert "usable cores" in runner.invoke(main, ["draft", "--help"]).output
