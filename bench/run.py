"""Benchmark every command on the example brief and on briefs of 1×, 4× and 16× content, against pandoc and LibreOffice.

Run:  python bench/run.py [--sizes S 1x 4x 16x] [--steps …] [--repeat 5] [--check] [--target NAME=VALUE ...]

S is the bundled example brief; 1×, 4× and 16× are generated briefs (16× = L: 100 sources,
1,000 items, 2,000 citations; 4× and 1× a quarter and a sixteenth of that). Every command runs
as a whole process (``python -m briefgen …``, interpreter start-up included), in interleaved
pairs (A B A B …) with what it is compared to, so both see the same machine load:

- each command against its *import floor*: a process that imports exactly the modules the
  command imports and does nothing else; the time above the floor is what growth is judged on;
- ``build -f docx`` against pandoc turning the same brief's Markdown into .docx, and
  ``build -f pdf`` against LibreOffice turning the built .docx into PDF (ratios pair by pair);
- with 16× and the pdf step, the PDF writer's layout against a bare ReportLab pass drawing the same
  lines (bench/bench_pdf_bare.py, in-process, L with 2,000 notes, and 1× to judge that it stays linear).

Figures are medians with their min–max over ``--repeat`` pairs. Memory is the peak resident
memory summed over every process of a command (a PDF build forks a helper; drafting with -j forks
workers), judged apart for builds (200 MB) and for drafting, which holds a language model (1.5 GB).
Prints OK / MISS per target; with ``--check`` any MISS exits 1. ``--target NAME=VALUE`` replaces one target's limit
(names are printed with the targets), e.g. to see that an impossible one fails.
"""

from __future__ import annotations

import argparse
import shutil
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
from bench_pdf_bare import measure as measure_bare, report as report_bare  # noqa: E402
from genbrief import generate  # noqa: E402
from timing import Stat, import_floor, pair_excess, pair_ratios, pairs, run_once, summed_peak_mb  # noqa: E402

# sources, items, citations; the factor is the content relative to 1x
GROWTH = {"1x": (1, (6, 62, 125)), "4x": (4, (25, 250, 500)), "16x": (16, (100, 1000, 2000))}
ALL_SIZES = ["S", *GROWTH]
STEPS = ("validate", "draft", "docx", "pdf", "docx+pdf")
NOISE = 0.05  # s above the floor below which a growth ratio is noise, not a measurement

TARGETS = {  # name: (description, limit, unit)
    "help": ("briefgen --help", 0.15, "s"),
    "validate": ("example validate / --version", 2.0, "x"),
    "docx_pandoc": ("example build -f docx / pandoc", 1.0, "x"),
    "example_both": ("example docx+pdf in one process", 0.6, "s"),
    "L_docx": ("16x docx / pandoc", 0.6, "x"),
    "L_pdf": ("16x pdf / LibreOffice", 0.3, "x"),
    "L_pdf_bare": ("L pdf.write / bare ReportLab", 2.0, "x"),
    "notes_linear": ("pdf.write/bare, 1x -> L", 1.25, "x"),
    "memory": ("build peak memory, all processes summed", 200.0, " MB"),
    "draft_memory": ("draft peak memory, all processes summed", 1500.0, " MB"),
    "growth": ("growth above floor / content growth", 1.0, "x"),
}


@dataclass
class Row:
    """The figures measured for one brief size."""

    size: str
    sources: int = 0
    items: int = 0
    citations: int = 0
    notes: int = 0
    articles: int = 0
    times: dict[str, Stat] = field(default_factory=dict)
    floors: dict[str, Stat] = field(default_factory=dict)
    above: dict[str, Stat] = field(default_factory=dict)
    peak_mb: float = 0.0
    draft_peak_mb: float = 0.0
    pandoc: Stat | None = None
    docx_pandoc: Stat | None = None
    soffice: Stat | None = None
    pdf_soffice: Stat | None = None


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
    n_sources, n_items, n_citations = GROWTH[size][1]
    brief = generate(tmp / "brief", n_sources, n_citations, per_note=2, items=n_items)
    articles = tmp / "articles"
    articles.mkdir()
    make_corpus(articles, n_sources)
    return brief, [articles]


