"""Benchmark: does each stage grow no faster than the content, over 1×, 4× and 16× briefs of several shapes?

Run:  python bench/bench_scaling.py [--scale 1.0] [--repeat 5] [--limit 1.0] [--noise 0.05] [--check]

For each shape, briefs of n, 4n and 16n items are checked, composed and written to Word and PDF
in this process, as ``briefgen build`` runs them (Python's cyclic garbage collector paused). The
sizes are measured in interleaved rounds (1× 4× 16×, 1× 4× 16×, …) so all see the same machine
load, after one warm-up round (imports, fonts: the fixed cost is paid before timing). The table
gives each stage's median time (min–max) and its growth per step (median larger / smaller).
Target: no stage grows faster than its content (growth ≤ 4 × ``--limit``); a growth whose larger
median is under ``--noise`` seconds is shown as n/a. With ``--check`` any MISS exits 1.

Shapes (16× sizes):
- ``spread``: the L brief of bench/run.py (100 sources, 1,000 items, 2,000 citations), its items
  spread over every kind;
- ``wide``: n options, n actors and one position per actor on its own option, the shape that shows
  work done once per option over every position (16n = 1,000).
- ``issues``: n positions on n named issues (not options) by 10 actors (16n = 1,000).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_docx import compile_bytecode  # noqa: E402
from genbrief import generate  # noqa: E402

QUOTE = "the minister said"
SOURCE = f"Officials met on Monday and {QUOTE} the plan would hold.\n"


def _cite() -> str:
    return f"[{{source: s, quote: \"{QUOTE}\"}}]"


def _write_wide(folder: Path, n: int) -> Path:
    (folder / "s.txt").write_text(SOURCE, encoding="utf-8")
    lines = ["meta: {title: Wide, question: Who backs what?, date: 2025-01-01}", "actors:"]
    lines += [f"  - {{id: a{i}, name: Actor {i}, kind: person}}" for i in range(n)]
    lines.append("options:")
    lines += [f"  - {{id: o{i}, title: Option {i}, description: D., citations: {_cite()}}}" for i in range(n)]
    lines.append("positions:")
    lines += [f"  - {{actor: a{i}, about: o{i}, stance: {('support', 'oppose', 'conditional')[i % 3]}, "
              f"{'condition: if asked, ' if i % 3 == 2 else ''}summary: S., citations: {_cite()}}}" for i in range(n)]
    lines += ["sources:", "  - {id: s, title: Source, path: s.txt}"]
    path = folder / "brief.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _write_issues(folder: Path, n: int) -> Path:
    (folder / "s.txt").write_text(SOURCE, encoding="utf-8")
    lines = ["meta: {title: Issues, question: Who thinks what?, date: 2025-01-01}", "actors:"]
    lines += [f"  - {{id: a{i}, name: Actor {i}, kind: person}}" for i in range(10)]
    lines.append("positions:")
    lines += [f"  - {{actor: a{i % 10}, about: issue number {i}, stance: support, summary: S., citations: {_cite()}}}"
              for i in range(n)]
    lines += ["sources:", "  - {id: s, title: Source, path: s.txt}"]
    path = folder / "brief.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _write_spread(folder: Path, k: float) -> Path:
    return generate(folder, n_sources=max(1, round(100 * k)), n_citations=round(2000 * k), items=round(1000 * k))


SHAPES = {"spread": (_write_spread, 1 / 16), "wide": (_write_wide, 1000 / 16), "issues": (_write_issues, 1000 / 16)}
FACTORS = (1, 4, 16)


def once(path: Path) -> dict[str, float]:
    """Seconds for check, compose, docx and pdf of one brief, as ``build`` runs them (cyclic GC paused)."""
    from briefgen.brief.check import check_file
    from briefgen.build import collector_paused
    from briefgen.compose.composer import compose
    from briefgen.writers.docx import writer as docx
    from briefgen.writers.pdf import writer as pdf

    times = {}
    with collector_paused():
        t = time.perf_counter()
        report = check_file(path)
        times["check"] = time.perf_counter() - t
        if report.brief is None or any(p.severity == "error" for p in report.problems):
            raise SystemExit(f"{path}: the benchmark brief does not validate: {report.problems[:3]}")
        t = time.perf_counter()
        doc = compose(report.brief)
        times["compose"] = time.perf_counter() - t
        for name, writer in (("docx", docx), ("pdf", pdf)):
            t = time.perf_counter()
            writer.write(doc)
            times[name] = time.perf_counter() - t
    return times


def measure(paths: list[Path], repeat: int) -> list[dict[str, list[float]]]:
    """Per brief, each stage's times over ``repeat`` interleaved rounds (after a warm-up round)."""
    for path in paths:
        once(path)
    runs: list[dict[str, list[float]]] = [{} for _ in paths]
    for _ in range(repeat):
        for i, path in enumerate(paths):
            for stage, t in once(path).items():
                runs[i].setdefault(stage, []).append(t)
    return runs


def main(argv: list[str] | None = None) -> int:
    """Print the table; with --check, exit 1 when a stage grows faster than its content."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="size of the briefs relative to the standard ones (default 1)")
    parser.add_argument("--repeat", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--limit", type=float, default=1.0,
                        help="MISS when a stage grows more than this times its content (default 1)")
    parser.add_argument("--noise", type=float, default=0.05,
                        help="growth to a median under this many seconds is n/a (default 0.05)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    print(compile_bytecode())
    missed = False
    print(f"medians (min–max) of {args.repeat} interleaved rounds; growth = median larger / smaller; "
          f"target <= content x {args.limit:g}")
    print(f"{'shape':8} {'stage':8} " + " ".join(f"{f'{f}x':>22}" for f in FACTORS)
          + " " + " ".join(f"{f'{a}->{b}':>7}" for a, b in zip(FACTORS, FACTORS[1:])) + "  verdict")
    for shape, (write, base) in SHAPES.items():
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for f in FACTORS:
                folder = Path(tmp, f"x{f}")
                folder.mkdir()
                n = base * args.scale * f if write is _write_spread else max(1, round(base * args.scale * f))
                paths.append(write(folder, n))
            runs = measure(paths, args.repeat)
        for stage in runs[0]:
            meds = [statistics.median(r[stage]) for r in runs]
            cells = [f"{m:.3f} ({min(r[stage]):.3f}–{max(r[stage]):.3f})" for m, r in zip(meds, runs)]
            growths, verdict = [], "n/a"
            for (fa, ma), (fb, mb) in zip(zip(FACTORS, meds), zip(FACTORS[1:], meds[1:])):
                g = mb / max(ma, 1e-6)
                growths.append(f"{g:6.1f}x")
                if mb >= args.noise:
                    ok = g <= (fb / fa) * args.limit
                    verdict = "MISS" if not ok or verdict == "MISS" else "OK"
            missed |= verdict == "MISS"
            print(f"{shape:8} {stage:8} " + " ".join(f"{c:>22}" for c in cells) + " "
                  + " ".join(f"{g:>7}" for g in growths) + f"  {verdict}")
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
