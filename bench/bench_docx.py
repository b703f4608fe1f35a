"""Benchmark the Word output: the example brief as a whole process, and a 2,000-citation brief vs pandoc.

Run:  python bench/bench_docx.py [--citations 2000] [--sources 20] [--runs 5]

Prints best-of-N wall times of whole processes (interpreter start-up included) and exits 1 when
a target is missed: the example under 0.5 s, and the large brief no slower than pandoc turning
the same brief's Markdown (with the same number of footnotes) into .docx.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
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


def best_time(cmd: list[str], runs: int, warm: bool = True) -> float:
    """The fastest of ``runs`` wall-clock runs of a command (after one warm-up run unless ``warm`` is off)."""
    if warm:
        subprocess.run(cmd, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def notes_in(docx_path: Path) -> int:
    """Normal footnotes (not separators) in a .docx."""
    with zipfile.ZipFile(docx_path) as z:
        xml = z.read("word/footnotes.xml").decode("utf-8")
    return len(re.findall(r"<w:footnote\s(?![^>]*w:type=)[^>]*>", xml))


def build_cmd(brief: Path, out: Path, fmt: str) -> list[str]:
    """The briefgen command line building one format."""
    return [sys.executable, "-m", "briefgen", "build", str(brief), "-o", str(out), "-f", fmt]


def main() -> int:
    """Run both benchmarks and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--citations", type=int, default=2000)
    ap.add_argument("--sources", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(compile_bytecode())
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if EXAMPLE.exists():
            t = best_time(build_cmd(EXAMPLE, tmp_path / "example", "docx"), args.runs)
            docx_file = next((tmp_path / "example").glob("*.docx"))
            verdict = "OK" if t < 0.5 else "SLOW (target < 0.5 s)"
            print(f"example brief -> docx, whole process:        {t:.3f} s  ({notes_in(docx_file)} notes)  {verdict}")
            ok &= t < 0.5
        else:
            print(f"example brief not found at {EXAMPLE}; skipped")

        brief = generate(tmp_path / "large", args.sources, args.citations)
        out = tmp_path / "large-out"
        ours = best_time(build_cmd(brief, out, "docx"), args.runs)
        ours_docx = next(out.glob("*.docx"))
        print(f"{args.citations}-citation brief -> docx, whole process: {ours:.3f} s  "
              f"({notes_in(ours_docx)} notes; includes validating every quote)")
        pandoc = shutil.which("pandoc")
        if pandoc:
            subprocess.run(build_cmd(brief, out, "md"), check=True, capture_output=True)
            md = next(out.glob("*.md"))
            footnotes = len(re.findall(r"^\[\^\d+\]:", md.read_text(encoding="utf-8"), flags=re.M))
            pandoc_docx = tmp_path / "pandoc.docx"
            theirs = best_time([pandoc, "-f", "markdown", "-t", "docx", str(md), "-o", str(pandoc_docx)], args.runs)
            verdict = "OK" if ours <= theirs else "SLOW (target: no slower than pandoc)"
            print(f"pandoc, same brief as Markdown -> docx:       {theirs:.3f} s  "
                  f"({footnotes} footnotes, {notes_in(pandoc_docx)} in its .docx)  {verdict}")
            ok &= ours <= theirs
        else:
            print("pandoc is not installed; comparison skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
