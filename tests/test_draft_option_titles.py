"""Option phrases that name a course of action, not fragments, found in invented articles with the installed spaCy pipeline."""

from __future__ import annotations

from pathlib import Path

from briefgen.draft import analyse_sources


def _surfaces(tmp_path: Path, text: str) -> set[str]:
    """Every option phrase found in one invented article, lower-cased, as the title would be written."""
    src = tmp_path / "a.txt"
    src.write_text(text, encoding="utf-8")
    (a,) = analyse_sources([src])
    return {p.surface.lower() for p in a.phrases}


HARBOUR = """Harbour row grows

Former chat show host Robert Kilroy-Silk will stand in the harbour seat.
She will join Home Secretary David Blunkett on the campaign trail next week.
Rumours were fuelled by the decision to hold Mr Blair's monthly media conference at the harbour.
Ministers want to establish whether the harbour scheme works.
Sir Tom will join five other peers in the vote.
Ministers plan to impose curfews on harbour workers, the minister said.
"""


def test_a_noun_read_as_an_action_word_makes_no_option(tmp_path):
    found = _surfaces(tmp_path, HARBOUR)
    assert not any(s.startswith("host") for s in found), found  # "chat show host": a job, not hosting


def test_a_person_or_a_number_is_no_thing_acted_on(tmp_path):
    found = _surfaces(tmp_path, HARBOUR)
    assert not any("blunkett" in s or s.startswith("join five") for s in found), found


def test_a_phrase_cut_at_a_possessive_or_on_a_conjunction_is_no_option(tmp_path):
    found = _surfaces(tmp_path, HARBOUR)
    assert not any(s.endswith(("blair's", "whether")) for s in found), found


def test_a_real_course_of_action_is_still_found(tmp_path):
    assert "impose curfews" in _surfaces(tmp_path, HARBOUR)