def measure(size: str, tmp: Path, repeat: int, tools: dict[str, str | None], steps: list[str]) -> Row:
    """Time every command on one brief size against its import floor, and against pandoc and LibreOffice."""
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
    commands = {k: v for k, v in commands.items() if k in steps}
    for step, cmd in commands.items():
        floor = import_floor(cmd, tmp / "floors")
        t, f = pairs(cmd, floor, repeat)
        row.times[step], row.floors[step], row.above[step] = Stat.of(t), Stat.of(f), pair_excess(t, f)
    for step in ("pdf", "docx+pdf"):  # the build commands that fork helpers or hold the most
        if step in commands:
            row.peak_mb = max(row.peak_mb, summed_peak_mb(commands[step]))
    if "draft" in commands:  # drafting holds a language model: judged against its own budget
        row.draft_peak_mb = summed_peak_mb(commands["draft"])
    if "docx" not in commands:
        return row
    docx = next(out.glob("*.docx"))
    row.notes = notes_in(docx)
    if tools["pandoc"]:
        run_once(build_cmd(brief, tmp / "md", "md"))
        md = next((tmp / "md").glob("*.md"))
        theirs = [tools["pandoc"], "-f", "markdown", "-t", "docx", str(md), "-o", str(tmp / "pandoc.docx")]
        ours, peer = pairs(commands["docx"], theirs, repeat)
        row.pandoc, row.docx_pandoc = Stat.of(peer), pair_ratios(ours, peer)
    if tools["soffice"] and size != "S" and "pdf" in commands:
        lo = [tools["soffice"], f"-env:UserInstallation=file://{tmp.parent / 'lo-profile'}", "--headless",
              "--convert-to", "pdf", "--outdir", str(tmp / "lo"), str(docx)]
        ours, peer = pairs(commands["pdf"], lo, repeat)  # the warm-up run sets up LibreOffice's profile
        row.soffice, row.pdf_soffice = Stat.of(peer), pair_ratios(ours, peer)
    return row


def fmt(x: Stat | float | None, spec: str = ".3f", unit: str = "") -> str:
    """A figure for the table, or n/a."""
    if x is None:
        return "n/a"
    return x.fmt(spec, unit) if isinstance(x, Stat) else f"{x:{spec}}{unit}"


def print_table(rows: list[Row], repeat: int) -> None:
    """One block per size: each command's time, its import floor and the time above it; the peers."""
    import os

    print(f"briefgen benchmark: medians (min–max) of {repeat} interleaved pairs of whole processes "
          f"(python -m briefgen ...), {len(os.sched_getaffinity(0))} usable CPUs, Python {sys.version.split()[0]}")
    for r in rows:
        print(f"\n{r.size}: {r.sources} sources, {r.items} items, {r.citations} citations, {r.notes} notes, "
              f"draft over {r.articles} texts; peak memory (all processes) build {r.peak_mb:.1f} MB, "
              f"draft {r.draft_peak_mb:.1f} MB")
        print(f"  {'command':<9} {'time':>24} {'import floor':>24} {'above floor':>24}")
        for s in (s for s in STEPS if s in r.times):
            print(f"  {s:<9} {fmt(r.times[s]):>24} {fmt(r.floors[s]):>24} {fmt(r.above[s]):>24}")
        if r.pandoc:
            print(f"  pandoc md->docx {fmt(r.pandoc)}; build -f docx / pandoc, pair by pair: {fmt(r.docx_pandoc, '.2f')}")
        if r.soffice:
            print(f"  LibreOffice docx->pdf {fmt(r.soffice, '.2f')}; build -f pdf / LibreOffice: "
                  f"{fmt(r.pdf_soffice, '.2f')}")


def growth(rows: dict[str, Row], limit: float) -> bool | None:
    """Print each command's growth above its floor over 1x -> 4x -> 16x; True if none grows faster than its content."""
    sizes = [s for s in GROWTH if s in rows]
    if len(sizes) < 2:
        return None
    print(f"\ngrowth above the import floor (median time above floor, larger / smaller; MISS when above content "
          f"growth x {limit:g}; n/a when the smaller is under {NOISE * 1000:.0f} ms, where noise decides the ratio)")
    ok = True
    steps = list(zip(sizes, sizes[1:])) + ([(sizes[0], sizes[-1])] if len(sizes) > 2 else [])
    for a, b in steps:
        ra, rb = rows[a], rows[b]
        for step in (s for s in STEPS if s in ra.above and s in rb.above):
            content = rb.articles / ra.articles if step == "draft" else rb.citations / ra.citations
            ta, tb = ra.above[step].median, rb.above[step].median
            if ta < NOISE:
                verdict, g = "n/a", None
            else:
                g = tb / ta
                verdict = "OK" if g <= content * limit else "MISS"
            ok &= verdict != "MISS"
            print(f"  {a:>3} -> {b:<3} {step:<9} {ta:7.3f}s -> {tb:7.3f}s  growth {fmt(g, '.2f'):>6}  "
                  f"content x{content:.1f}  {verdict}")
    return ok


