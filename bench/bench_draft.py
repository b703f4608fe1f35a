"""Benchmark `briefgen draft` as a user runs it: whole processes, wall clock, peak memory of the process tree.

Run: ``python bench/bench_draft.py [FOLDER] [-j 2] [--repeat 1] [--check]``

- the 5 example articles (inputs/ukraine-security-guarantees/sources), whole process: target <= 3 s;
- FOLDER, a folder of news articles (e.g. the 500 texts of news/business/ in the public
  ZitRos/news-articles-dataset repository; not shipped here): target >= 15 articles/s with ``-j 2``
  and peak memory <= 1.5 GB (the resident memory of briefgen and its worker processes together).

Prints OK / MISS per target (wall clock) and the CPU time, which a busy machine does not inflate;
exits 1 on a MISS only with ``--check``. ``make_corpus`` writes synthetic
~4 KB articles for bench/run.py.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "inputs" / "ukraine-security-guarantees" / "sources"
TARGET_EXAMPLE_S = 3.0
TARGET_RATE = 15.0
TARGET_PEAK_MB = 1536.0


def make_corpus(folder: Path, n: int, seed: int = 7) -> list[Path]:
    """Write n articles of about 4 KB each, built from shuffled paragraphs of the examples."""
    rng = random.Random(seed)
    paras = [p for f in sorted(SOURCES.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n")
             if len(p.split()) > 8]
    out = []
    for i in range(n):
        rng.shuffle(paras)
        body, size = [], 0
        for p in paras:
            body.append(p)
            size += len(p.encode("utf-8")) + 2
            if size >= 4000:
                break
        path = folder / f"article-{i:05d}.txt"
        path.write_text(f"Article number {i} on the debate\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
        out.append(path)
    return out


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc), in KB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as fh:
                kb = next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = kb
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def run(cmd: list[str]) -> tuple[float, float, float]:
    """Run a command to completion; its wall time (s), the peak memory of its process tree (MB), its CPU time (s)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, peak / 1024, cpu


def draft_cmd(folder: Path, out: Path, jobs: int) -> list[str]:
    """The command a user types, run with this interpreter."""
    return [sys.executable, "-m", "briefgen", "draft", str(folder), "-o", str(out), "-q", "--force", "-j", str(jobs)]


def main(argv: list[str]) -> int:
    """Measure, print OK / MISS per target."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, help="a folder of news articles (e.g. news/business/)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    misses = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "brief.yaml"
        runs = [run(draft_cmd(SOURCES, out, 1)) for _ in range(max(1, args.repeat))]
        wall, peak, cpu = min(runs)
        ok = wall <= TARGET_EXAMPLE_S
        misses += not ok
        print(f"example, 5 articles, -j 1: {wall:.2f} s whole process ({cpu:.2f} CPU s), peak {peak:.0f} MB "
              f"[{'OK' if ok else 'MISS'}: <= {TARGET_EXAMPLE_S} s]")
        if args.folder:
            n = sum(1 for f in args.folder.rglob("*") if f.is_file() and f.suffix.lower() in (".txt", ".md", ".html"))
            runs = [run(draft_cmd(args.folder, out, args.jobs)) for _ in range(max(1, args.repeat))]
            wall, peak, cpu = min(runs)
            rate = n / wall
            ok_rate, ok_mem = rate >= TARGET_RATE, peak <= TARGET_PEAK_MB
            misses += (not ok_rate) + (not ok_mem)
            print(f"{args.folder}, {n} articles, -j {args.jobs}: {wall:.1f} s, {rate:.1f} articles/s "
                  f"[{'OK' if ok_rate else 'MISS'}: >= {TARGET_RATE}], peak {peak:.0f} MB "
                  f"[{'OK' if ok_mem else 'MISS'}: <= {TARGET_PEAK_MB:.0f}]; {cpu:.1f} CPU s, so "
                  f"{n / cpu * args.jobs:.1f} articles/s on {args.jobs} idle cores")
    # a machine shared with other work stretches wall time; the CPU figure shows what the code itself costs
    return 1 if (misses and args.check) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
