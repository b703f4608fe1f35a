"""Benchmark `briefgen draft`: articles per second on one core, and how time grows with the number of articles.

Run: ``python bench/bench_draft.py [N ...]`` (default 50 100 200). Articles are ~4 KB texts made by
shuffling the paragraphs of the example articles, so each one is different.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from briefgen.draft import draft_to_file  # noqa: E402

SOURCES = REPO / "inputs" / "ukraine-security-guarantees" / "sources"


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


def run(n: int) -> float:
    """Draft n articles once; return articles per CPU second (one process, so one core)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "src"
        folder.mkdir()
        files = make_corpus(folder, n)
        t0 = time.process_time()
        draft_to_file(files, Path(tmp) / "brief.yaml", jobs=1)
        return n / (time.process_time() - t0)


def main(argv: list[str]) -> int:
    """Print articles/second for each corpus size."""
    sizes = [int(a) for a in argv] or [50, 100, 200]
    run(5)  # warm up imports and caches
    for n in sizes:
        rate = run(n)
        print(f"{n:6d} articles: {rate:7.1f} articles/second ({1000 / rate:.1f} ms per article)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
