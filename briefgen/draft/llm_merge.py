"""Merging the verified proposals of several requests into one: duplicates joined, ids made unique.

The rules, kept simple so an analyst can predict them:

- names are compared folded: accents, case, punctuation, a possessive "'s" and leading titles
  ("the", "Mr", "Dr", "Sir", …) do not count;
- actors are one when their folded names (or aliases) are equal; two persons are one when their
  first names and surnames agree ("George W. Bush" and "George Bush"), and a person named by one
  word is the one person of that surname, when there is exactly one;
- options, and risks, are one when their folded titles are at least 80 % alike (difflib ratio);
  open questions when their folded questions are at least 85 % alike;
- positions are one when actor, option (or issue) and stance are all the same;
- merged items keep every distinct citation (same source and same words, once).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any, TypeVar

from briefgen.draft.llm_proposal import (Proposal, ProposedActor, ProposedCitation, ProposedOption,
                                         ProposedPosition, ProposedQuestion, ProposedRisk)

OPTION_ALIKE = 0.8
RISK_ALIKE = 0.8
QUESTION_ALIKE = 0.85
_TITLES = {"the", "mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "dame", "prof", "professor"}

T = TypeVar("T", ProposedOption, ProposedRisk, ProposedQuestion)


def fold(name: str) -> str:
    """A name for comparison: no accents, case, punctuation, possessive or leading title."""
    s = unicodedata.normalize("NFKD", name or "")
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    s = re.sub(r"['’`´]s\b", "", s)
    words = re.findall(r"[a-z0-9]+", s)
    while len(words) > 1 and words[0] in _TITLES:
        words = words[1:]
    return " ".join(words)


def make_id(text: str, used: set[str], limit: int = 40) -> str:
    """A new id (lower-case ascii words joined by hyphens) not in ``used``; it is added to ``used``."""
    base = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    if len(base) > limit:
        base = base[:limit].rsplit("-", 1)[0]
    base = base or "item"
    ident, n = base, 2
    while ident in used:
        ident = f"{base}-{n}"
        n += 1
    used.add(ident)
    return ident


def _alike(a: str, b: str, threshold: float) -> bool:
    fa, fb = fold(a), fold(b)
    return fa == fb or difflib.SequenceMatcher(None, fa, fb, autojunk=False).ratio() >= threshold


def _same_actor(a: ProposedActor, b: ProposedActor) -> bool:
    names_a = {fold(n) for n in [a.name, *a.aliases] if fold(n)}
    names_b = {fold(n) for n in [b.name, *b.aliases] if fold(n)}
    if names_a & names_b:
        return True
    if a.kind.value == b.kind.value == "person":
        wa, wb = fold(a.name).split(), fold(b.name).split()
        if len(wa) >= 2 and len(wb) >= 2 and wa[0] == wb[0] and wa[-1] == wb[-1]:
            return True
    return False


def _surname_of_one(actor: ProposedActor, merged: list[ProposedActor]) -> int | None:
    """The index of the one person whose surname is this one-word person name, if exactly one."""
    words = fold(actor.name).split()
    if actor.kind.value != "person" or len(words) != 1:
        return None
    hits = [i for i, other in enumerate(merged)
            if other.kind.value == "person" and len(fold(other.name).split()) >= 2
            and fold(other.name).split()[-1] == words[0]]
    return hits[0] if len(hits) == 1 else None


def _add_citations(into: Any, more: list[ProposedCitation]) -> None:
    seen = {(c.source, " ".join(c.quote.split()).casefold()) for c in into.citations}
    for c in more:
        key = (c.source, " ".join(c.quote.split()).casefold())
        if key not in seen:
            seen.add(key)
            into.citations.append(c.model_copy())


def _absorb(into: Any, other: Any) -> None:
    _add_citations(into, other.citations)
    into._notes.extend(n for n in other._notes if n not in into._notes)


def _copy(item: Any) -> Any:
    new = item.model_copy(deep=True)
    new._notes = list(item._notes)
    return new


def _merge_actor(into: ProposedActor, other: ProposedActor) -> None:
    # the longer name is kept (a full name over a surname), the other becomes an alias
    if len(fold(other.name).split()) > len(fold(into.name).split()):
        into.name, other_name = other.name, into.name
    else:
        other_name = other.name
    for alias in [other_name, *other.aliases]:
        if fold(alias) != fold(into.name) and fold(alias) not in {fold(a) for a in into.aliases}:
            into.aliases.append(alias)
    into.affiliation = into.affiliation or other.affiliation
    into.role = into.role or other.role
    _absorb(into, other)


def _merge_similar(merged: list[T], item: T, text: str, threshold: float, key: str) -> int:
    """Add ``item`` to ``merged`` or join it to an alike one; its index."""
    for i, have in enumerate(merged):
        if _alike(getattr(have, key), text, threshold):
            _absorb(have, item)
            if isinstance(have, ProposedRisk) and isinstance(item, ProposedRisk):
                have.options.extend(o for o in item.options if o not in have.options)
            return i
    merged.append(_copy(item))
    return len(merged) - 1


def merge_proposals(parts: list[Proposal]) -> Proposal:
    """One proposal from many (each with its own ids): duplicates merged, ids unique, references re-pointed."""
    out = Proposal()
    actor_at: dict[tuple[int, str], int] = {}
    option_at: dict[tuple[int, str], int] = {}
    risk_options: dict[int, list[tuple[int, str]]] = {}
    for ci, part in enumerate(parts):
        for actor in part.actors:
            j = next((i for i, have in enumerate(out.actors) if _same_actor(have, actor)), None)
            if j is None:
                j = _surname_of_one(actor, out.actors)
            if j is None:
                # an earlier one-word person may be this person's surname: join them now
                words = fold(actor.name).split()
                if actor.kind.value == "person" and len(words) >= 2:
                    hits = [i for i, have in enumerate(out.actors) if have.kind.value == "person"
                            and fold(have.name).split() == [words[-1]]]
                    j = hits[0] if len(hits) == 1 else None
            if j is None:
                out.actors.append(_copy(actor))
                j = len(out.actors) - 1
            else:
                _merge_actor(out.actors[j], actor)
            actor_at[(ci, actor.id)] = j
        for option in part.options:
            option_at[(ci, option.id)] = _merge_similar(out.options, option, option.title, OPTION_ALIKE, "title")
        for risk in part.risks:
            j = _merge_similar(out.risks, risk, risk.title, RISK_ALIKE, "title")
            risk_options.setdefault(j, []).extend((ci, o) for o in risk.options)
        for question in part.open_questions:
            _merge_similar(out.open_questions, question, question.question, QUESTION_ALIKE, "question")

    used: set[str] = set()
    for actor in out.actors:
        actor.id = make_id(actor.name, used)
    for option in out.options:
        option.id = make_id(option.title, used)
    for risk in out.risks:
        risk.id = make_id("risk " + risk.title, used)
    for question in out.open_questions:
        question.id = make_id("q " + question.question, used)
    for j, risk in enumerate(out.risks):
        risk.options = list(dict.fromkeys(out.options[option_at[key]].id for key in risk_options.get(j, [])
                                          if key in option_at))

    by_key: dict[tuple[str, str, str], ProposedPosition] = {}
    for ci, part in enumerate(parts):
        for pos in part.positions:
            if (ci, pos.actor) not in actor_at:
                continue  # verification keeps only positions of listed actors
            new = _copy(pos)
            new.actor = out.actors[actor_at[(ci, pos.actor)]].id
            if (ci, pos.about) in option_at:
                new.about = out.options[option_at[(ci, pos.about)]].id
            key = (new.actor, new.about if (ci, pos.about) in option_at else fold(new.about), new.stance.value)
            if key in by_key:
                _absorb(by_key[key], new)
                if new.condition and not by_key[key].condition:
                    by_key[key].condition = new.condition
            else:
                by_key[key] = new
                out.positions.append(new)
    return out
