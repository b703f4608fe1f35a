"""Score `briefgen draft` on the example articles against the gold annotation (precision/recall per category).

Run as ``python tests/eval/score.py`` or ``python -m tests.eval.score``.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from briefgen.draft.actors import fold  # noqa: E402
from briefgen.brief.grounding import SourceText  # noqa: E402

GOLD = Path(__file__).resolve().parent / "gold.yaml"
SOURCES = REPO / "inputs" / "ukraine-security-guarantees" / "sources"


@dataclass
class Score:
    """Precision and recall of one category."""

    name: str
    found: int
    matched_system: int
    system: int
    matched_gold: int
    gold: int

    @property
    def precision(self) -> float:
        """Share of system items that match a gold item."""
        return self.matched_system / self.system if self.system else 0.0

    @property
    def recall(self) -> float:
        """Share of gold items found."""
        return self.matched_gold / self.gold if self.gold else 0.0


def _norm_names(names) -> set[str]:
    return {fold(n) for n in names}


def _actor_match(sys_actor: dict, gold_actor: dict) -> bool:
    sys_names = _norm_names([sys_actor["name"], *sys_actor.get("aliases", [])])
    gold_names = _norm_names(gold_actor["names"])
    if sys_names & gold_names:
        return True
    if gold_actor.get("kind") == "person" and sys_actor.get("kind") == "person":
        gs = {n.split()[-1] for n in gold_names if n}
        ss = {n.split()[-1] for n in sys_names if n}
        return bool(gs & ss)
    return False


def _spans(brief: dict, item: dict, texts: dict[str, SourceText], by_path: dict[str, str]):
    out = []
    for c in item.get("citations", []):
        src = by_path.get(c["source"])
        if src is None:
            continue
        hit = texts[src].find(c["quote"])
        if hit:
            out.append((src, hit.start, hit.end))
    return out


def _overlap_match(sys_items, gold_items, brief, texts, by_path):
    """Greedy one-to-one matching of system items to gold items by overlapping quoted spans."""
    gold_spans = []
    for g in gold_items:
        spans = []
        for fname, passage in g["evidence"]:
            hit = texts[fname].find(passage)
            if hit:
                spans.append((fname, hit.start, hit.end))
        gold_spans.append(spans)
    pairs = []
    for i, it in enumerate(sys_items):
        ss = _spans(brief, it, texts, by_path)
        for j, gs in enumerate(gold_spans):
            n = sum(1 for a in ss for b in gs if a[0] == b[0] and a[1] < b[2] and b[1] < a[2])
            if n:
                pairs.append((n, i, j))
    used_i, used_j = set(), set()
    for n, i, j in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
    # a system item that overlaps some gold item but lost the one-to-one race is a duplicate, not noise
    overlapping = {i for _, i, _ in pairs}
    return len(overlapping), len(used_j)


def evaluate(brief_path: Path | None = None) -> dict:
    """Draft the example (unless a brief is given) and score it; returns the figures."""
    gold = yaml.safe_load(GOLD.read_text(encoding="utf-8"))
    if brief_path is None:
        from briefgen.draft import draft_to_file

        tmp = Path(tempfile.mkdtemp(prefix="briefgen-eval-"))
        brief_path = draft_to_file([SOURCES], tmp / "brief.yaml")
    brief = yaml.safe_load(Path(brief_path).read_text(encoding="utf-8"))
    texts = {p.name: SourceText(p.read_text(encoding="utf-8")) for p in SOURCES.iterdir() if p.is_file()}
    by_path = {s["id"]: Path(s["path"]).name for s in brief["sources"]}

    actors = brief.get("actors", [])
    positions = brief.get("positions", [])
    first_pos = {}
    for p in positions:
        first_pos.setdefault(p["actor"], p)
    matched_sys, matched_gold = set(), set()
    aff_total = aff_right = st_total = st_right = 0
    details = []
    for j, g in enumerate(gold["actors"]):
        hit = next((i for i, a in enumerate(actors) if i not in matched_sys and _actor_match(a, g)), None)
        if hit is None:
            details.append(f"  missed actor: {g['names'][0]}")
            continue
        matched_sys.add(hit)
        matched_gold.add(j)
        a = actors[hit]
        if g.get("affiliation"):
            aff_total += 1
            value = a.get("affiliation") or (a["name"] if a.get("kind") != "person" else None)
            ok = value is not None and fold(value) in _norm_names(g["affiliation"])
            aff_right += ok
            if not ok:
                details.append(f"  affiliation: {g['names'][0]}: {value!r} (gold {g['affiliation'][0]})")
        st_total += 1
        stance = first_pos.get(a["id"], {}).get("stance")
        ok = stance in {g["stance"], *g.get("also", [])}
        st_right += ok
        if not ok:
            details.append(f"  stance: {g['names'][0]}: {stance} (gold {g['stance']})")
    # extra actors matching an already matched gold actor (duplicates) still count as wrong
    for i, a in enumerate(actors):
        if i not in matched_sys:
            details.append(f"  extra actor: {a['name']}")
    scores = {"actors": Score("actors", len(actors), len(matched_sys), len(actors), len(matched_gold), len(gold["actors"]))}
    for cat in ("options", "risks", "open_questions"):
        items = brief.get(cat, [])
        ms, mg = _overlap_match(items, gold[cat], brief, texts, by_path)
        scores[cat] = Score(cat, len(items), ms, len(items), mg, len(gold[cat]))

    # every quote verbatim, strict validation
    from briefgen.brief.check import check_file

    report = check_file(brief_path, allow_outside=[SOURCES])  # the draft is written outside the sources folder
    n_quotes = sum(1 for _ in _all_citations(brief))
    missing = [p for p in report.problems if p.code == "quote-not-found"]
    return {
        "scores": scores,
        "affiliation": (aff_right, aff_total),
        "stance": (st_right, st_total),
        "options_found": scores["options"].matched_gold,
        "quotes": (n_quotes - len(missing), n_quotes),
        "strict_ok": report.ok(strict=True),
        "problems": [p.format() for p in report.problems],
        "details": details,
        "brief": str(brief_path),
    }


def _all_citations(brief: dict):
    for key, items in brief.items():
        if isinstance(items, list):
            for it in items:
                for c in it.get("citations", []) if isinstance(it, dict) else []:
                    yield c


def main(argv: list[str] | None = None) -> int:
    """Print the figures; with -v also what was missed."""
    argv = sys.argv[1:] if argv is None else argv
    brief = next((Path(a) for a in argv if not a.startswith("-")), None)
    r = evaluate(brief)
    print(f"{'category':<16}{'precision':>10}{'recall':>9}   (system matched/total, gold found/total)")
    for s in r["scores"].values():
        print(f"{s.name:<16}{s.precision:>10.0%}{s.recall:>9.0%}   ({s.matched_system}/{s.system}, {s.matched_gold}/{s.gold})")
    a, at = r["affiliation"]
    st, stt = r["stance"]
    q, qt = r["quotes"]
    print(f"affiliation right: {a}/{at} = {a / max(1, at):.0%}")
    print(f"stance right:      {st}/{stt} = {st / max(1, stt):.0%}")
    print(f"options found:     {r['options_found']}")
    print(f"quotes verbatim:   {q}/{qt} = {q / max(1, qt):.0%}")
    print(f"validate --strict: {'OK' if r['strict_ok'] else 'FAILED'}")
    if "-v" in argv:
        print("\n".join(r["details"] + r["problems"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