def targets(rows: dict[str, Row], linear: bool | None, help_time: Stat | None, version_pairs: Stat | None,
            limits: dict[str, float], bare: dict | None = None) -> bool:
    """Print each target with its figure and OK / MISS / n/a; True if none is missed."""
    s, big = rows.get("S"), rows.get("16x")
    mem = max((r.peak_mb for r in rows.values() if r.peak_mb), default=None)
    draft_mem = max((r.draft_peak_mb for r in rows.values() if r.draft_peak_mb), default=None)
    values = {
        "help": help_time,
        "validate": version_pairs,
        "docx_pandoc": s and s.docx_pandoc,
        "example_both": s and s.times.get("docx+pdf"),
        "L_docx": big and big.docx_pandoc,
        "L_pdf": big and big.pdf_soffice,
        "memory": mem,
        "draft_memory": draft_mem,
        "L_pdf_bare": bare and "16x" in bare and bare["16x"].ratio,
        "notes_linear": bare and "1x" in bare and "16x" in bare and bare["16x"].ratio.median / bare["1x"].ratio.median,
    }
    print("\ntargets (verdict on the median; the range shows the spread)")
    ok = True
    for name, (desc, _, unit) in TARGETS.items():
        if name == "growth":
            continue
        value, limit = values.get(name), limits[name]
        median = value.median if isinstance(value, Stat) else value
        verdict = "n/a" if median is None else "OK" if median <= limit else "MISS"
        ok &= verdict != "MISS"
        spec = ".1f" if unit == " MB" else ".3f"
        print(f"  {name:<12} {desc:<38} <= {limit:g}{unit.strip()}: {fmt(value or None, spec, unit):>26}  {verdict}")
    verdict = "n/a" if linear is None else "OK" if linear else "MISS"
    ok &= verdict != "MISS"
    print(f"  {'growth':<12} {'every command, 1x -> 4x -> 16x':<38} <= content x {limits['growth']:g}  {verdict}")
    return ok


def parse_targets(items: list[str]) -> dict[str, float]:
    """The target limits with ``NAME=VALUE`` overrides applied."""
    limits = {name: limit for name, (_, limit, _) in TARGETS.items()}
    for item in items:
        name, _, value = item.partition("=")
        if name not in limits:
            raise SystemExit(f"unknown target {name!r}; known: {', '.join(limits)}")
        limits[name] = float(value)
    return limits


def main(argv: list[str] | None = None) -> int:
    """Measure the chosen sizes and print the table, growth and targets."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=ALL_SIZES, choices=ALL_SIZES)
    ap.add_argument("--repeat", type=int, default=5, help="interleaved pairs per comparison (default 5)")
    ap.add_argument("--steps", nargs="+", default=list(STEPS), choices=STEPS, help="commands to time (default all)")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--target", action="append", default=[], metavar="NAME=VALUE", help="replace a target's limit")
    args = ap.parse_args(argv)
    limits = parse_targets(args.target)
    tools = {"pandoc": shutil.which("pandoc"), "soffice": shutil.which("soffice") or shutil.which("libreoffice")}
    started = time.perf_counter()
    compiled = compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        rows = {}
        for size in [s for s in ALL_SIZES if s in args.sizes]:
            folder = Path(tmp) / size
            folder.mkdir()
            rows[size] = measure(size, folder, args.repeat, tools, args.steps)
        help_runs, version_runs = pairs(briefgen("--help"), briefgen("--version"), args.repeat)
        help_time = Stat.of(help_runs)
        validate_version = None
        if "S" in rows and "validate" in args.steps:
            v, ver = pairs(briefgen("validate", EXAMPLE), briefgen("--version"), args.repeat)
            validate_version = pair_ratios(v, ver)
    bare = None
    if "pdf" in args.steps and "16x" in args.sizes:  # PDF layout, notes included, against drawing the same lines
        bare = measure_bare([s for s in ("1x", "16x") if s in args.sizes], args.repeat)
    print_table(list(rows.values()), args.repeat)
    print(f"\nbriefgen --help {help_time.fmt()}; --version {Stat.of(version_runs).fmt()}; "
          f"example validate / --version, pair by pair: {fmt(validate_version, '.2f')}")
    if bare:
        print()
        report_bare(bare, args.repeat, limits["L_pdf_bare"], limits["notes_linear"])
    linear = growth(rows, limits["growth"])
    ok = targets(rows, linear, help_time, validate_version, limits, bare)
    print(f"\n(pandoc: {tools['pandoc'] or 'not installed'}; LibreOffice: {tools['soffice'] or 'not installed'}; "
          f"whole run {time.perf_counter() - started:.0f} s)\n{compiled}")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
