"""The evaluation harness: figures on the example articles must stay at or above their targets."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "eval"))
import score  # noqa: E402

TARGETS = {"actors_recall": 0.90, "actors_precision": 0.85, "affiliation": 0.90, "stance": 0.75,
           "options_found": 4, "risks_recall": 0.70, "questions_recall": 0.70}


@pytest.fixture(scope="module")
def figures():
    """The scores of a fresh draft of the example articles."""
    return score.evaluate()


def test_gold_evidence_is_verbatim_in_the_sources():
    import yaml
    from briefgen.brief.grounding import SourceText

    gold = yaml.safe_load(score.GOLD.read_text(encoding="utf-8"))
    texts = {p.name: SourceText(p.read_text(encoding="utf-8")) for p in score.SOURCES.iterdir()}
    for cat in ("options", "risks", "open_questions"):
        for item in gold[cat]:
            for fname, passage in item["evidence"]:
                assert texts[fname].find(passage), (cat, item["id"], passage)


def test_people_and_bodies(figures):
    s = figures["scores"]["actors"]
    assert s.recall >= TARGETS["actors_recall"], figures["details"]
    assert s.precision >= TARGETS["actors_precision"], figures["details"]


def test_affiliation_and_stance(figures):
    right, total = figures["affiliation"]
    assert right / total >= TARGETS["affiliation"], figures["details"]
    right, total = figures["stance"]
    assert right / total >= TARGETS["stance"], figures["details"]


def test_options_risks_questions(figures):
    assert figures["options_found"] >= TARGETS["options_found"]
    assert figures["scores"]["risks"].recall >= TARGETS["risks_recall"]
    assert figures["scores"]["open_questions"].recall >= TARGETS["questions_recall"]


def test_every_quote_verbatim_and_strict_validation(figures):
    ok, total = figures["quotes"]
    assert total > 0 and ok == total
    assert figures["strict_ok"], figures["problems"]


def test_scorer_penalises_a_wrong_brief(tmp_path, figures):
    """The scorer is not a rubber stamp: dropping actors and flipping stances lowers the figures."""
    import yaml

    brief = yaml.safe_load(Path(figures["brief"]).read_text(encoding="utf-8"))
    brief["actors"] = brief["actors"][:5]
    keep = {a["id"] for a in brief["actors"]}
    brief["positions"] = [dict(p, stance="neutral", condition=None) for p in brief["positions"] if p["actor"] in keep]
    for p in brief["positions"]:
        p.pop("condition")
    brief["risks"] = []
    out = Path(figures["brief"]).parent / "worse.yaml"
    out.write_text(yaml.safe_dump(brief, allow_unicode=True, sort_keys=False), encoding="utf-8")
    worse = score.evaluate(out)
    assert worse["scores"]["actors"].recall < 0.5
    assert worse["stance"][0] < figures["stance"][0]
    assert worse["scores"]["risks"].recall == 0
