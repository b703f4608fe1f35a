"""Benchmark: the PDF writer against a bare ReportLab pass drawing the same lines, at 1×, 4× and 16× content.

Run:  python bench/bench_pdf_bare.py [--repeat 5] [--limit 2.0] [--check]

The brief is bench/genbrief.py's (16× = L: 100 sources and 2,000 citations, each its own note, so
2,000 notes; ``--per-note 2`` puts two citations in each note, as bench/run.py's 16× brief has; 4× and
1× a quarter and a sixteenth). The writer lays it out once while every
line it draws is recorded (page, position, and the font, size and text of each run); the *bare
pass* then draws exactly those lines with ReportLab's canvas (one text object per page,
``setTextOrigin`` per line, ``setFont`` when it changes, ``textOut`` per run; same fonts, page size
and compression): what any layout must at least cost. Both run in this process, in interleaved pairs after a warm-up; the table gives
medians (min–max) and the ratio writer / bare taken pair by pair. Targets: at 16× the ratio ≤
``--limit`` (2); and layout (notes included) linear: the ratio does not grow from 1× to 16× (more
than ``--slack``, 1.25×), i.e. the writer grows no faster than drawing the same lines does. The
writer's own growth against the lines drawn is printed too. With ``--check`` any MISS exits 1.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from genbrief import generate  # noqa: E402
from timing import Stat  # noqa: E402

SIZES = {"1x": (6, 125), "4x": (25, 500), "16x": (100, 2000)}  # sources, citations


def composed(folder: Path, n_sources: int, n_citations: int, per_note: int = 1):
    """The composed outline of a generated brief with ``per_note`` citations in each note."""
    from briefgen.brief.check import check_file
    from briefgen.compose.composer import compose
    from briefgen.compose.layout import Layout

    brief = generate(folder, n_sources, n_citations, per_note=per_note)
    report = check_file(brief)
    return compose(report.brief, Layout(), report)


def record_lines(doc) -> tuple[list[list[tuple]], tuple[float, float], int]:
    """Render ``doc`` once, recording each drawn line: per page, (x, y, [(font, size, text), …])."""
    from briefgen.writers import RenderOptions
    from briefgen.writers.pdf import text as ptext
    from briefgen.writers.pdf.writer import render

    pages: dict[int, list[tuple]] = {}
    original = ptext.RichPara.draw

    def draw(self):
        original(self)
        canv = self.canv
        page = canv.getPageNumber()
        st = self.style
        descent = (st.leading - st.size) / 2 + st.size * 0.22
        for i, line in enumerate(self._lines or []):
            base = self.height - (i + 1) * st.leading + descent
            x, y = canv.absolutePosition(line.x, base)
            runs = [(run.font, run.size, text) for run, text, _ in line.segs if text]
            if runs:
                pages.setdefault(page, []).append((x, y, runs))

    ptext.RichPara.draw = draw
    try:
        result = render(doc, RenderOptions())
    finally:
        ptext.RichPara.draw = original
    from reportlab.lib.pagesizes import A4

    return [pages.get(p, []) for p in range(1, result.pages + 1)], A4, result.notes


def bare_pass(pages: list[list[tuple]], pagesize) -> bytes:
    """Draw the recorded lines with a plain ReportLab canvas; the PDF bytes."""
    from reportlab import rl_config
    from reportlab.pdfgen.canvas import Canvas

    saved = rl_config.invariant
    rl_config.invariant = 1
    try:
        buf = io.BytesIO()
        canv = Canvas(buf, pagesize=pagesize, pageCompression=1, invariant=1)
        for lines in pages:
            # ReportLab's leanest way: one text object per page, a font change only when it changes
            tx = canv.beginText()
            current = None
            for x, y, runs in lines:
                tx.setTextOrigin(x, y)
                for font, size, text in runs:
                    if (font, size) != current:
                        tx.setFont(font, size)
                        current = (font, size)
                    tx.textOut(text)
            canv.drawText(tx)
            canv.showPage()
        canv.save()
        return buf.getvalue()
    finally:
        rl_config.invariant = saved


@dataclass
class Size:
    """The writer and the bare pass at one size: times, the ratio pair by pair, and what was drawn."""

    writer: Stat
    bare: Stat
    ratio: Stat
    pages: int
    notes: int
    lines: int


def measure(sizes: list[str], repeat: int, per_note: int = 1) -> dict[str, Size]:
    """Lay out each size's brief and draw its lines bare, in ``repeat`` interleaved pairs after a warm-up."""
    from briefgen.build import collector_paused
    from briefgen.writers import RenderOptions
    from briefgen.writers.pdf.writer import render

    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            doc = composed(Path(tmp, size), *SIZES[size], per_note=per_note)
            pages, pagesize, notes = record_lines(doc)
            ours, bare = [], []
            with collector_paused():
                render(doc, RenderOptions())
                bare_pass(pages, pagesize)
                for i in range(repeat):
                    for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                        t = time.perf_counter()
                        if which == 0:
                            render(doc, RenderOptions())
                            ours.append(time.perf_counter() - t)
                        else:
                            bare_pass(pages, pagesize)
                            bare.append(time.perf_counter() - t)
            rows[size] = Size(Stat.of(ours), Stat.of(bare), Stat.of([a / b for a, b in zip(ours, bare)]),
                              len(pages), notes, sum(len(p) for p in pages))
    return rows


