"""The benchmark runner prints its table for the example brief."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bench_run_prints_the_table_for_the_example_brief():
    """One quick S-size run prints the header, the S row and the targets, and exits 0."""
    result = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "S", "--repeat", "1"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("size") and "validate" in line and "peak MB" in line for line in lines)
    assert any(line.startswith("S ") for line in lines), result.stdout
    assert "example docx+pdf in one process" in result.stdout
    assert "peak memory <= 200 MB" in result.stdout


def test_bench_scaling_prints_a_growth_row_for_every_shape_and_stage():
    """A small run of the scaling benchmark prints every shape and stage with its growth and verdict."""
    result = subprocess.run([sys.executable, str(REPO / "bench" / "bench_scaling.py"), "--scale", "0.05"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines() if line.split()[:1] in (["spread"], ["wide"],
                                                                                       ["issues"])]
    assert [(r[0], r[1]) for r in rows] == [(shape, stage) for shape in ("spread", "wide", "issues")
                                            for stage in ("check", "compose", "docx", "pdf")]
    assert all(r[4].endswith("×") and r[5] in ("OK", "MISS") for r in rows)
