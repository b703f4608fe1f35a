"""Does the drafter's confidence mean something? Items marked high should be right, wrong items should be marked low.

Run as ``python tests/eval/calibration.py [EVAL_DEV_DIR]`` (default: ../shared/eval-dev beside the repository)
with the environment whose ``briefgen`` is to be measured; it prints the dev figures by eval-dev/score.py too.
Drafts every annotated debate there and the example articles, reads the confidence the draft writes above each
item, and judges each item by the matching rules of eval-dev/score.py: an actor is right when it matches a gold
actor not matched before; a position is right when its actor matches and its stance is the gold stance (or one
of ``also``); an option, risk or open question is right when one of its quotes overlaps a gold evidence passage
of the same category not matched before. Prints, per category and overall, how many items are high (>= HIGH),
how many of those are right, and what share of the wrong items is low (< LOW).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DEV = REPO.parent / "shared" / "eval-dev"
EXAMPLE_GOLD = Path(__file__).resolve().parent / "gold.yaml"
EXAMPLE_SOURCES = REPO / "inputs" / "ukraine-security-guarantees" / "sources"
HIGH = 0.75
LOW = 0.5
CATEGORIES = ("actors", "positions", "options", "risks", "open_questions")
_TITLES = {"the", "mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "dame", "prof", "professor"}


def fold(s: str) -> str:
    """A name folded as the scorer folds it (case, accents, punctuation, a leading title)."""
    s = unicodedata.normalize("NFKD", s or "")
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = re.sub(r"[’'`´]s\b", "", s)
    words = re.findall(r"[a-z0-9]+", s)
    while words and words[0] in _TITLES:
        words = words[1:]
    return " ".join(words)


def flat(s: str) -> str:
    """Text folded for locating quotes: quotes, dashes and whitespace unified."""
    s = unicodedata.normalize("NFKC", s or "")
    s = re.sub(r"[‘’‚‛′`´]", "'", s)
    s = re.sub(r"[“”„‟″«»]", '"', s)
    s = re.sub(r"[‐‑‒–—―−]", "-", s)
    return re.sub(r"\s+", " ", s)


def confidences(text: str) -> dict[tuple[str, int], float]:
    """(section, item index) -> the confidence written in the comment above the item."""
    out, section, index, pending = {}, None, -1, None
    for line in text.splitlines():
        m = re.match(r"^([a-z_]+):\s*$", line)
        if m:
            section, index, pending = m.group(1), -1, None
            continue
        c = re.match(r"^  # confidence ([0-9.]+)", line)
        if c:
            pending = float(c.group(1))
            continue
        if line.startswith("  - ") and section:
            index += 1
            if pending is not None:
                out[(section, index)] = pending
            pending = None
    return out


def judge(draft: dict, gold: dict, src_dir: Path) -> dict[tuple[str, int], bool]:
    """(section, item index) -> right or wrong, by the scorer's matching rules."""
    texts = {p.name: flat(p.read_text(encoding="utf-8", errors="replace")) for p in src_dir.iterdir() if p.is_file()}
    out: dict[tuple[str, int], bool] = {}
    gold_actors = gold.get("actors") or []
    matched: dict[str, dict] = {}
    taken: set[int] = set()
    for i, a in enumerate(draft.get("actors") or []):
        names = {fold(n) for n in [a.get("name", ""), *(a.get("aliases") or [])] if fold(n)}
        sur = {n.split()[-1] for n in names} if a.get("kind") == "person" else set()
        hit = None
        for gi, g in enumerate(gold_actors):
            gnames = {fold(n) for n in g.get("names") or [] if fold(n)}
            gsur = {n.split()[-1] for n in gnames} if g.get("kind") == "person" else set()
            if names & gnames or sur & gsur:
                hit = gi
                break
        ok = hit is not None and hit not in taken
        if ok:
            taken.add(hit)
            matched[a.get("id")] = gold_actors[hit]
        out[("actors", i)] = ok
    for i, p in enumerate(draft.get("positions") or []):
        g = matched.get(p.get("actor"))
        out[("positions", i)] = bool(g) and p.get("stance") in {g.get("stance"), *(g.get("also") or [])}
    src_file = {s.get("id"): Path(str(s.get("path") or "")).name for s in draft.get("sources") or []}
    for key in ("options", "risks", "open_questions"):
        gspans = []
        for g in gold.get(key) or []:
            sp = []
            for f, passage in g.get("evidence") or []:
                k = texts.get(f, "").find(flat(passage).strip())
                if k >= 0:
                    sp.append((f, k, k + len(flat(passage).strip())))
            gspans.append(sp)
        used: set[int] = set()
        for i, it in enumerate(draft.get(key) or []):
            mine = []
            for c in it.get("citations") or []:
                f = src_file.get(c.get("source"))
                q = flat(str(c.get("quote") or "")).strip()
                k = texts.get(f, "").find(q) if f else -1
                if k >= 0:
                    mine.append((f, k, k + len(q)))
            hit = next((gi for gi, gs in enumerate(gspans) if gi not in used and any(
                a[0] == b[0] and a[1] < b[2] and b[1] < a[2] for a in mine for b in gs)), None)
            if hit is not None:
                used.add(hit)
            out[(key, i)] = hit is not None
    return out


