"""Generate a large synthetic brief (sources + brief.yaml) with an exact number of citations."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import operator
from pathlib import Path

import yaml


def _quote(s: int, i: int) -> str:
    return f"item {s}-{i} weighs on the guarantee"


def generate(folder: Path | str, n_sources: int = 20, n_citations: int = 2000, per_note: int = 1,
             items: int | None = None) -> Path:
    """Write sources and a valid brief with exactly ``n_citations`` citations into ``folder``; return its path.

    With ``per_note`` 1 every citation is its own citation point (one footnote each); larger values
    put that many citations into each background paragraph's note (semicolon-separated). With
    ``items``, the brief has exactly that many items (judgments, actors, positions, options, risks,
    questions and background paragraphs), the citations left spread evenly over the paragraphs.
    """
    folder = Path(folder)
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    per_source = math.ceil(n_citations / n_sources) + 1
    for s in range(n_sources):
        lines = [f"Synthetic report {s} on security guarantees — «гарантії безпеки»."]
        lines += [f"Paragraph {i}: officials said that {_quote(s, i)}, according to “sources”." for i in range(per_source)]
        (folder / "sources" / f"s{s:03d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

    counter = iter(range(n_citations))

    def cites(k: int = 1) -> list[dict]:

        """The next ``k`` citations, each quoting a distinct sentence."""
        out = []
        for _ in range(k):
            n = next(counter, None)
            if n is None:
                break
            s, i = n % n_sources, n // n_sources
            out.append({"source": f"s{s:03d}", "quote": _quote(s, i)})
        return out

    rich = n_citations >= 40
    brief: dict = {
        "meta": {"title": f"Synthetic brief with {n_citations} citations", "question": "Does it scale?",
                 "date": "2025-02-20", "authors": ["Bench Mark"], "marking": {"tlp": "green"}},
        "key_judgments": [], "background": [], "actors": [], "positions": [], "options": [], "risks": [],
        "open_questions": [],
    }
    if rich:
        brief["key_judgments"] = [{"id": f"kj{k}", "text": f"Judgment {k} holds.", "likelihood": "likely",
                                   "confidence": "moderate", "citations": cites(per_note)} for k in range(3)]
        brief["actors"] = [{"id": f"a{k}", "name": f"Actor {k}", "kind": "state"} for k in range(4)]
        brief["options"] = [{"id": f"o{k}", "title": f"Option {k}", "description": f"Do thing {k}.",
                             "pros": [{"text": "It helps.", "citations": cites()}],
                             "cons": [{"text": "It costs.", "citations": cites()}],
                             "citations": cites()} for k in range(2)]
        stances = ["support", "oppose", "conditional", "mixed"]
        brief["positions"] = [{"actor": f"a{k}", "about": f"o{k % 2}", "stance": stances[k],
                               **({"condition": "the US agrees"} if stances[k] == "conditional" else {}),
                               "summary": f"Actor {k} takes a view.", "citations": cites()} for k in range(4)]
        brief["risks"] = [{"id": f"r{k}", "title": f"Risk {k}", "event": "Something happens.",
                           "likelihood": "unlikely", "impact": 3 + k,
                           "mitigation": [{"text": "Watch it.", "citations": cites()}],
                           "citations": cites()} for k in range(2)]
        brief["open_questions"] = [{"id": "q0", "question": "What next?", "citations": cites()}]
    paragraph = 0
    slots = None if items is None else items - sum(len(v) for v in brief.values() if isinstance(v, list))
    left = operator.length_hint(counter)
    while True:
        if slots is not None and paragraph >= slots:
            break
        c = cites(per_note if slots is None else (left * (paragraph + 1)) // slots - (left * paragraph) // slots)
        if not c and slots is None:
            break
        brief["background"].append({"text": f"Background paragraph {paragraph} says what is new.", "citations": c})
        paragraph += 1
    brief["sources"] = [{"id": f"s{s:03d}", "title": f"Synthetic report {s} on guarantees",
                         "authors": [f"Author {s}"] if s % 3 else [], "outlet": f"Outlet {s % 7}",
                         "published": (dt.date(2025, 1, 1) + dt.timedelta(days=s)).isoformat(),
                         "url": f"https://example.org/report/{s}", "path": f"sources/s{s:03d}.txt"}
                        for s in range(n_sources)]
    brief = {k: v for k, v in brief.items() if v != []}
    path = folder / "brief.yaml"
    path.write_text(yaml.safe_dump(brief, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return path


def main() -> None:
    """Command line: python bench/genbrief.py DIR [--sources N] [--citations N] [--per-note N] [--items N]."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--sources", type=int, default=20)
    ap.add_argument("--citations", type=int, default=2000)
    ap.add_argument("--per-note", type=int, default=1)
    ap.add_argument("--items", type=int, default=None)
    args = ap.parse_args()
    print(generate(args.folder, args.sources, args.citations, args.per_note, args.items))


if __name__ == "__main__":
    main()
