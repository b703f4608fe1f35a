"""Which sentences become open questions, on invented articles read by the real pipeline: each rule and its near
miss."""

from __future__ import annotations

from pathlib import Path

from briefgen.draft import analyse_sources


def _questions(tmp_path: Path, text: str) -> list[str]:
    """The open questions drafted from one invented article, as titled."""
    src = tmp_path / "a.txt"
    src.write_text(text, encoding="utf-8")
    (a,) = analyse_sources([src])
    return [q.title for q in a.questions]


def test_a_condition_or_a_concession_asks_nothing(tmp_path):
    found = _questions(tmp_path, "Harbour row\n\nThe council met on Tuesday to discuss the port.\n"
                                 "\"If you come to the quay on a Friday night you will see things that make you "
                                 "feel ashamed,\" the harbour master said.\n"
                                 "You can't moor boats on the quay, whether the boat is a yacht or a barge.\n")
    assert found == [], found


def test_the_complement_of_a_word_of_knowing_still_asks(tmp_path):
    found = _questions(tmp_path, "Harbour row\n\nThe council met on Tuesday to discuss the port.\n"
                                 "He said it remains to be seen if the level of backing can be maintained.\n")
    assert any(q.startswith("Can the level of backing be maintained") for q in found), found


def test_a_denied_conditional_past_or_expected_plan_leaves_nothing_open(tmp_path):
    found = _questions(tmp_path, "Harbour row\n\nThe council met on Tuesday to discuss the port.\n"
                                 "He did not think the mayor intended to close the northern harbour.\n"
                                 "The tolls would not apply to ferries unless their owners intended to carry freight.\n"
                                 "The board had decided to back the tolls after a long debate.\n"
                                 "The ferry line is expected to announce new fares on Monday.\n")
    assert found == [], found


def test_a_plan_or_hope_still_open_stays_a_question(tmp_path):
    found = _questions(tmp_path, "Harbour row\n\nThe council met on Tuesday to discuss the port.\n"
                                 "The mayor intends to close the northern harbour.\n"
                                 "The ferry line hopes to announce new fares on Monday.\n")
    assert any("close the northern harbour" in q for q in found), found
    assert any("announce new fares" in q for q in found), found


def test_a_question_put_to_you_or_a_negative_question_makes_a_point(tmp_path):
    found = _questions(tmp_path, "Harbour row\n\nThe council met on Tuesday to discuss the port.\n"
                                 "\"Would you pay five pounds to cross a bridge?\" the councillor asked.\n"
                                 "\"Wouldn't this be a good time for a new mayor to sweep clean and why do we need "
                                 "these tolls at all?\" she asked.\n")
    assert found == [], found


def test_a_plain_direct_question_stays_open(tmp_path):
    found = _questions(tmp_path, "Harbour row\n\nThe council met on Tuesday to discuss the port.\n"
                                 "\"Who guarantees our jobs on the quay?\" the union leader asked.\n"
                                 "\"Will the ferry still run in winter?\" a resident asked.\n")
    assert any(q.startswith("Who guarantees our jobs") for q in found), found
    assert any(q.startswith("Will the ferry still run") for q in found), found


def test_an_answer_said_to_be_known_is_no_open_question(tmp_path):
    found = _questions(tmp_path, "Harbour row\n\nThe council met on Tuesday to discuss the port.\n"
                                 "\"The mayor knows perfectly well what game he is playing with the tolls,\" "
                                 "the councillor said.\n")
    assert found == [], found


def test_an_answer_not_known_is_an_open_question(tmp_path):
    found = _questions(tmp_path, "Harbour row\n\nThe council met on Tuesday to discuss the port.\n"
                                 "The councillors do not know what game the mayor is playing with the tolls.\n")
    assert any("game" in q and q.endswith("?") for q in found), found


def test_a_guess_at_what_already_happened_is_no_open_question(tmp_path):
    found = _questions(tmp_path, "Harbour row\n\nThe council met on Tuesday to discuss the port.\n"
                                 "It is believed more than 200 boats left the harbour on Saturday.\n")
    assert found == [], found


def test_a_hope_for_what_is_to_come_is_an_open_question(tmp_path):
    found = _questions(tmp_path, "Harbour row\n\nThe council met on Tuesday to discuss the port.\n"
                                 "It is hoped that the new tolls will cut the queues at the quay.\n")
    assert any(q.startswith("Will the new tolls cut the queues") for q in found), found
