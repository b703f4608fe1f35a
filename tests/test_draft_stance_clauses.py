"""Stances read from the clause a stance word sits in, drafted from invented articles through the real pipeline."""

from __future__ import annotations

import pytest

from drafted_stances import stances_by_actor


def _stances(tmp_path_factory, name: str, text: str) -> dict[str, list[str]]:
    """Each actor's drafted stances, by the actor's surname."""
    return stances_by_actor(tmp_path_factory.mktemp(name), text)


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


WISH = """Harbour curfew plan

The government wants to impose a curfew on the harbour.
The three unions which met Mayor Anna Berg want the government to withdraw the curfew on the harbour.
Councillor Ray Dunn said: "It is no wonder the government wants to impose this curfew on the harbour so quickly."
Councillor Joan Pike wanted to know whether the curfew on the harbour would cover the beach.
Councillor Tom Hale said: "I don't want to leave you with the impression that the curfew on the harbour is simple."
Councillor Mary Lowe said: "We want to continue the night market on the harbour."
Councillor Sue Tate said: "Shops need trade, not the curfew on the harbour which they want to impose."
Harbour Ferries no longer wants to run the late boats under the curfew on the harbour.
"""


@pytest.fixture(scope="module")
def wish(tmp_path_factory) -> dict[str, list[str]]:
    """Stances drafted from the article of wishes."""
    return _stances(tmp_path_factory, "wish", WISH)


def test_wanting_a_course_of_action_supports_it(wish):
    # "wants to impose a curfew": a verb of wanting whose complement is the course of action
    assert wish.get("Government") == ["support"], wish


def test_wanting_it_withdrawn_opposes_it(wish):
    # "want the government to withdraw the curfew": wanting a halt opposes what it halts, and the unions' verb is
    # theirs although the mayor is named just before it
    assert wish.get("Unions") == ["oppose"], wish
    assert "oppose" not in wish.get("Berg", []), wish


def test_someone_elses_wish_in_a_quote_is_not_the_speakers(wish):
    # "no wonder the council wants to impose this curfew": the council's wish, reported by Dunn
    assert "support" not in wish.get("Dunn", []), wish


def test_a_third_person_wish_in_quoted_words_is_not_the_speakers(wish):
    # inside a quotation the speaker says 'I' or 'we': "the curfew which they want to impose" is someone else's wish
    assert "support" not in wish.get("Tate", []), wish


def test_wanting_to_know_backs_nothing(wish):
    # "wanted to know whether …": a wish to learn, no course of action
    assert "support" not in wish.get("Pike", []), wish


def test_wishing_to_convey_a_claim_backs_nothing(wish):
    # "don't want to leave you with the impression that …": a wish about what is conveyed, not a course of action
    assert "oppose" not in wish.get("Hale", []), wish


def test_wishing_to_go_on_as_now_backs_no_change(wish):
    # "we want to continue the night market": a wish to go on as now backs no new course of action
    assert "support" not in wish.get("Lowe", []), wish


def test_a_wish_no_longer_held_is_negated(wish):
    # "no longer wants to run the late boats": the negation sits on the adverb of time, not on the verb
    assert wish.get("Ferries") == ["oppose"], wish
