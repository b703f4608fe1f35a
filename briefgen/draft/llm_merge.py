"""Merging the verified proposals of several requests into one: duplicates joined, ids made unique.

Duplicates are found by the offline drafter's own rules (``draft/actors.py``, ``draft/grouping.py``),
so both engines merge the same names and the same options the same way:

- persons: full names with the same surname and first initial are one, and a title or bare surname
  ("Mr Blair", "Blair") is the one full name of that surname when there is exactly one; two
  different full names ("Tony Blair", "Sir Ian Blair") never merge (``same_people``,
  ``name_form_groups``); a model's alias counts as a name form when it is a full name;
- states, parties and organisations: one when a name or alias of each stands for the same gazetteer
  entry ("Tories", "Conservative Party"), else when their folded names or aliases are equal;
- options: one when the offline grouping puts their titles' option phrases in one group (same head
  noun, or one's head used as a modifier of the other's: "ID cards", "identity card scheme");
  risks and open questions when their quotes share enough content words (``group_items``); two
  items of one request are never merged, as the model told them apart;
- positions are one when actor, option (or issue) and stance are all the same;
- merged items keep every distinct citation (same source and same words, once).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any, TypeVar

from briefgen.draft.actors import (HONORIFIC, POSTNOMINAL, Gazetteer, entity_key, load_gazetteer,
                                   name_form_groups, name_parts, same_people)
from briefgen.draft.grouping import Item, Phrase, content_stems, group_items, group_options, title_phrase
from briefgen.draft.llm_proposal import (Proposal, ProposedActor, ProposedCitation, ProposedOption,
                                         ProposedPosition, ProposedQuestion, ProposedRisk)
from briefgen.draft.segment import Unit

_TITLES = {"the", "mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "dame", "prof", "professor"}

T = TypeVar("T", ProposedRisk, ProposedQuestion)


def fold(name: str) -> str:
    """A name for ids and look-ups: no accents, case, punctuation, possessive or leading title."""
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


class _Union:
    """Which items are one: a union-find over their indices."""

    def __init__(self, n: int):
        self.up = list(range(n))

    def find(self, i: int) -> int:
        """The index that stands for i's set."""
        while self.up[i] != i:
            self.up[i] = self.up[self.up[i]]
            i = self.up[i]
        return i

    def join(self, i: int, j: int) -> None:
        """Put i and j in one set (the lower index stands for it)."""
        a, b = self.find(i), self.find(j)
        if a != b:
            self.up[max(a, b)] = min(a, b)


def _bare(name: str) -> str:
    """A person's name as the sources' name finder gives it: no title in front, no post-nominals behind."""
    words = HONORIFIC.sub("", " ".join(name.split())).split()
    while len(words) > 1 and fold(words[-1]) in POSTNOMINAL:
        words.pop()
    return " ".join(words)


def actor_groups(actors: list[ProposedActor], gz: Gazetteer) -> list[list[int]]:
    """The actors that are one real-world actor, by the offline drafter's rules; each group in first-seen order."""
    union = _Union(len(actors))
    # persons: every name form (the name, and aliases that are full names) is a record for the shared rules
    records: list[tuple[int, str, str]] = []
    for i, actor in enumerate(actors):
        if actor.kind.value != "person":
            continue
        for form in [actor.name, *(a for a in actor.aliases if len(name_parts(a)) >= 2)]:
            parts = name_parts(form)
            if parts:
                records.append((i, " ".join(parts), _bare(form)))
    resolved = same_people([(key, name) for _, key, name in records])
    names: dict[str, str] = {}
    for _, key, name in records:
        names.setdefault(key, name)
    count = Counter(resolved)
    people = {key: (names[key], count[key]) for key in count}
    final = {key: key for key in people}
    for group in name_form_groups(people):
        for key in group:
            final[key] = group[0]
    owner: dict[str, int] = {}
    for (i, _, _), key in zip(records, resolved):
        union.join(i, owner.setdefault(final[key], i))
    # states, parties, organisations: the same gazetteer entry or the same folded name
    seen: dict[str, int] = {}
    for i, actor in enumerate(actors):
        if actor.kind.value == "person":
            continue
        for form in [actor.name, *actor.aliases]:
            key = entity_key(form, gz)
            if key:
                union.join(i, seen.setdefault(key, i))
    groups: dict[int, list[int]] = {}
    for i in range(len(actors)):
        groups.setdefault(union.find(i), []).append(i)
    return list(groups.values())


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
    # a person keeps the fullest name (a full name over a surname), the other becomes an alias
    if into.kind.value == "person" and len(name_parts(other.name)) > len(name_parts(into.name)):
        into.name, other_name = other.name, into.name
    else:
        other_name = other.name
    for alias in [other_name, *other.aliases]:
        if fold(alias) != fold(into.name) and fold(alias) not in {fold(a) for a in into.aliases}:
            into.aliases.append(alias)
    into.affiliation = into.affiliation or other.affiliation
    into.role = into.role or other.role
    _absorb(into, other)


