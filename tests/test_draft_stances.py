"""Stances read with the parse: words that look like a view but state none, drafted from an invented article."""

from __future__ import annotations

import pytest

from drafted_stances import positions_by_actor, stances_by_actor

CURFEW = """Harbour curfew plan

Ministers want to impose a curfew on the harbour, the home secretary said.
Councillor Ray Dunn said a curfew on the harbour is exactly what should be the case.
Police chief Tom Hale has so far issued no instructions to officers on how they should enforce a curfew on the harbour.
"""


@pytest.fixture(scope="module")
def stances(tmp_path_factory) -> dict[str, list[str]]:
    """Each actor's drafted stances, by the actor's surname."""
    return stances_by_actor(tmp_path_factory.mktemp("curfew"), CURFEW)


def test_an_ought_inside_a_question_backs_nothing(stances):
    # "no instructions on how they should enforce a curfew": the 'should' asks how, it is no one's view
    assert "support" not in stances.get("Hale", []), stances


def test_an_ought_in_a_free_relative_is_still_a_view(stances):
    # "exactly what should be the case": 'what' starts no question here
    assert stances.get("Dunn") == ["support"], stances


VOTE = """Harbour curfew vote

The government wants to impose a curfew on the harbour.
Up to 20 Labour MPs could oppose the curfew on the harbour during a Commons debate.
Mayor Anna Berg said the Tories could oppose the curfew on the harbour.
"""


@pytest.fixture(scope="module")
def vote(tmp_path_factory) -> dict[str, list[str]]:
    """Each actor's drafted stances, by the actor's name."""
    return stances_by_actor(tmp_path_factory.mktemp("vote"), VOTE, surname=False)


def test_a_plural_name_right_before_the_stance_word_is_its_own(vote):
    # "Labour MPs could oppose", "the Tories could oppose": the plural's 's' is part of the name, not a possessive
    assert vote.get("Labour MPs") == ["oppose"], vote
    assert vote.get("Conservatives") == ["oppose"], vote


def test_what_the_speaker_says_others_could_do_is_not_the_speakers_stance(vote):
    assert "oppose" not in vote.get("Anna Berg", []), vote


ROW = """Harbour curfew row

The government wants to impose a curfew on the harbour.
The curfew on the harbour is "badly drafted and unworkable", Labour councillors say.
Ministers reject the curfew on the harbour, union leader Tom Hale said.
"""


@pytest.fixture(scope="module")
def row(tmp_path_factory) -> dict[str, list[str]]:
    """Each actor's drafted stances, by the actor's name."""
    return stances_by_actor(tmp_path_factory.mktemp("row"), ROW, surname=False)


def test_a_view_before_a_closing_verb_of_saying_is_the_speakers(row):
    # "X is badly drafted and unworkable, Labour councillors say.": the view comes before 'say'
    assert row.get("Labour councillors") == ["oppose"], row


def test_someone_elses_view_before_the_closing_verb_is_not_the_speakers(row):
    # "Ministers reject the curfew, Tom Hale said.": the rejection is the ministers', not Hale's
    assert "oppose" not in row.get("Tom Hale", []), row


DEAL = """Harbour curfew deal

The government wants to impose a curfew on the harbour.
Mayor Anna Berg backs the curfew on the harbour, provided it ends at midnight.
Police chief Tom Hale backs the curfew on the harbour, provided by the council last week.
"""


@pytest.fixture(scope="module")
def deal(tmp_path_factory) -> dict[str, list[dict]]:
    """Each actor's drafted positions, by the actor's name."""
    return positions_by_actor(tmp_path_factory.mktemp("deal"), DEAL, surname=False)


def test_provided_opening_a_clause_sets_a_condition(deal):
    (pos,) = deal["Anna Berg"]
    assert pos["stance"] == "conditional" and pos["condition"].startswith("provided it ends at midnight"), pos


def test_provided_as_a_participle_sets_none(deal):
    assert [p["stance"] for p in deal["Tom Hale"]] == ["support"], deal


RETURN = """Harbour curfew returns

The government wants to impose a curfew on the harbour.
"We will come back and fish when the curfew on the harbour is lifted," skipper Tom Hale said.
Mayor Anna Berg said she would back the curfew on the harbour.
"""


@pytest.fixture(scope="module")
def returning(tmp_path_factory) -> dict[str, list[str]]:
    """Each actor's drafted stances, by the actor's name."""
    return stances_by_actor(tmp_path_factory.mktemp("return"), RETURN, surname=False)


def test_back_as_a_particle_of_motion_backs_nothing(returning):
    assert "support" not in returning.get("Tom Hale", []), returning


def test_back_as_a_verb_still_backs(returning):
    assert returning.get("Anna Berg") == ["support"], returning
