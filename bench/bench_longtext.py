"""Benchmark: one very long field (1 KB … 200 KB) rendered by every writer, time against length.

Run:  python bench/bench_longtext.py [--sizes 1000 4000 16000 64000 200000] [--repeat 3] [--check]

A one-actor, one-option brief gets one field set to a long text — the title, the actor's name or
the option's title — made of words (``words``) or of one unbroken word (``word``). For each writer
(md, docx, pdf) the table gives the smallest of ``--repeat`` compose+render times per size and the
growth per step against the length's growth. Target: no step grows more than 1.5 × the length
(linear work grows like the length; a layout quadratic in it grows like its square). Steps whose
larger time is under 50 ms are n/a (noise). With ``--check`` any MISS exits 1.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

QUOTE = "the minister said"
BRIEF = """\
meta: {title: Short, question: Who backs what?, date: 2025-01-01}
actors:
  - {id: a, name: Actor A, kind: person}
options:
  - {id: o, title: Option O, description: D., citations: [{source: s, quote: "the minister said"}]}
positions:
  - {actor: a, about: o, stance: support, summary: S., citations: [{source: s, quote: "the minister said"}]}
sources:
  - {id: s, title: Source, path: s.txt}
"""
NOISE = 0.05


def long_text(n: int, kind: str) -> str:
    """``n`` characters: words of 2–10 letters, or one unbroken word."""
    if kind == "word":
        return "x" * n
    rnd = random.Random(7)
    out, size = [], 0
    while size < n:
        w = "".join(rnd.choice("abcdefghijklmnop") for _ in range(rnd.randint(2, 10)))
        out.append(w)
        size += len(w) + 1
    return " ".join(out)[:n]


def with_field(report, field: str, text: str):
    """A copy of the checked brief with one field (title, actor or option) set to ``text``."""
    brief = report.brief.model_copy(deep=True)
    if field == "title":
        brief.meta.title = text
    elif field == "actor":
        brief.actors[0].name = text
    else:
        brief.options[0].title = text
    return brief


def main(argv: list[str] | None = None) -> int:
    """Print the table; with --check, exit 1 on a MISS."""
    from briefgen.brief.check import check_file
    from briefgen.build import collector_paused, render_format, settings_for
    from briefgen.compose.composer import compose

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 16000, 64000, 200000])
    ap.add_argument("--fields", nargs="+", default=["title", "actor", "option"], choices=["title", "actor", "option"])
    ap.add_argument("--kinds", nargs="+", default=["words", "word"], choices=["words", "word"])
    ap.add_argument("--formats", nargs="+", default=["md", "docx", "pdf"], choices=["md", "docx", "pdf"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=float, default=1.5)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "s.txt").write_text(f"Officials met and {QUOTE} the plan would hold.\n", encoding="utf-8")
        (folder / "brief.yaml").write_text(BRIEF, encoding="utf-8")
        report = check_file(folder / "brief.yaml")
    layout, options = settings_for(None)

    def seconds(field: str, text: str, fmt: str) -> float:
        best = float("inf")
        for _ in range(args.repeat):
            brief = with_field(report, field, text)
            with collector_paused():
                start = time.perf_counter()
                render_format(compose(brief, layout, report), fmt, options)
                best = min(best, time.perf_counter() - start)
        return best

    sizes = sorted(args.sizes)
    print(f"smallest of {args.repeat} compose+render times (s) per field length; growth/length = the time's "
          f"growth over the length's, from the first time above {NOISE * 1000:.0f} ms to the largest; "
          f"MISS above {args.limit:g}")
    print(f"{'field':<7} {'kind':<6} {'fmt':<5}" + "".join(f"{n:>10,}" for n in sizes) + "  growth/length  verdict")
    missed = False
    for field in args.fields:
        for kind in args.kinds:
            for fmt in args.formats:
                seconds(field, long_text(sizes[0], kind), fmt)  # warm-up: imports, fonts
                times = [seconds(field, long_text(n, kind), fmt) for n in sizes]
                # judged over the span from the first size measured above the noise to the largest:
                # linear work gives about 1, a layout quadratic in the length gives the length's growth
                first = next((i for i, t in enumerate(times) if t >= NOISE), None)
                worst, verdict = None, "n/a"
                if first is not None and first < len(sizes) - 1:
                    worst = (times[-1] / times[first]) / (sizes[-1] / sizes[first])
                    verdict = "MISS" if worst > args.limit else "OK"
                missed |= verdict == "MISS"
                print(f"{field:<7} {kind:<6} {fmt:<5}" + "".join(f"{t:>10.3f}" for t in times)
                      + f"  {('n/a' if worst is None else f'{worst:.2f}'):>13}  {verdict}", flush=True)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
