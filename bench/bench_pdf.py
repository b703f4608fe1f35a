"""Benchmark the PDF output: the example brief as a whole process, and a 2,000-citation brief vs LibreOffice.

Run:  python bench/bench_pdf.py [--citations 2000] [--sources 20] [--runs 3]

Prints best-of-N wall times of whole processes (interpreter start-up included):
- the example brief built to PDF (target: under 0.5 s);
- a generated brief with 2,000 citations built to PDF, side by side with LibreOffice converting
  the same brief's .docx to PDF (`soffice --headless --convert-to pdf`; target: at most a third
  of LibreOffice's time), when LibreOffice is installed;
- in-process render times of the PDF writer alone, for reference.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXAMPLE = REPO / "inputs" / "ukraine-security-guarantees" / "brief.yaml"
sys.path.insert(0, str(HERE))

from bench_docx import best_time, build_cmd, compile_bytecode  # noqa: E402
from genbrief import generate  # noqa: E402


def render_seconds(brief: Path, runs: int) -> tuple[float, int, int]:
    """Best in-process time of the PDF writer alone on a composed brief, with pages and notes."""
    from briefgen.brief.check import check_file
    from briefgen.compose.composer import compose
    from briefgen.compose.layout import Layout
    from briefgen.writers import RenderOptions
    from briefgen.writers.pdf.writer import render

    report = check_file(brief)
    doc = compose(report.brief, Layout(), report)
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = render(doc, RenderOptions())
        best = min(best, time.perf_counter() - start)
    return best, result.pages, result.notes


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; 1 if a target is missed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--citations", type=int, default=2000)
    ap.add_argument("--sources", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    print(compile_bytecode())
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # 1. the example brief, whole process
        if EXAMPLE.is_file():
            t = best_time(build_cmd(EXAMPLE, tmp / "ex", "pdf"), args.runs)
            pdf = next((tmp / "ex").glob("*.pdf"))
            r, pages, notes = render_seconds(EXAMPLE, args.runs)
            verdict = "ok" if t < 0.5 else "MISSED (target < 0.5 s)"
            print(f"example brief -> PDF, whole process: {t:.3f} s  [{verdict}]")
            print(f"  writer alone: {r:.3f} s; {pages} pages, {notes} notes, {pdf.stat().st_size / 1024:.1f} KB")
            ok &= t < 0.5
        else:
            print("example brief: not present, skipped")
        # 2. the large brief, against LibreOffice
        big = generate(tmp / "big", n_sources=args.sources, n_citations=args.citations)
        t_pdf = best_time(build_cmd(big, tmp / "bigout", "pdf"), args.runs)
        r, pages, notes = render_seconds(big, 1)
        print(f"{args.citations}-citation brief -> PDF, whole process: {t_pdf:.2f} s"
              f"  (writer alone {r:.2f} s; {pages} pages, {notes} notes)")
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not soffice:
            print("LibreOffice: not installed, comparison skipped")
        else:
            subprocess.run(build_cmd(big, tmp / "docx", "docx"), check=True, capture_output=True)
            docx = next((tmp / "docx").glob("*.docx"))
            profile = tmp / "lo-profile"
            cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                   "--outdir", str(tmp / "lo"), str(docx)]
            t_lo = best_time(cmd, max(1, min(args.runs, 2)))
            ratio = t_pdf / t_lo
            verdict = "ok" if ratio <= 1 / 3 else "MISSED (target <= 1/3)"
            print(f"{'':>4}{'briefgen PDF':>14}{'LibreOffice':>14}{'ratio':>8}")
            print(f"{'':>4}{t_pdf:>13.2f}s{t_lo:>13.2f}s{ratio:>8.2f}  [{verdict}]")
            ok &= ratio <= 1 / 3
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
