"""Benchmark the Word output: the example brief as a whole process, and a 2,000-citation brief vs pandoc.

Run:  python bench/bench_docx.py [--citations 2000] [--sources 20] [--runs 5] [--check]

Whole processes (interpreter start-up included) in interleaved pairs with pandoc turning the same
brief's Markdown (with the same number of footnotes) into .docx; medians (min–max), the ratio
taken pair by pair. Targets: the example and the large brief no slower than pandoc (ratio <= 1).
With ``--check`` a MISS exits 1.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXAMPLE = REPO / "inputs" / "ukraine-security-guarantees" / "brief.yaml"
sys.path.insert(0, str(HERE))

from genbrief import generate  # noqa: E402


def compile_bytecode() -> str:
    """Compile briefgen's modules to bytecode, as ``pip install`` does, and say so.

    With PYTHONDONTWRITEBYTECODE set and an editable install, Python would otherwise compile every
    briefgen module from source in every process (about 40 ms per run here), which no installed
    copy does. Returns the line the benchmarks print about it.
    """
    import compileall
    import os

    import briefgen

    compileall.compile_dir(str(Path(briefgen.__file__).parent), quiet=1)
    env = " (PYTHONDONTWRITEBYTECODE is set here)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""
    return f"bytecode: briefgen compiled ahead with compileall, as pip install does{env}"


def notes_in(docx_path: Path) -> int:
    """Normal footnotes (not separators) in a .docx."""
    with zipfile.ZipFile(docx_path) as z:
        xml = z.read("word/footnotes.xml").decode("utf-8")
    return len(re.findall(r"<w:footnote\s(?![^>]*w:type=)[^>]*>", xml))


def build_cmd(brief: Path, out: Path, fmt: str) -> list[str]:
    """The briefgen command line building one format."""
    return [sys.executable, "-m", "briefgen", "build", str(brief), "-o", str(out), "-f", fmt]


def main(argv: list[str] | None = None) -> int:
    """Run both comparisons and print the figures; with --check, 1 if a target is missed."""
    from timing import Stat, pair_ratios, pairs

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--citations", type=int, default=2000)
    ap.add_argument("--sources", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5, help="interleaved pairs per comparison (default 5)")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    print(compile_bytecode())
    print(f"medians (min–max) of {args.runs} interleaved pairs (A B A B …); ratios taken pair by pair")
    pandoc = shutil.which("pandoc")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        cases = []
        if EXAMPLE.exists():
            cases.append(("example brief", EXAMPLE, 1.0))
        else:
            print(f"example brief not found at {EXAMPLE}; skipped")
        cases.append((f"{args.citations}-citation brief", generate(tmp_path / "large", args.sources, args.citations),
                      1.0))
        for i, (label, brief, limit) in enumerate(cases):
            out = tmp_path / f"out{i}"
            ours_cmd = build_cmd(brief, out, "docx")
            if not pandoc:
                t, _ = pairs(ours_cmd, ours_cmd, args.runs)
                print(f"{label} -> docx, whole process: {Stat.of(t).fmt()} s; pandoc is not installed, no comparison")
                continue
            subprocess.run(build_cmd(brief, out, "md"), check=True, capture_output=True)
            md = next(out.glob("*.md"))
            theirs_cmd = [pandoc, "-f", "markdown", "-t", "docx", str(md), "-o", str(tmp_path / f"pandoc{i}.docx")]
            ours, theirs = pairs(ours_cmd, theirs_cmd, args.runs)
            ratio = pair_ratios(ours, theirs)
            verdict = "OK" if ratio.median <= limit else "MISS"
            ok &= verdict == "OK"
            notes = notes_in(next(out.glob("*.docx")))
            print(f"{label} -> docx ({notes} notes): briefgen {Stat.of(ours).fmt()} s, pandoc (same brief as "
                  f"Markdown) {Stat.of(theirs).fmt()} s, briefgen / pandoc {ratio.fmt('.2f')}  "
                  f"target <= {limit:g}: {verdict}")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
