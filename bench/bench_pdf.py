"""Benchmark the PDF output: the example brief as a whole process, and a 2,000-citation brief vs LibreOffice.

Run:  python bench/bench_pdf.py [--citations 2000] [--sources 20] [--runs 3] [--check]

Prints medians (min–max) of whole processes (interpreter start-up included):
- the example brief built to PDF (target: under 0.5 s);
- a generated brief with 2,000 citations built to PDF, side by side with LibreOffice converting
  the same brief's .docx to PDF (`soffice --headless --convert-to pdf`) in interleaved pairs, the
  ratio taken pair by pair (target: at most a third of LibreOffice's time), when it is installed;
- in-process render times of the PDF writer alone, for reference.
With ``--check`` a MISS exits 1.
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

from bench_docx import build_cmd, compile_bytecode  # noqa: E402
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
    """Run the benchmark and print the figures; with --check, 1 if a target is missed."""
    from timing import Stat, pair_ratios, pairs

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--citations", type=int, default=2000)
    ap.add_argument("--sources", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3, help="interleaved pairs (default 3)")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    print(compile_bytecode())
    print(f"medians (min–max) of {args.runs} runs; against LibreOffice in interleaved pairs, ratio pair by pair")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # 1. the example brief, whole process
        if EXAMPLE.is_file():
            cmd = build_cmd(EXAMPLE, tmp / "ex", "pdf")
            times, _ = pairs(cmd, cmd, (args.runs + 1) // 2)
            t = Stat.of(times + _)
            pdf = next((tmp / "ex").glob("*.pdf"))
            r, pages, notes = render_seconds(EXAMPLE, args.runs)
            verdict = "OK" if t.median < 0.5 else "MISS"
            ok &= verdict == "OK"
            print(f"example brief -> PDF, whole process: {t.fmt()} s  target < 0.5 s: {verdict}")
            print(f"  writer alone (best of {args.runs}): {r:.3f} s; {pages} pages, {notes} notes, "
                  f"{pdf.stat().st_size / 1024:.1f} KB")
        else:
            print("example brief: not present, skipped")
        # 2. the large brief, against LibreOffice
        big = generate(tmp / "big", n_sources=args.sources, n_citations=args.citations)
        ours_cmd = build_cmd(big, tmp / "bigout", "pdf")
        r, pages, notes = render_seconds(big, 1)
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not soffice:
            times, _ = pairs(ours_cmd, ours_cmd, (args.runs + 1) // 2)
            print(f"{args.citations}-citation brief -> PDF: {Stat.of(times + _).fmt()} s; LibreOffice: not installed")
        else:
            subprocess.run(build_cmd(big, tmp / "docx", "docx"), check=True, capture_output=True)
            docx = next((tmp / "docx").glob("*.docx"))
            lo = [soffice, f"-env:UserInstallation=file://{tmp / 'lo-profile'}", "--headless", "--convert-to", "pdf",
                  "--outdir", str(tmp / "lo"), str(docx)]
            ours, theirs = pairs(ours_cmd, lo, args.runs)  # the warm-up run sets up LibreOffice's profile
            ratio = pair_ratios(ours, theirs)
            verdict = "OK" if ratio.median <= 1 / 3 else "MISS"
            ok &= verdict == "OK"
            print(f"{args.citations}-citation brief -> PDF ({pages} pages, {notes} notes; writer alone {r:.2f} s): "
                  f"briefgen {Stat.of(ours).fmt('.2f')} s, LibreOffice {Stat.of(theirs).fmt('.2f')} s, "
                  f"ratio {ratio.fmt('.2f')}  target <= 1/3: {verdict}")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