def draft(src: Path, out: Path) -> str:
    """Draft with the installed `briefgen` (as score.py does) and return the file's text."""
    subprocess.run(["briefgen", "draft", str(src), "-o", str(out), "-q", "--force"], check=True, capture_output=True)
    return out.read_text(encoding="utf-8")


def draft_all(dev: Path, folder: Path) -> list[tuple[str, Path, Path, Path]]:
    """Draft every annotated debate in ``dev`` and the example: (name, draft, gold, sources), example last."""
    sets = [(t.name, t / "sources", t / "gold.yaml") for t in sorted(dev.iterdir()) if (t / "gold.yaml").is_file()] \
        if dev.is_dir() else []
    sets.append(("example", EXAMPLE_SOURCES, EXAMPLE_GOLD))
    out = []
    for name, src, gold in sets:
        path = folder / f"{name}.yaml"
        draft(src, path)
        out.append((name, path, gold, src))
    return out


def calibration(drafts: list[tuple[str, Path, Path, Path]]) -> dict:
    """Calibration figures over drafted sets: per category and overall."""
    rows: list[tuple[str, float, bool]] = []
    for _, path, gold_path, src in drafts:
        text = path.read_text(encoding="utf-8")
        conf = confidences(text)
        right = judge(yaml.safe_load(text), yaml.safe_load(gold_path.read_text(encoding="utf-8")), src)
        rows += [(key[0], conf[key], ok) for key, ok in right.items() if key in conf]
    figures = {}
    for cat in (*CATEGORIES, "all"):
        sel = [(c, ok) for k, c, ok in rows if cat in ("all", k)]
        high = [ok for c, ok in sel if c >= HIGH]
        wrong = [c for c, ok in sel if not ok]
        figures[cat] = {"items": len(sel), "right": sum(ok for _, ok in sel), "high": len(high),
                        "high_right": round(sum(high) / len(high), 3) if high else None,
                        "wrong": len(wrong), "wrong_low": round(sum(c < LOW for c in wrong) / len(wrong), 3)
                        if wrong else None}
    return figures


def dev_scores(dev: Path, drafts: list[tuple[str, Path, Path, Path]]) -> dict:
    """eval-dev/score.py's figures for each drafted debate and their macro average (as ``score.py --all``)."""
    rows = {}
    for name, path, gold, src in drafts:
        if name == "example":
            continue
        run = subprocess.run([sys.executable, str(dev / "score.py"), str(path), str(gold), str(src)],
                             capture_output=True, text=True, check=True)
        r = json.loads(run.stdout)
        flat_r = {}
        for k, v in r.items():
            if isinstance(v, dict):
                for kk in ("precision", "recall"):
                    flat_r[f"{k}.{kk}"] = v.get(kk)
            else:
                flat_r[k] = v
        rows[name] = flat_r
    keys = sorted({k for r in rows.values() for k in r})
    macro = {k: round(sum((r.get(k) or 0.0) for r in rows.values()) / len(rows), 3) for k in keys} if rows else {}
    return {"topics": rows, "macro": macro}


def measure(dev: Path = DEFAULT_DEV) -> dict:
    """Calibration figures over every annotated debate in ``dev`` plus the example articles."""
    with tempfile.TemporaryDirectory() as tmp:
        return calibration(draft_all(dev, Path(tmp)))


def main(argv: list[str]) -> int:
    """Print the dev figures (score.py's rules), the example's figures and the calibration table."""
    dev = Path(next((a for a in argv if not a.startswith("-")), DEFAULT_DEV))
    with tempfile.TemporaryDirectory() as tmp:
        drafts = draft_all(dev, Path(tmp))
        f = calibration(drafts)
        scores = dev_scores(dev, drafts) if (dev / "score.py").is_file() else {}
        if "--json" in argv:
            print(json.dumps({"calibration": f, **scores}))
            return 0
        if scores:
            keys = list(scores["macro"])
            print("dev debates (eval-dev/score.py):")
            print(f"{'':24}" + "".join(f"{k.replace('open_questions', 'oq')[:14]:>15}" for k in keys))
            for name, r in [*scores["topics"].items(), ("MACRO", scores["macro"])]:
                print(f"{name:24}" + "".join(f"{'-' if r.get(k) is None else format(r[k], '.3f'):>15}" for k in keys))
            print()
    print(f"calibration (dev debates + example): high >= {HIGH}, low < {LOW}")
    print(f"{'category':<16}{'items':>6}{'right':>6}{'high':>6}{'high right':>11}{'wrong':>6}{'wrong low':>10}")
    for cat, r in f.items():
        hr = "-" if r["high_right"] is None else f"{r['high_right']:.0%}"
        wl = "-" if r["wrong_low"] is None else f"{r['wrong_low']:.0%}"
        print(f"{cat:<16}{r['items']:>6}{r['right']:>6}{r['high']:>6}{hr:>11}{r['wrong']:>6}{wl:>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
