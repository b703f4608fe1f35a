"""Benchmark: ground 2,000 citations against 100 sources of ~10 KB (target: under 1 s on one core).

Run:  python bench/bench_grounding.py [--sources 100] [--citations 2000] [--size 10000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import yaml

WORDS = ("security guarantee troops mission ceasefire alliance minister said proposal option risk "
         "deploy border peace talks mandate coalition support oppose condition Kyiv Moscow Brussels "
         "“quoted” words — dash ‘apostrophe’ Жовква résumé naïve").split()


def make_corpus(folder: Path, n_sources: int, n_citations: int, size: int, seed: int = 7) -> Path:
    """Write ``n_sources`` texts of about ``size`` characters and a brief citing them; return the brief."""
    rng = random.Random(seed)
    texts = []
    for i in range(n_sources):
        words, length = [], 0
        while length < size:
            w = rng.choice(WORDS)
            words.append(w)
            length += len(w) + 1
        text = " ".join(words)
        texts.append(text)
        (folder / f"s{i:03d}.txt").write_text(text, encoding="utf-8")
    sources = [{"id": f"s{i:03d}", "title": f"Source {i}", "path": f"s{i:03d}.txt"} for i in range(n_sources)]
    citations = []
    for j in range(n_citations):
        i = j % n_sources
        start = rng.randrange(0, size - 200)
        start = texts[i].index(" ", start) + 1
        end = texts[i].index(" ", start + 60)
        quote = texts[i][start:end].replace("“", '"').replace("—", "-")  # forgiven variants
        citations.append({"source": f"s{i:03d}", "quote": quote})
    per_item = 4
    options = [
        {"id": f"o{k:04d}", "title": f"Option {k}", "description": "A generated option.",
         "citations": citations[k * per_item : (k + 1) * per_item]}
        for k in range(n_citations // per_item)
    ]
    brief = {"meta": {"title": "Benchmark", "question": "How fast?", "date": "2025-01-01"},
             "options": options, "sources": sources}
    path = folder / "brief.yaml"
    path.write_text(yaml.safe_dump(brief, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def main() -> None:
    """Generate the corpus, then time reading + validating + grounding the brief."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=100)
    ap.add_argument("--citations", type=int, default=2000)
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from briefgen.brief.check import check_file

    with tempfile.TemporaryDirectory() as tmp:
        path = make_corpus(Path(tmp), args.sources, args.citations, args.size)
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            report = check_file(path)
            best = min(best, time.perf_counter() - t0)
        assert not report.errors, report.errors[:3]
        assert len(report.matches) == args.citations
        print(f"grounding: {args.citations} citations against {args.sources} sources of ~{args.size // 1000} KB: "
              f"{best:.3f} s (best of {args.repeat}; read + schema + references + quotes) "
              f"{'OK' if best < 1.0 else 'SLOW'} (target < 1 s)")
        # a quote that is not in its source: the closest passage is named, also in a long source
        from briefgen.brief.grounding import SourceText

        rng = random.Random(11)
        text = " ".join(rng.choice(WORDS) for _ in range(150_000))  # about 1 MB
        words = text.split(" ")
        at = len(words) // 2
        changed = " ".join(words[at:at + 12]).replace(words[at + 5], "UNSEEN", 1)
        source = SourceText(text)
        t0 = time.perf_counter()
        near = source.nearest(changed)
        took = time.perf_counter() - t0
        print(f"nearest passage to a changed quote in a {len(text) / 1e6:.1f} MB source: {took:.3f} s "
              f"(similarity {near.score}) {'OK' if took < 1.0 else 'SLOW'} (target < 1 s)")


if __name__ == "__main__":
    main()
