"""Stances read from the clause a stance word sits in, drafted from invented articles through the real pipeline."""

from __future__ import annotations

import pytest
import yaml

from briefgen.draft import draft_to_file


def _stances(tmp_path_factory, name: str, text: str) -> dict[str, list[str]]:
    """Each actor's drafted stances, by the actor's surname."""
    tmp = tmp_path_factory.mktemp(name)
    src = tmp / "src"
    src.mkdir()
    (src / "a.txt").write_text(text, encoding="utf-8")
    brief = yaml.safe_load(draft_to_file([src], tmp / "brief.yaml").read_text(encoding="utf-8"))
    names = {a["id"]: a["name"].split()[-1] for a in brief["actors"]}
    out: dict[str, list[str]] = {}
    for p in brief["positions"]:
        out.setdefault(names[p["actor"]], []).append(p["stance"])
    return out


QUESTION = """Harbour curfew plan

The council plans a curfew on the harbour.
Mayor Anna Berg's spokesman, Tom Hale, declined to say whether the mayor backed the curfew on the harbour.
Councillor Ray Dunn asked if the police would support the curfew on the harbour.
Councillor Joan Pike said if the police backed the curfew on the harbour she would support it too.
"""


@pytest.fixture(scope="module")
def question(tmp_path_factory) -> dict[str, list[str]]:
    """Stances drafted from the article of embedded questions."""
    return _stances(tmp_path_factory, "question", QUESTION)


def test_a_stance_word_inside_whether_asks_and_backs_nothing(question):
    # "declined to say whether the mayor backed …": the question is left open, no one backs anything
    assert "support" not in question.get("Hale", []), question


def test_a_stance_word_inside_an_if_question_backs_nothing(question):
    # "asked if the police would support …": 'if' after a verb of asking starts a question
    assert "support" not in question.get("Dunn", []), question


def test_an_if_condition_still_carries_the_stance(question):
    # "if the police backed it she would support it too": 'if' here is a condition, the support is hers
    assert question.get("Pike") and set(question["Pike"]) <= {"support", "conditional"}, question
