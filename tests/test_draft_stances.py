"""Stances read with the parse: words that look like a view but state none, drafted from an invented article."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from briefgen.draft import draft_to_file

CURFEW = """Harbour curfew plan

Ministers want to impose a curfew on the harbour, the home secretary said.
Councillor Ray Dunn said a curfew on the harbour is exactly what should be the case.
Police chief Tom Hale has so far issued no instructions to officers on how they should enforce a curfew on the harbour.
"""


@pytest.fixture(scope="module")
def stances(tmp_path_factory) -> dict[str, list[str]]:
    """Each actor's drafted stances, by the actor's surname."""
    tmp = tmp_path_factory.mktemp("curfew")
    src = tmp / "src"
    src.mkdir()
    (src / "a.txt").write_text(CURFEW, encoding="utf-8")
    brief = yaml.safe_load(draft_to_file([src], tmp / "brief.yaml").read_text(encoding="utf-8"))
    names = {a["id"]: a["name"].split()[-1] for a in brief["actors"]}
    out: dict[str, list[str]] = {}
    for p in brief["positions"]:
        out.setdefault(names[p["actor"]], []).append(p["stance"])
    return out


def test_an_ought_inside_a_question_backs_nothing(stances):
    # "no instructions on how they should enforce a curfew": the 'should' asks how, it is no one's view
    assert "support" not in stances.get("Hale", []), stances


def test_an_ought_in_a_free_relative_is_still_a_view(stances):
    # "exactly what should be the case": 'what' starts no question here
    assert stances.get("Dunn") == ["support"], stances