def report(rows: dict[str, Size], repeat: int, limit: float = 2.0, slack: float = 1.25) -> bool:
    """Print the table, the growth and the two targets; True when neither is missed."""
    print(f"PDF writer vs a bare ReportLab pass drawing the same lines; medians (min–max) of {repeat} "
          f"interleaved pairs, in-process, cyclic GC paused")
    print(f"{'size':<5} {'pages':>5} {'notes':>5} {'lines':>6}  {'writer':>22} {'bare pass':>22} {'writer/bare':>20}")
    for size, r in rows.items():
        print(f"{size:<5} {r.pages:>5} {r.notes:>5} {r.lines:>6}  {r.writer.fmt():>22} {r.bare.fmt():>22} "
              f"{r.ratio.fmt('.2f'):>20}")
    ok = True
    if "16x" in rows:
        ratio = rows["16x"].ratio.median
        verdict = "OK" if ratio <= limit else "MISS"
        ok &= verdict == "OK"
        print(f"16x writer / bare <= {limit:g}: {ratio:.2f}  {verdict}")
    names = list(rows)
    for a, b in zip(names, names[1:]):
        ra, rb = rows[a], rows[b]
        print(f"growth {a} -> {b}: writer {rb.writer.median / ra.writer.median:.2f}, bare pass "
              f"{rb.bare.median / ra.bare.median:.2f}, lines drawn x{rb.lines / ra.lines:.2f}, "
              f"notes x{rb.notes / ra.notes:.2f}")
    if len(names) > 1:
        first, last = rows[names[0]].ratio.median, rows[names[-1]].ratio.median
        verdict = "OK" if last <= first * slack else "MISS"
        ok &= verdict == "OK"
        print(f"layout linear: writer/bare {names[0]} {first:.2f} -> {names[-1]} {last:.2f} "
              f"(<= x{slack:g})  {verdict}")
    return ok


def main(argv: list[str] | None = None) -> int:
    """Print writer vs bare pass at each size; with --check, exit 1 on a MISS."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--limit", type=float, default=2.0, help="target for writer / bare at 16x (default 2)")
    ap.add_argument("--slack", type=float, default=1.25, help="how much writer/bare may grow from 1x to 16x")
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    ap.add_argument("--per-note", type=int, default=1,
                    help="citations per note (default 1: 2,000 notes at 16x; 2 gives bench/run.py's 1,002)")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    ok = report(measure(args.sizes, args.repeat, args.per_note), args.repeat, args.limit, args.slack)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
