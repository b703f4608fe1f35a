"""Benchmark: does each stage grow no faster than the content, for briefs of several shapes?

Run:  python bench/bench_scaling.py [--factor 4] [--scale 1.0] [--check]

For each shape, a brief of n and of ``factor`` × n items is checked, composed and written to Word and
PDF in this process (best of three); the table gives each stage's time and the growth (large / small).
Target: no stage grows more than 1.5 × ``factor``: linear work grows by ``factor``, a step quadratic
in the items by ``factor``² (16×). Stages run as ``briefgen build`` runs them, with Python's cyclic
garbage collector paused (with it running, compose of the ``issues`` shape grows 8–10×).

Shapes:
- ``spread``: the benchmark brief of bench/run.py (L = 100 sources, 1,000 items, 2,000 citations),
  its items spread over every kind;
- ``wide``: n options, n actors and one position per actor on its own option, the shape that shows
  work done once per option over every position (n = 1,000).
- ``issues``: n positions on n named issues (not options) by 10 actors (n = 1,000).
"""

from __future__ import annotations

import argparse
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


SHAPES = {"spread": (_write_spread, 1.0), "wide": (_write_wide, 1000), "issues": (_write_issues, 1000)}


def measure(path: Path) -> dict[str, float]:
    """Seconds for check, compose, docx and pdf of one brief (best of three), as ``build`` runs them
    (with the cyclic garbage collector paused)."""
    from briefgen.build import collector_paused

    with collector_paused():
        return _measure(path)


def _measure(path: Path) -> dict[str, float]:
    from briefgen.brief.check import check_file
    from briefgen.compose.composer import compose
    from briefgen.writers.docx import writer as docx
    from briefgen.writers.pdf import writer as pdf

    best: dict[str, float] = {}
    for _ in range(3):
        times = {}
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
        best = {k: min(v, best.get(k, v)) for k, v in times.items()}
    return best


def main(argv: list[str] | None = None) -> int:
    """Print the table; with --check, exit 1 when a stage grows faster than the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=4, help="how much larger the large brief is (default 4)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="size of the small briefs relative to the standard ones (default 1)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    print(compile_bytecode())
    limit = 1.5 * args.factor
    missed = False
    print(f"{'shape':8} {'stage':8} {'small':>8} {'large':>8} {'growth':>7}  target ≤ {limit:.1f}×")
    for shape, (write, base) in SHAPES.items():
        n = base * args.scale if write is _write_spread else max(1, round(base * args.scale))
        with tempfile.TemporaryDirectory() as tmp:
            small_dir, large_dir = Path(tmp, "small"), Path(tmp, "large")
            small_dir.mkdir()
            large_dir.mkdir()
            small = measure(write(small_dir, n))
            large = measure(write(large_dir, n * args.factor))
        for stage in small:
            growth = large[stage] / max(small[stage], 1e-6)
            ok = growth <= limit or large[stage] < 0.05  # below 50 ms, noise dominates
            missed |= not ok
            print(f"{shape:8} {stage:8} {small[stage]:7.3f}s {large[stage]:7.3f}s {growth:6.1f}×  "
                  f"{'OK' if ok else 'MISS'}")
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
