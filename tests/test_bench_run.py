"""The benchmark runners print their tables, and ``--check`` fails on any target they print as missed.

These run at tiny sizes and assert no timing: the deliberately impossible targets below make sure
a MISS turns into a failing exit code with ``--check``, and only with it.
"""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300, cwd=REPO)


def test_bench_run_prints_the_table_and_check_fails_on_an_impossible_target():
    """A quick S-size run prints the command, floor and peer figures; an impossible target exits 1 with --check."""
    args = [str(REPO / "bench" / "run.py"), "--sizes", "S", "--steps", "validate", "--repeat", "1",
            "--target", "help=0.000001"]
    result = _run(*args)
    assert result.returncode == 0, result.stderr  # a MISS without --check still exits 0
    out = result.stdout
    assert "import floor" in out and "above floor" in out
    assert any(line.split()[:1] == ["validate"] and line.count("(") == 3 for line in out.splitlines()), out
    help_line = next(line for line in out.splitlines() if line.split()[:1] == ["help"])
    assert help_line.rstrip().endswith("MISS"), help_line
    assert "example validate / --version" in out and "peak memory, all processes summed" in out

    checked = _run(*args, "--check")
    assert checked.returncode == 1, checked.stdout + checked.stderr


def test_bench_scaling_prints_a_growth_row_for_every_shape_and_stage_and_check_fails_on_a_miss():
    """A small run prints every shape and stage with its growth and verdict; --check exits 1 on an impossible limit."""
    args = [str(REPO / "bench" / "bench_scaling.py"), "--scale", "0.05", "--limit", "0.000001", "--noise", "0"]
    result = _run(*args)
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()
            if line.split()[:1] in (["spread"], ["wide"], ["issues"])]
    assert [(r[0], r[1]) for r in rows] == [(shape, stage) for shape in ("spread", "wide", "issues")
                                            for stage in ("check", "compose", "docx", "pdf")]
    assert all(r[-1] in ("OK", "MISS", "n/a") for r in rows)
    assert any(r[-1] == "MISS" for r in rows)
    checked = _run(*args, "--check")
    assert checked.returncode == 1, checked.stdout + checked.stderr


def test_bench_startup_prints_every_floor_row_against_version():
    """One pair per row: every floor and command is printed with its time and its ratio to --version."""
    result = _run(str(REPO / "bench" / "bench_startup.py"), "--repeat", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for label in ("import click", "import pydantic.BaseModel", "pydantic floor (click, yaml, 1 model)",
                  "brief models built (click, yaml)", "validate: its import floor", "validate the example",
                  "build -f docx: its import floor", "build -f docx, the example"):
        row = next((line for line in lines if line.startswith(label + " ")), None)
        assert row is not None and row[len(label):].count("(") >= 2, (label, result.stdout)
    assert any(line.startswith("briefgen --version ") for line in lines), result.stdout


def test_bench_pdf_bare_prints_every_size_and_check_fails_when_layout_grows():
    """Writer and bare pass at two sizes; an impossible linearity slack is a MISS that exits 1 only with --check."""
    args = [str(REPO / "bench" / "bench_pdf_bare.py"), "--sizes", "1x", "4x", "--repeat", "1", "--slack", "0.000001"]
    result = _run(*args)
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines() if line.split()[:1] in (["1x"], ["4x"])]
    assert [(r[0], r[2]) for r in rows] == [("1x", "125"), ("4x", "500")], result.stdout  # one note per citation
    assert any(line.startswith("layout linear:") and line.endswith("MISS") for line in result.stdout.splitlines())
    checked = _run(*args, "--check")
    assert checked.returncode == 1, checked.stdout + checked.stderr


def test_bench_run_judges_the_pdf_layout_against_bare_reportlab_on_l():
    """With 16x and the pdf step, run.py prints the writer/bare table for L (2,000 notes) and judges it as a target."""
    args = [str(REPO / "bench" / "run.py"), "--sizes", "16x", "--steps", "pdf", "--repeat", "1",
            "--target", "L_pdf_bare=0.000001"]
    checked = _run(*args, "--check")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    bare_row = next(line.split() for line in lines if line.split()[:1] == ["16x"])  # size pages notes lines ...
    assert bare_row[2] == "2000", checked.stdout
    target = next(line for line in lines if line.split()[:1] == ["L_pdf_bare"])
    assert target.rstrip().endswith("MISS"), target
