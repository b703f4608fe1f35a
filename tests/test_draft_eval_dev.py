"""Drafting on debates it was not written for: eval-dev/score.py's figures and the calibration stay above a floor.

The floors are the level reached minus a small margin (0.03), never below the issue's target once it is reached.
Skipped only when the annotated development set (../shared/eval-dev beside the repository) is absent.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "eval"))
import calibration  # noqa: E402
import score as example_score  # noqa: E402

DEV = calibration.DEFAULT_DEV
pytestmark = pytest.mark.skipif(not (DEV / "score.py").is_file(),
                                reason=f"the annotated development set is not at {DEV}")

FLOORS = {  # macro over the dev debates, by eval-dev/score.py: reached - 0.03, at least the target once reached
    "actors.precision": 0.90,  # target 0.85, reached 0.930
    "actors.recall": 0.84,  # target 0.80, reached 0.875
    "kind": 0.94,  # target 0.90, reached 0.972
    "affiliation": 0.73,  # target 0.70, reached 0.765
    "stance_of_gold": 0.631,  # target 0.55, reached 0.661
    "options.recall": 0.642,  # target 0.50, reached 0.672
    "options.precision": 0.753,  # target 0.50, reached 0.783
    "risks.recall": 0.634,  # target 0.40, reached 0.664
    "risks.precision": 0.638,  # no target, reached 0.668: risks are not found by taking every modal clause
    "open_questions.recall": 0.54,  # target 0.40, reached 0.574
    "open_questions.precision": 0.609,  # no target, reached 0.639: open questions are not found by asking everything
}


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    """Every dev debate and the example drafted once by this checkout's `briefgen`."""
    folder = tmp_path_factory.mktemp("eval-dev")
    bindir = str(Path(sys.executable).parent)
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = bindir + os.pathsep + old  # the briefgen next to this interpreter
    try:
        return calibration.draft_all(DEV, folder)
    finally:
        os.environ["PATH"] = old


def test_dev_debates_score_above_the_floors(drafted):
    macro = calibration.dev_scores(DEV, drafted)["macro"]
    low = {k: (macro.get(k), floor) for k, floor in FLOORS.items() if (macro.get(k) or 0) < floor}
    assert not low, low


def test_example_articles_stay_where_they_are(drafted):
    path = next(p for name, p, _, _ in drafted if name == "example")
    r = example_score.evaluate(path)
    actors = r["scores"]["actors"]
    assert actors.precision == 1.0 and actors.recall == 1.0, r["details"]
    right, total = r["stance"]
    assert right / total >= 0.9, r["details"]


def test_high_confidence_is_right_and_wrong_items_are_low(drafted):
    f = calibration.calibration(drafted)["all"]
    assert f["high"] >= 30 and f["high_right"] >= 0.85, f
    assert f["wrong_low"] > 0.5, f
