"""Risks read from the grammar of a warning: a harm judged ahead, a condition of loss, a danger someone faces.

Each case is an invented article read with the installed spaCy pipeline; each rule has a near miss it must leave alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.draft import analyse_sources

RISKY = """Port levy row

The harbour master said a rent freeze would be "disastrous" for the harbour budget.
Critics argue that introducing the levy would be a costly scheme with no clear aim.
Hauliers say the new tolls might make deliveries to the island harder.
The union said the cuts would be more likely to drive nurses to leave the island.
If the ferry company loses its licence, the island is going to be cut off in winter.
Unless the bridge is repaired, lorries will not be able to reach the quarry.
The mayor faces a possible challenge from her own councillors over the levy.
Lawyers for the shipping lines said the levy would contravene the trade treaty.
Residents are worried that the new runway could keep them awake at night.
Harbour police said the gangs could attack the fishing fleet at night.
Critics say the new quay could lead to higher fees for the fishing fleet.
Without the grant the island would pay twice as much for its ferries.
The ferry company will not pay its harbour dues on time, leaving the port without funds.
The strike was led by a union which could disrupt every ferry in the winter.
When the new timetable starts, islanders will be hit by higher fares.
Hauliers say the new toll will do nothing to cut the queues at the ferry port.
"""

CALM = """Port levy row

The harbour master said a rent freeze would not be disastrous for the harbour budget.
The harbour master said it would be hard to say how many boats moved to the mainland.
The new tolls will make the island busier in summer.
Nurses are likely to drive to the island on Monday.
The minister is going to the island on Monday.
If the ferry company keeps its licence, the island is going to be linked to the mainland all year.
If elected, the mayor would not raise the harbour fees, she said.
The inspector could not say if the bridge was repaired last year.
The mayor faced a challenge from her own councillors last year.
The mayor faces a busy week at the harbour.
Residents are worried that the council forgot them.
Who is going to pay for the new quay?
The mayor would set out plans for the harbour and attacked the council's budget.
The council will fund targeted health screening in the harbour.
The quay's opening led to the closure of the old ferry office.
Islanders will pay ten pounds for a ferry ticket from May.
Nobody knows over what period the old quay will fall into the sea, the engineer said.
The mayor said she would do nothing to mess up the island's finances.
"""


def _risks(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    """(cited sentence, title) of every risk found in one invented article."""
    src = tmp_path / "a.txt"
    src.write_text(text, encoding="utf-8")
    (a,) = analyse_sources([src])
    return [(" ".join(it.text.split()), it.title) for it in a.risks]


@pytest.fixture(scope="module")
def risky(tmp_path_factory):
    return _risks(tmp_path_factory.mktemp("risky"), RISKY)


@pytest.fixture(scope="module")
def calm(tmp_path_factory):
    return _risks(tmp_path_factory.mktemp("calm"), CALM)


def _found(found: list[tuple[str, str]], words: str) -> list[str]:
    return [title for text, title in found if words in text]


@pytest.mark.parametrize("words", [
    "rent freeze would be",  # a modal copula with a harm adjective
    "costly scheme",  # a modal copula with a noun a harm adjective qualifies
    "might make deliveries",  # 'make' with a harm adjective ("harder": lemma 'hard')
    "more likely to drive",  # a verb of consequence completing 'likely to' under a modal
    "loses its licence",  # a future under a condition of loss
    "Unless the bridge",  # an inability under a condition put first
    "possible challenge",  # facing what a possibility adjective qualifies
    "contravene the trade treaty",  # breaking a rule, under a modal
    "worried that the new runway",  # a worry, like 'fear', about what could happen
    "could attack the fishing fleet",  # a harm verb ahead
    "could lead to higher fees",  # a consequence ahead
    "would pay twice as much",  # paying brought about by a condition
    "will not pay its harbour dues",  # not paying is a default
    "which could disrupt every ferry",  # a relative clause asserts
    "islanders will be hit",  # a clause of time asks nothing
    "will do nothing to cut the queues",  # a measure that fails its aim
])
def test_a_warning_in_grammar_is_a_risk(risky, words):
    assert _found(risky, words), risky


@pytest.mark.parametrize("words", [
    "would not be disastrous",  # negated harm
    "hard to say",  # judges a claim, not an outcome
    "make the island busier",  # 'make' with an adjective that is no harm
    "likely to drive to the island",  # 'likely to' with no modal and no harm
    "going to the island",  # 'going to' a place is no future
    "keeps its licence",  # a condition that loses nothing
    "If elected",  # a negated plain future is a pledge
    "could not say if",  # a trailing 'if' is 'whether'
    "faced a challenge",  # what was faced is past
    "busy week",  # what is faced is not a possibility
    "forgot them",  # a worry about the past
    "Who is going to pay",  # a question asks
    "attacked the council",  # a cue word in the simple past reports what happened
    "targeted health screening",  # a cue word qualifying a noun names a kind of thing
    "opening led to",  # a simple past 'led to' is a fact, not a risk
    "will pay ten pounds",  # a price is no harm
    "over what period",  # a reported question asks
    "do nothing to mess up",  # doing nothing to harm is a promise
])
def test_the_near_miss_is_left_alone(calm, words):
    assert not _found(calm, words), calm


def test_a_risk_title_runs_from_cause_to_consequence(risky):
    (title,) = _found(risky, "loses its licence")
    assert title.startswith("The ferry company loses its licence → the island is going to be cut off"), title
    (title,) = _found(risky, "contravene")
    assert title.startswith("The levy → would contravene the trade treaty"), title