def _option_of(phrases: list[list[Phrase]], titles: list[str], option: ProposedOption, taken: set[int]
               ) -> tuple[int | None, Phrase | None]:
    """The merged option this one is, by the offline grouping of option phrases, and its phrase."""
    phrase = title_phrase(option.title)
    for i, have in enumerate(phrases):
        if i in taken:
            continue
        if phrase is None or not have:
            if fold(titles[i]) == fold(option.title):
                return i, phrase
            continue
        if not any(p.head == phrase.head or p.head in phrase.mods or phrase.head in p.mods for p in have):
            continue  # the grouping below could not join them: spare it
        if any(len(g.members) > 1 and any(p is phrase for p in g.members) for g in group_options([*have, phrase])):
            return i, phrase
    return None, phrase


def _similar_groups(parts: list[list[T]]) -> list[list[tuple[int, T]]]:
    """Risks or open questions of several requests grouped by the offline rule: the words of their quotes."""
    items: list[Item] = []
    found: dict[int, tuple[int, T]] = {}
    for ci, part in enumerate(parts):
        unit = Unit(0, 0, "", 0, index=ci)  # one per request: two items of one request never group
        for item in part:
            stems = content_stems(" ".join(c.quote for c in item.citations))
            items.append(Item(str(ci), unit, 0, 0, 1.0, [], stems))
            found[id(items[-1])] = (ci, item)
    return [[found[id(m)] for m in g.members] for g in group_items(items)]


def merge_proposals(parts: list[Proposal], gazetteer: Gazetteer | None = None) -> Proposal:
    """One proposal from many (each with its own ids): duplicates merged, ids unique, references re-pointed."""
    gz = gazetteer or load_gazetteer()
    out = Proposal()
    actor_at: dict[tuple[int, str], int] = {}
    option_at: dict[tuple[int, str], int] = {}
    risk_options: dict[int, list[tuple[int, str]]] = {}

    every = [(ci, actor) for ci, part in enumerate(parts) for actor in part.actors]
    for group in actor_groups([actor for _, actor in every], gz):
        merged = _copy(every[group[0]][1])
        for k in group[1:]:
            _merge_actor(merged, every[k][1])
        out.actors.append(merged)
        for k in group:
            actor_at[(every[k][0], every[k][1].id)] = len(out.actors) - 1

    phrases: list[list[Phrase]] = []
    for ci, part in enumerate(parts):
        taken: set[int] = set()  # the model told the options of one answer apart: they stay apart
        for option in part.options:
            j, phrase = _option_of(phrases, [o.title for o in out.options], option, taken)
            if j is None:
                out.options.append(_copy(option))
                phrases.append([])
                j = len(out.options) - 1
            else:
                _absorb(out.options[j], option)
            if phrase is not None:
                phrases[j].append(phrase)
            taken.add(j)
            option_at[(ci, option.id)] = j

    for group in _similar_groups([part.risks for part in parts]):
        risk = _copy(group[0][1])
        for _, other in group[1:]:
            _absorb(risk, other)
        out.risks.append(risk)
        risk_options[len(out.risks) - 1] = [(ci, o) for ci, r in group for o in r.options]
    for group in _similar_groups([part.open_questions for part in parts]):
        question = _copy(group[0][1])
        for _, other in group[1:]:
            _absorb(question, other)
        out.open_questions.append(question)

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
