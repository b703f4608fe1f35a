"""What every section builder shares: the brief, the layout, notes for citations, names of actors."""

from __future__ import annotations

from typing import Any, Callable

from briefgen.brief import models as m
from briefgen.brief.sections import BY_KEY
from briefgen.compose.layout import Layout
from briefgen.compose.wording import squash
from briefgen.outline import Block, Colored, Inline, Note, Para, Text


# section key -> the function that builds that section's blocks (marked ``@builds(key)`` below)
BUILDERS: dict[str, Callable[[Any, str], list[Block]]] = {}


def builds(key: str) -> Callable:
    """Mark a function as the builder of one section of the registry (``briefgen.brief.sections``)."""
    if key not in BY_KEY:
        raise ValueError(f"no section {key!r} in the section registry")

    def mark(function: Callable[[Any, str], list[Block]]) -> Callable[[Any, str], list[Block]]:
        BUILDERS[key] = function
        return function

    return mark


class Context:
    """The state and helpers of one composition; the section builders are its subclasses' methods."""

    def __init__(self, brief: m.Brief, layout: Layout):
        self.brief = brief
        self.layout = layout
        self.pending: dict[int, list[m.Citation]] = {}
        self.actors = {a.id: a for a in brief.actors}
        self.stances = brief.stances()  # once: asking the brief per option is quadratic
        self._by_about: dict[str, list[m.Position]] | None = None

    # ------------------------------------------------------------------ helpers

    def note(self, citations: list[m.Citation]) -> list[Inline]:
        """A note for a citation point (nothing when there are no citations)."""
        if not citations:
            return []
        node = Note([])
        self.pending[id(node)] = citations
        return [node]

    def cited(self, text: str, citations: list[m.Citation], *, lead: list[Inline] | None = None) -> Para:
        """A body paragraph: optional lead-in, the text, then its note."""
        return Para([*(lead or []), Text(squash(text)), *self.note(citations)])

    def stance_word(self, stance: m.Stance) -> Colored:

        """A stance in words, in its colour."""
        return Colored(self.layout.stance_colors.get(stance.value, "#000000"), [Text(stance.value)])

    def likelihood_word(self, term: m.Likelihood) -> str:

        """The likelihood term in the layout's chosen ICD 203 column."""
        return term.alternative if self.layout.likelihood_column == "alternative" else term.value

    def actor_name(self, actor_id: str) -> str:

        """The actor's display name (the id when the actor is unknown)."""
        actor = self.actors.get(actor_id)
        return actor.name if actor else actor_id

    def actor_label(self, actor_id: str) -> str:
        """'Name (role, affiliation)' for the first mention in a position paragraph."""
        actor = self.actors.get(actor_id)
        if actor is None:
            return actor_id
        extra = [x for x in (actor.role, actor.affiliation) if x and x not in self.actors]
        if actor.affiliation in self.actors:
            extra.append(self.actors[actor.affiliation].name)
        # a label never repeats the actor's own name or kind: 'Russia', not 'Russia (Russia)'
        name = actor.name.casefold()
        extra = [x for x in dict.fromkeys(extra)
                 if x.casefold() not in name and x.casefold() != actor.kind.value.casefold()]
        extra = [x for x in extra if not any(x.casefold() in y.casefold() for y in extra if y is not x)]
        return f"{actor.name} ({', '.join(extra)})" if extra else actor.name

    def abouts(self) -> list[tuple[str, str]]:
        """(about, heading) for every option with positions, then every named issue, in file order."""
        used = {p.about for p in self.brief.positions}
        out = [(o.id, o.title) for o in self.brief.options if o.id in used]
        known = {o.id for o in self.brief.options}
        for p in self.brief.positions:
            if p.about not in known:
                known.add(p.about)
                out.append((p.about, p.about[:1].upper() + p.about[1:]))
        return out

    def positions_by_about(self) -> dict[str, list[m.Position]]:
        """The positions on each option or issue, in file order."""
        if self._by_about is None:
            self._by_about = {}
            for p in self.brief.positions:
                self._by_about.setdefault(p.about, []).append(p)
        return self._by_about
