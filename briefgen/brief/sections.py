"""The brief's shape, once: every section a brief can show, the field it draws on and the rules it follows.

Check, compose, layout and the citation walker read this registry; nobody keeps a parallel list.
Adding a section type: one ``Section`` here, its field on ``models.Brief`` (when it shows a list of
items of its own) and one function in ``compose/composer.py`` marked ``@builds("<key>")``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One section type of a brief."""

    key: str  # the name templates use, and the key of the compose function that builds it
    description: str  # what it holds (``briefgen templates show`` prints it)
    heading: str = ""  # the heading a template gets when it names none ('' for the title block)
    default: bool = False  # part of the default layout (a policy brief), in registry order
    field: str | None = None  # the list on ``models.Brief`` whose items it shows, when it has one
    cites: bool = False  # every item of ``field`` carries citations (each non-empty list becomes one note)
    points: tuple[str, ...] = ()  # lists of points inside each item that carry citations of their own
    variants: dict[str, str] = dataclasses.field(default_factory=dict)  # other ways to draw it ('full' is always allowed)
    limited: bool = False  # a template may cap how many items it shows
    default_variant: str = "full"  # how the default layout (a policy brief) draws it
    default_limit: int | None = None  # how many items the default layout shows (None: all)
    annex: bool = False  # opens the annexes: a new page starts before the first such section


SECTIONS: tuple[Section, ...] = (
    Section("title", "title block: title, key question, dates, authors, audience, marking", default=True,
            variants={"compact": "title, key question and one line of date, version, authors and audience"}),
    Section("key_judgments", "bottom line up front: judgments with likelihood and confidence",
            "Key judgments", default=True, field="key_judgments", cites=True, limited=True),
    Section("background", "what is new and why it matters", "Background", default=True,
            field="background", cites=True, limited=True),
    Section("positions", "actor × stance table, then the positions grouped by option or issue",
            "Who stands where", default=True, field="positions", cites=True, default_variant="matrix",
            variants={"table": "the actor × stance table only",
                      "matrix": "one stance matrix, actors × options and issues, one mark per cell, with a legend",
                      "summary": "one row per option: supporters, conditional supporters, opponents"}),
    Section("options", "policy options with pros, cons, supporters, opponents, feasibility", "Policy options",
            default=True, default_variant="brief", field="options", cites=True, points=("pros", "cons"), limited=True,
            variants={"summary": "each option's description with its supporters and opponents (no pros and cons)",
                      "brief": "description, pros, cons and feasibility (who stands where is in the stance matrix)"}),
    Section("recommendations", "recommendations (omitted when the brief has none)", "Recommendations",
            default=True, field="recommendations", cites=True, limited=True),
    Section("risks", "risk register and a 5 × 5 likelihood × impact heat map", "Top risks", default=True,
            default_variant="top", default_limit=3,
            field="risks", cites=True, points=("mitigation", "indicators"), limited=True,
            variants={"register": "the risk register without the heat map",
                      "list": "one line per risk: title, likelihood, impact and score",
                      "top": "one item per risk: title → consequence, likelihood, impact and score"}),
    Section("indicators", "indicators and signposts to watch, gathered from the risks", "Indicators to watch",
            limited=True),
    Section("open_questions", "open questions and intelligence gaps", "Open questions and intelligence gaps",
            default=True, default_variant="run-in", field="open_questions", cites=True, limited=True,
            variants={"questions": "the questions only (no why, no resolution)",
                      "run-in": "each question with why it matters and what would resolve it in one paragraph"}),
    Section("positions_detail", "each actor's position per option or issue with the evidence quoted (an annex)",
            "Annex A. Positions in detail", default=True, annex=True),
    Section("risk_register", "the whole risk register with the 5 × 5 heat map (an annex after the top risks)",
            "Annex B. Risk register", default=True, annex=True),
    Section("source_summary", "how many sources, of which kinds and outlets, dates covered", "Annex C. Sources",
            default=True),
    Section("bibliography", "the sources, alphabetically, in Chicago bibliography form", "Bibliography",
            default=True),
    Section("estimative_key", "key to the estimative language", "Annex D. What we mean when we say", default=True),
    Section("memo_block", "memorandum head: TO (audience), FROM (authors, organisation), DATE, SUBJECT (title), "
            "marking", "Memorandum"),
    Section("issue", "the issue: the key question and the first background paragraph (more with a limit)",
            "The issue", limited=True),
    Section("decision", "decision lines for the reader: approve, disapprove, discuss (only with recommendations)",
            "Decision"),
)

BY_KEY: dict[str, Section] = {section.key: section for section in SECTIONS}

# The brief's lists whose items carry citations -> the lists of points inside each item that carry their own.
CITED_FIELDS: dict[str, tuple[str, ...]] = {
    section.field: section.points for section in SECTIONS if section.cites and section.field
}
