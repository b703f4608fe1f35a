"""Benchmark every command on S / M / L briefs, against pandoc and LibreOffice, in one table.

Run:  python bench/run.py [--sizes S M L] [--repeat 3] [--check]

S is the bundled example brief; M has 10 sources, 100 items and 200 citations; L has 100 sources,
1,000 items and 2,000 citations. Every figure is the best of ``--repeat`` whole processes
(``python -m briefgen …``, interpreter start-up included); peak memory is the largest maximum RSS of
those processes (with any helper processes they wait for). Draft runs over the example sources (S) or
over 10 / 100 article-like texts of about 4 KB (M / L). Prints OK / MISS per target; exits 1 on a
MISS only with ``--check``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_docx import EXAMPLE, build_cmd, compile_bytecode, notes_in  # noqa: E402
from bench_draft import make_corpus  # noqa: E402
from genbrief import generate  # noqa: E402

SIZES = {"M": (10, 100, 200), "L": (100, 1000, 2000)}  # sources, items, citations
STEPS = ("validate", "draft", "docx", "pdf", "docx+pdf")
LINEAR_STEPS = ("validate", "draft", "docx", "pdf")


@dataclass
class Row:
    """The figures measured for one brief size."""

    size: str
    sources: int = 0
    items: int = 0
    citations: int = 0
    notes: int = 0
    articles: int = 0
    times: dict[str, float] = field(default_factory=dict)
    peak_mb: float = 0.0
    pandoc: float | None = None
    pandoc_notes: int = 0
    soffice: float | None = None


def run_child(cmd: list[str]) -> tuple[float, float]:
    """Run a command to completion; return its wall time (s) and peak resident memory (MB)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-2000:]
            raise RuntimeError(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{tail}")
    return elapsed, usage.ru_maxrss / 1024


def best_of(cmd: list[str], repeat: int) -> tuple[float, float]:
    """The fastest wall time of ``repeat`` runs and the largest peak memory among them."""
    runs = [run_child(cmd) for _ in range(repeat)]
    return min(t for t, _ in runs), max(m for _, m in runs)


def briefgen(*args: object) -> list[str]:
    """The command line of one briefgen command."""
    return [sys.executable, "-m", "briefgen", *map(str, args)]


def counts(brief: Path) -> tuple[int, int, int]:
    """Sources, items and citations of a brief file."""
    from briefgen.brief.check import check_file

    data = yaml.safe_load(brief.read_text(encoding="utf-8"))
    items = sum(len(v) for k, v in data.items() if isinstance(v, list) and k != "sources")
    return len(data.get("sources", [])), items, len(check_file(brief).matches)


def make_inputs(size: str, tmp: Path) -> tuple[Path, list[Path]]:
    """The brief of one size and the sources to draft from."""
    if size == "S":
        return EXAMPLE, [EXAMPLE.parent / "sources"]
    n_sources, n_items, n_citations = SIZES[size]
    brief = generate(tmp / "brief", n_sources, n_citations, per_note=2, items=n_items)
    articles = tmp / "articles"
    articles.mkdir()
    make_corpus(articles, n_sources)
    return brief, [articles]


def measure(size: str, tmp: Path, repeat: int, tools: dict[str, str | None]) -> Row:
    """Time every command on one brief size, and pandoc and LibreOffice on the same content."""
    brief, draft_from = make_inputs(size, tmp)
    row = Row(size)
    row.sources, row.items, row.citations = counts(brief)
    row.articles = sum(1 for d in draft_from for f in d.iterdir() if f.is_file())
    out = tmp / "out"
    commands = {
        "validate": briefgen("validate", brief),
        "draft": briefgen("draft", *draft_from, "-o", tmp / "draft.yaml", "-q", "--force"),
        "docx": build_cmd(brief, out, "docx"),
        "pdf": build_cmd(brief, out, "pdf"),
        "docx+pdf": build_cmd(brief, tmp / "both", "docx") + ["-f", "pdf"],
    }
    for step, cmd in commands.items():
        row.times[step], peak = best_of(cmd, repeat)
        row.peak_mb = max(row.peak_mb, peak)
    docx = next(out.glob("*.docx"))
    row.notes = notes_in(docx)
    if tools["pandoc"]:
        run_child(build_cmd(brief, tmp / "md", "md"))
        md = next((tmp / "md").glob("*.md"))
        theirs = tmp / "pandoc.docx"
        row.pandoc, _ = best_of([tools["pandoc"], "-f", "markdown", "-t", "docx", str(md), "-o", str(theirs)], repeat)
        row.pandoc_notes = notes_in(theirs)
    if tools["soffice"]:
        lo = [tools["soffice"], f"-env:UserInstallation=file://{tmp.parent / 'lo-profile'}", "--headless",
              "--convert-to", "pdf", "--outdir", str(tmp / "lo"), str(docx)]
        run_child(lo)  # the first run sets up the profile
        row.soffice, _ = best_of(lo, repeat)
    return row


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b, or None when either is missing."""
    return None if a is None or b is None or b <= 0 else a / b


def fmt(x: float | None, spec: str = ".2f", unit: str = "") -> str:
    """A number for the table, or n/a."""
    return "n/a" if x is None else f"{x:{spec}}{unit}"


def print_table(rows: list[Row], repeat: int) -> None:
    """The main table: one line per size."""
    print(f"briefgen benchmark: best of {repeat} whole processes (python -m briefgen ...), "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    head = (f"{'size':<4} {'src':>4} {'items':>5} {'cites':>5} {'notes':>5} |"
            + "".join(f"{s:>9}" for s in STEPS)
            + f" | {'pandoc':>7} {'docx/pandoc':>11} | {'LibreOffice':>11} {'pdf/LO':>6} | {'peak MB':>7}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r.size:<4} {r.sources:>4} {r.items:>5} {r.citations:>5} {r.notes:>5} |"
              + "".join(f"{fmt(r.times[s], '.3f', 's'):>9}" for s in STEPS)
              + f" | {fmt(r.pandoc, '.3f', 's'):>7} {fmt(ratio(r.times['docx'], r.pandoc)):>11}"
              + f" | {fmt(r.soffice, '.2f', 's'):>11} {fmt(ratio(r.times['pdf'], r.soffice)):>6}"
              + f" | {r.peak_mb:>7.1f}")
    print(f"draft ran over {', '.join(f'{r.size}: {r.articles} texts' for r in rows)}; "
          f"pandoc: the same brief as Markdown -> docx "
          f"({', '.join(f'{r.size}: {r.pandoc_notes} notes' for r in rows if r.pandoc is not None) or 'skipped'}); "
          f"LibreOffice: the built docx -> pdf")


def growth(rows: dict[str, Row], baseline: float) -> bool | None:
    """Print M -> L growth per command against the content ratio; True if none grows faster."""
    if "M" not in rows or "L" not in rows:
        return None
    m, l = rows["M"], rows["L"]
    content = l.citations / m.citations
    print(f"\nM -> L growth (content x{content:.1f}: citations {m.citations} -> {l.citations}, "
          f"items {m.items} -> {l.items}; start-up = python -m briefgen --version, {baseline:.3f} s)")
    print(f"  {'command':<9} {'M':>8} {'L':>8} {'L/M':>6} {'L/M above start-up':>19}")
    linear = True
    for step in LINEAR_STEPS:
        tm, tl = m.times[step], l.times[step]
        content_step = l.articles / m.articles if step == "draft" else content
        above = ratio(tl - baseline, tm - baseline)
        ok = above is not None and above <= content_step
        linear &= ok
        print(f"  {step:<9} {tm:>7.3f}s {tl:>7.3f}s {tl / tm:>6.2f} {fmt(above):>19}  "
              f"{'OK' if ok else 'MISS'} (<= x{content_step:.1f})")
    return linear


def targets(rows: dict[str, Row], linear: bool | None) -> bool:
    """Print each target with OK / MISS / n/a; True if none is missed."""
    s, l = rows.get("S"), rows.get("L")
    checks = [
        ("example docx+pdf in one process <= 0.6 s", s and s.times["docx+pdf"], 0.6, "s"),
        ("L docx <= 0.6 x pandoc", l and ratio(l.times["docx"], l.pandoc), 0.6, "x"),
        ("L pdf <= 0.3 x LibreOffice", l and ratio(l.times["pdf"], l.soffice), 0.3, "x"),
        ("peak memory <= 200 MB", max((r.peak_mb for r in rows.values()), default=None), 200, " MB"),
    ]
    print("\ntargets")
    ok = True
    for name, value, limit, unit in checks:
        verdict = "n/a" if value is None else "OK" if value <= limit else "MISS"
        ok &= verdict != "MISS"
        print(f"  {name:<42} {fmt(value or None, '.3f' if unit != ' MB' else '.1f', unit):>10}  {verdict}")
    verdict = "n/a" if linear is None else "OK" if linear else "MISS"
    ok &= verdict != "MISS"
    print(f"  {'M -> L linear (above start-up)':<42} {'':>10}  {verdict}")
    return ok


def main(argv: list[str] | None = None) -> int:
    """Measure the chosen sizes and print the table, growth and targets."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["S", "M", "L"], choices=["S", "M", "L"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    tools = {"pandoc": shutil.which("pandoc"), "soffice": shutil.which("soffice") or shutil.which("libreoffice")}
    started = time.perf_counter()
    compiled = compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        rows = {}
        for size in dict.fromkeys(args.sizes):
            folder = Path(tmp) / size
            folder.mkdir()
            rows[size] = measure(size, folder, args.repeat, tools)
        baseline, _ = best_of(briefgen("--version"), args.repeat)
    print_table(list(rows.values()), args.repeat)
    linear = growth(rows, baseline)
    ok = targets(rows, linear)
    print(f"\n(pandoc: {tools['pandoc'] or 'not installed'}; LibreOffice: {tools['soffice'] or 'not installed'}; "
          f"whole run {time.perf_counter() - started:.0f} s)\n{compiled}")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
