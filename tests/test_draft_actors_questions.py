"""Who the actors are and what is still open, drafted from invented articles with the installed spaCy pipeline."""

from __future__ import annotations

from pathlib import Path

import yaml

from briefgen.draft import draft_to_file


def _draft(tmp_path: Path, text: str) -> dict:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(text, encoding="utf-8")
    out = draft_to_file([src], tmp_path / "brief.yaml")
    return yaml.safe_load(out.read_text(encoding="utf-8"))


def _names(brief: dict) -> dict[str, dict]:
    """Every name and alias of every actor, to the actor."""
    return {n: a for a in brief["actors"] for n in [a["name"], *a.get("aliases", [])]}


PORT = """Port tax row deepens

The Labour government wants to raise the port tax next year.
Ministers say the port tax is fair and will pay for new harbour walls.
The Department for Transport said the port tax would raise 40m a year.
The Tories said they would oppose the port tax.
Up to 40 Labour MPs could oppose the port tax when it is put to a vote.
Party spokeswoman Helen May said a Conservative government would scrap the port tax.
Lib Dem MP Rhodri Evans said the port tax was unfair on island families.
But anti-tax campaigners said the port tax would drive ferry firms away.
The Harbour Board said it was reviewing the Coastal Pension Scheme, and hoped to announce proposals soon.
"""


def test_the_party_in_office_and_its_departments_are_the_government_actor(tmp_path):
    brief = _draft(tmp_path, PORT)
    names = _names(brief)
    gov = names["Government"]
    assert names["Department for Transport"] is gov and names["Labour"] is gov
    assert "Labour government" in gov["aliases"]  # the form the source uses
    assert names["Conservatives"] is not gov


def test_a_section_of_a_party_is_its_own_actor_not_the_party(tmp_path):
    brief = _draft(tmp_path, PORT)
    names = _names(brief)
    assert names["Labour MPs"]["kind"] == "organisation" and names["Labour MPs"] is not names["Labour"]
    assert names["anti-tax campaigners"]["kind"] == "organisation"


def test_names_lose_party_words_and_keep_a_month_as_a_surname(tmp_path):
    brief = _draft(tmp_path, PORT)
    names = _names(brief)
    assert "Helen May" in names and names["Helen May"]["kind"] == "person"
    evans = names["Rhodri Evans"]
    assert evans["name"] == "Rhodri Evans" and evans["affiliation"] == "Liberal Democrats"
    assert not any("Lib Dem" in n for n in names if n != "Liberal Democrats")


def test_a_scheme_named_beside_the_verb_is_not_the_speaker(tmp_path):
    brief = _draft(tmp_path, PORT)
    names = _names(brief)
    assert "Harbour Board" in names
    assert not any("Pension Scheme" in n for n in names)


FERRY = """Ferry hours plan

Longer ferry hours start next month across the islands.
It is hoped that longer ferry hours will cut crowding at the terminals.
Harbour master Ruth Lomax said it remains to be seen if the new timetable can be kept.
Transport Minister Olaf Brandt is currently looking at the idea of a levy on ferry firms.
The new ferries will carry 500 passengers each.
"""


def test_open_questions_come_from_explicit_uncertainty_and_are_questions(tmp_path):
    brief = _draft(tmp_path, FERRY)
    asked = [q["question"] for q in brief["open_questions"]]
    assert all(q.endswith("?") for q in asked)
    assert any(q.startswith("Will") and "ferry hours cut crowding at the terminals?" in q for q in asked)
    assert "Can the new timetable be kept?" in asked
    assert any(q.startswith("What will Transport Minister Olaf Brandt decide on the idea of a levy") for q in asked)
    # a plain future is a statement, not an open question
    assert not any("500 passengers" in q for q in asked)
