"""Brief + Layout → outline.Document: the only module that knows the sections of a brief.

Every section choice, order and heading comes from the ``Layout``. Each non-empty ``citations``
list in the brief becomes exactly one ``Note`` (a citation point); the note text is filled in
afterwards in reading order, so the first note to use a source gets the full form.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Callable

from briefgen.brief import models as m
from briefgen.brief.models import risk_band
from briefgen.brief.sections import BY_KEY
from briefgen.compose.citations import NoteMaker, bibliography_entry, bibliography_key, format_date
from briefgen.compose.layout import Layout
from briefgen.outline import (
    Block,
    BulletList,
    Cell,
    Colored,
    DocMeta,
    Document,
    Emph,
    Heading,
    Inline,
    Link,
    Note,
    Para,
    Strong,
    Table,
    Text,
    walk_notes,
)
from briefgen.textsafe import clean

_KIND_PLURAL = {
    "news article": ("news article", "news articles"),
    "wire": ("wire report", "wire reports"),
    "official statement": ("official statement", "official statements"),
    "transcript": ("transcript", "transcripts"),
    "think-tank report": ("think-tank report", "think-tank reports"),
    "academic": ("academic work", "academic works"),
    "government document": ("government document", "government documents"),
    "opinion": ("opinion piece", "opinion pieces"),
    "blog": ("blog post", "blog posts"),
    "social media": ("social media post", "social media posts"),
    "other": ("other source", "other sources"),
}


def citation_points(brief: m.Brief) -> int:
    """How many places in the brief carry citations (each becomes one note)."""
    return brief.citation_points()


def _ws(text: str) -> str:
    return " ".join(text.split())


def _clause(text: str) -> str:
    """A condition as a clause after 'if': no final period, first word lower-cased unless it is a name."""
    text = _ws(text).rstrip(".")
    first = text.split(" ")[0]
    if first in _LOWER_OK and (len(first) == 1 or first[1].islower()):
        text = text[0].lower() + text[1:]
    return text


# Sentence-initial words that are safe to lower-case (never names): articles, pronouns, conjunctions.
_LOWER_OK = {"The", "A", "An", "It", "Its", "They", "Their", "There", "This", "That", "These", "Those", "If",
             "When", "Only", "Once", "As", "After", "Before", "Unless", "Provided", "Both", "Any", "All", "No",
             "He", "She", "We", "Such", "Some", "Each", "Every", "Other"}


def _sentence(text: str) -> str:
    """Text ending with sentence punctuation, so a following sentence stays separate."""
    text = _ws(text)
    return text if text[-1:] in ".?!…" or not text else text + "."


def _list_words(words: list[str]) -> str:
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + f", and {words[-1]}"


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


class _Composer:
    """Builds the blocks of one brief; one function per section key, found through ``BUILDERS``."""

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
        return Para([*(lead or []), Text(_ws(text)), *self.note(citations)])

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

    # ------------------------------------------------------------------ sections

    @builds("title")
    def title(self, heading: str) -> list[Block]:

        """Title block: title, key question, dates, version, authors, audience, marking."""
        meta, layout = self.brief.meta, self.layout
        blocks: list[Block] = []
        if heading:
            blocks.append(Heading(1, [Text(heading)], "title"))
        blocks.append(Para([Text(_ws(meta.title))], "title"))
        blocks.append(Para([Strong([Text(f"{layout.label('key_question')}: ")]), Text(_ws(meta.question))],
                           "subtitle"))

        def line(key: str, value: str) -> None:

            """Add one labelled title-block line."""
            blocks.append(Para([Strong([Text(f"{layout.label(key)}: ")]), Text(value)], "meta"))

        if layout.variant("title") == "compact":
            parts = [(layout.label("date"), format_date(meta.date)),
                     (layout.label("version"), f"{meta.version} ({meta.status.value})")]
            if meta.authors:
                parts.append((layout.label("authors"), _list_words([_ws(a) for a in meta.authors])))
            if meta.audience:
                parts.append((layout.label("audience"), _ws(meta.audience)))
            inl: list[Inline] = []
            for label, value in parts:
                inl += [*([Text(" · ")] if inl else []), Strong([Text(f"{label}: ")]), Text(value)]
            blocks.append(Para(inl, "meta"))  # the marking stays in the header and footer only
            return blocks
        line("date", format_date(meta.date))
        if meta.cutoff:
            line("cutoff", format_date(meta.cutoff))
        line("version", f"{meta.version} ({meta.status.value})")
        if meta.authors:
            line("authors", _list_words([_ws(a) for a in meta.authors]))
        if meta.organisation:
            line("organisation", _ws(meta.organisation))
        if meta.audience:
            line("audience", _ws(meta.audience))
        label = meta.marking.label()
        if label:
            blocks.append(Para([Text(label)], "marking"))
        return blocks

    @builds("key_judgments")
    def key_judgments(self, heading: str) -> list[Block]:

        """Key judgments, each with likelihood and confidence in separate sentences."""
        if not self.brief.key_judgments:
            return []
        items: list[list[Block]] = []
        for kj in self.brief.key_judgments[:self.layout.limit("key_judgments")]:
            inl: list[Inline] = [Text(_sentence(kj.text)), *self.note(kj.citations)]
            # likelihood and confidence are kept in separate sentences (ICD 203)
            if kj.likelihood is not None:
                inl += [Text(" "), Strong([Text(f"{self.layout.label('likelihood')}:")]),
                        Text(f" {self.likelihood_word(kj.likelihood)} ({kj.likelihood.probability}).")]
            inl += [Text(" "), Strong([Text(f"{self.layout.label('confidence')}:")]),
                    Text(f" {kj.confidence.value}.")]
            items.append([Para(inl)])
        return [Heading(1, [Text(heading)], "key_judgments"), BulletList(items, ordered=True)]

    @builds("background")
    def background(self, heading: str) -> list[Block]:

        """Background paragraphs, each with its note."""
        shown = self._issue_paragraphs() if "issue" in {k for k, _ in self.layout.sections} else 0
        paragraphs = self.brief.background[shown:][:self.layout.limit("background")]
        if not paragraphs:
            return []
        return [Heading(1, [Text(heading)], "background"),
                *(self.cited(p.text, p.citations) for p in paragraphs)]

    def _issue_paragraphs(self) -> int:
        """How many background paragraphs the issue section shows (1 unless limited otherwise)."""
        return min(self.layout.limit("issue") or 1, len(self.brief.background))

    @builds("issue")
    def issue(self, heading: str) -> list[Block]:

        """The issue: the key question, then the first background paragraph(s)."""
        layout = self.layout
        out: list[Block] = [Heading(1, [Text(heading)], "issue"),
                            Para([Strong([Text(f"{layout.label('key_question')}: ")]), Text(_ws(self.brief.meta.question))])]
        out += [self.cited(p.text, p.citations) for p in self.brief.background[:self._issue_paragraphs()]]
        return out

    @builds("memo_block")
    def memo_block(self, heading: str) -> list[Block]:

        """Memorandum head: the heading as the document title, then TO, FROM, DATE, SUBJECT and the marking."""
        meta, layout = self.brief.meta, self.layout
        blocks: list[Block] = []
        if heading:
            blocks.append(Para([Text(heading)], "title"))
        sender = [_ws(a) for a in meta.authors]
        if meta.organisation:
            sender.append(_ws(meta.organisation))
        for key, value in (("to", _ws(meta.audience or "")), ("from", ", ".join(sender)),
                           ("memo_date", format_date(meta.date)), ("subject", _ws(meta.title))):
            if value:
                blocks.append(Para([Strong([Text(f"{layout.label(key)}: ")]), Text(value)]))
        label = meta.marking.label()
        if label:
            blocks.append(Para([Text(label)], "marking"))
        return blocks

    @builds("decision")
    def decision(self, heading: str) -> list[Block]:

        """Decision lines for the reader to mark (only when there are recommendations to decide on)."""
        if not self.brief.recommendations:
            return []
        layout = self.layout
        line: list[Inline] = []
        for key in ("approve", "disapprove", "discuss"):
            line += [*([Text("    ")] if line else []), Strong([Text(layout.label(key))]), Text(f" {layout.label('decision_blank')}")]
        return [Heading(1, [Text(heading)], "decision"), Para(line)]

    @builds("positions")
    def positions(self, heading: str) -> list[Block]:

        """The actor × stance table, then the positions grouped by option or issue."""
        if not self.brief.positions:
            return []
        layout = self.layout
        abouts = self.abouts()
        with_position = {p.actor for p in self.brief.positions}
        actor_ids = [a.id for a in self.brief.actors if a.id in with_position]
        actor_ids += list(dict.fromkeys(p.actor for p in self.brief.positions if p.actor not in self.actors))
        variant = layout.variant("positions")
        if variant == "summary":
            table = self._options_summary()
        elif len(abouts) <= layout.stance_matrix_max_columns:
            table = self._stance_matrix(abouts, actor_ids)
        else:
            table = self._stance_list(abouts)
        out: list[Block] = [
            Heading(1, [Text(heading)], "positions"),
            table,
        ]
        if variant != "full":
            return out
        by_about = self.positions_by_about()
        for about, title in abouts:
            out.append(Heading(2, [Text(title)], f"positions-{about}"))
            for p in by_about.get(about, []):
                lead: list[Inline] = [Strong([Text(self.actor_label(p.actor))]), Text(": "),
                                      self.stance_word(p.stance)]
                if p.stance is m.Stance.conditional and p.condition:
                    lead.append(Text(f" ({layout.label('condition')} {_clause(p.condition)})"))
                lead.append(Text(". "))
                out.append(self.cited(p.summary, p.citations, lead=lead))
        return out

    def _stance_cell(self, positions: list[m.Position]) -> Cell:
        """Stance words in colour (plus the condition of a conditional stance) on a tinted cell."""
        layout = self.layout
        blocks: list[Block] = []
        for p in positions:
            blocks.append(Para([Strong([self.stance_word(p.stance)])]))
            if p.stance is m.Stance.conditional and p.condition:
                blocks.append(Para([Emph([Text(f"{layout.label('condition')} {_clause(p.condition)}")])], "small"))
        stance = positions[0].stance.value
        return Cell(blocks, fill=layout.stance_fills.get(stance), color=layout.stance_colors.get(stance), align="center")

    def _stance_matrix(self, abouts: list[tuple[str, str]], actor_ids: list[str]) -> Table:
        """Actors down, options and issues across, each cell the actor's stance."""
        layout = self.layout
        header = [[Cell([Para([Text(layout.label("actor"))])])]
                  + [Cell([Para([Text(title)])]) for _, title in abouts]]
        rows: list[list[Cell]] = []
        cells: dict[tuple[str, str], list[m.Position]] = {}
        for p in self.brief.positions:
            cells.setdefault((p.actor, p.about), []).append(p)
        for aid in actor_ids:
            row = [Cell([Para([Strong([Text(self.actor_name(aid))])])])]
            for about, _ in abouts:
                found = cells.get((aid, about))
                row.append(self._stance_cell(found) if found else
                           Cell([Para([Text(layout.label("no_position"))])], align="center"))
            rows.append(row)
        widths = [2.0] + [max(1.5, 6.0 / max(len(abouts), 1))] * len(abouts)
        return Table(header, rows, widths, [Text(layout.label("stance_table_caption"))], "grid")

    def _stance_list(self, abouts: list[tuple[str, str]]) -> Table:
        """One row per position (too many options for a matrix): option or issue, actor, stance."""
        layout = self.layout
        header = [[Cell([Para([Text(layout.label(k))])]) for k in ("about", "actor", "stance")]]
        rows: list[list[Cell]] = []
        by_about = self.positions_by_about()
        for about, title in abouts:
            for p in by_about.get(about, []):
                rows.append([Cell([Para([Text(title)])]),
                             Cell([Para([Strong([Text(self.actor_name(p.actor))])])]),
                             self._stance_cell([p])])
        return Table(header, rows, [3.0, 2.2, 2.2], [Text(layout.label("stance_table_caption"))], "grid")

    def _options_summary(self) -> Table:
        """One row per option: supporters, conditional supporters and opponents by name."""
        layout = self.layout
        cols = ("option", "supporters", "conditional_supporters", "opponents")
        header = [[Cell([Para([Text(layout.label(k))])]) for k in cols]]
        rows: list[list[Cell]] = []
        for opt in self.brief.options:
            groups = (("support", [a.name for a in self.stances.supporters(opt.id)]),
                      ("conditional", [a.name for a, _ in self.stances.conditional_supporters(opt.id)]),
                      ("oppose", [a.name for a in self.stances.opponents(opt.id)]))
            if not any(names for _, names in groups):
                continue
            row = [Cell([Para([Strong([Text(_ws(opt.title))])])])]
            for stance, names in groups:
                row.append(Cell([Para([Text(", ".join(names) or layout.label("no_position"))])],
                                fill=layout.stance_fills.get(stance) if names else None))
            rows.append(row)
        caption = layout.label("options_summary_caption") if layout.labels.get("options_summary_caption") != "" else ""
        return Table(header, rows, [2.6, 2.7, 2.7, 1.6], [Text(caption)] if caption else None, "grid")

    def _points(self, label: str, points: list[m.Point]) -> list[Block]:
        if not points:
            return []
        return [Para([Strong([Text(label)])]),
                BulletList([[self.cited(pt.text, pt.citations)] for pt in points])]

    @builds("options")
    def options(self, heading: str) -> list[Block]:

        """Each option: description, pros, cons, supporters, opponents, feasibility."""
        if not self.brief.options:
            return []
        layout = self.layout
        out: list[Block] = [Heading(1, [Text(heading)], "options")]
        summary = layout.variant("options") == "summary"
        for opt in self.brief.options[:layout.limit("options")]:
            out.append(Heading(2, [Text(_ws(opt.title))], f"option-{opt.id}"))
            out.append(self.cited(opt.description, opt.citations))
            if not summary:
                out += self._points(layout.label("pros"), opt.pros)
                out += self._points(layout.label("cons"), opt.cons)
            supporters = [a.name for a in self.stances.supporters(opt.id)]
            conditional = [f"{a.name} ({layout.label('condition')} {_clause(c)})"
                           for a, c in self.stances.conditional_supporters(opt.id)]
            opponents = [a.name for a in self.stances.opponents(opt.id)]
            for key, names in (("supporters", supporters), ("conditional_supporters", conditional),
                               ("opponents", opponents)):
                if key == "conditional_supporters" and not names:
                    continue
                out.append(Para([Strong([Text(f"{layout.label(key)}: ")]),
                                 Text(_sentence("; ".join(names)) if names else layout.label("none_recorded") + ".")]))
            if opt.feasibility and not summary:
                out.append(Para([Strong([Text(f"{layout.label('feasibility')}: ")]), Text(_sentence(opt.feasibility))]))
        return out

    @builds("recommendations")
    def recommendations(self, heading: str) -> list[Block]:

        """Numbered recommendations (nothing when the brief has none)."""
        if not self.brief.recommendations:
            return []
        items = [[self.cited(r.text, r.citations)] for r in self.brief.recommendations[:self.layout.limit("recommendations")]]
        return [Heading(1, [Text(heading)], "recommendations"), BulletList(items, ordered=True)]

    @builds("risks")
    def risks(self, heading: str) -> list[Block]:

        """Risk register and the 5 × 5 likelihood × impact heat map."""
        if not self.brief.risks:
            return []
        layout = self.layout
        chosen = self._chosen_risks()
        variant = layout.variant("risks")
        if variant == "list":
            items = [[Para([Strong([Text(f"R{n} ")]), Text(_sentence(r.title)), *self.note(r.citations),
                            Text(f" {layout.label('score')} {r.score} ({layout.label(risk_band(r.score))}): "
                                 f"{self.likelihood_word(r.likelihood)} × {layout.label('impact').lower()} "
                                 f"{r.impact}.")])]
                     for n, r in chosen]
            return [Heading(1, [Text(heading)], "risks"), BulletList(items)]
        with_indicators = "indicators" not in {k for k, _ in layout.sections}
        cols = ["risk", "risk_chain", "likelihood", "impact", "score", "mitigation"]
        header = [[Cell([Para([Text(layout.label(c))])]) for c in cols]]
        rows: list[list[Cell]] = []
        for n, r in chosen:
            chain = " → ".join(_ws(x) for x in (r.cause, r.event, r.consequence) if x)
            text_blocks: list[Block] = []
            if chain:
                text_blocks.append(Para([Text(chain), *([] if r.description else self.note(r.citations))]))
            if r.description:
                text_blocks.append(self.cited(r.description, r.citations))
            band = risk_band(r.score)
            mitigation: list[Block] = [self.cited(pt.text, pt.citations) for pt in r.mitigation]
            if with_indicators:
                mitigation += [self.cited(pt.text, pt.citations, lead=[Emph([Text(f"{layout.label('indicator')}: ")])])
                               for pt in r.indicators]
            rows.append([
                Cell([Para([Strong([Text(f"R{n}")]), Text(f" {_ws(r.title)}")])]),
                Cell(text_blocks),
                Cell([Para([Text(f"{self.likelihood_word(r.likelihood)} ({r.likelihood.scale})")])]),
                Cell([Para([Text(str(r.impact))])], align="center"),
                Cell([Para([Text(f"{r.score} ({layout.label(band)})")])], fill=layout.risk_fills.get(band), align="center"),
                Cell(mitigation or [Para([Text(layout.label("no_position"))])]),
            ])
        out: list[Block] = [
            Heading(1, [Text(heading)], "risks"),
            Table(header, rows, [1.9, 3.3, 1.7, 1.2, 1.2, 2.9], [Text(layout.label("register_caption"))], "grid"),
        ]
        if variant == "register":
            return out
        # 5 × 5 heat map: likelihood rows from 5 (top) to 1, impact columns 1..5
        hm_header = [[Cell([Para([Text(layout.label("heatmap_corner"))], "small")])]
                     + [Cell([Para([Strong([Text(str(i))])], "small"), Para([Text(layout.label(f"impact_{i}"))], "small")],
                             align="center") for i in range(1, 6)]]
        hm_rows: list[list[Cell]] = []
        for lk in range(5, 0, -1):
            row = [Cell([Para([Text(layout.label(f"likelihood_{lk}"))], "small")])]
            for imp in range(1, 6):
                here = [f"R{n}" for n, r in chosen if r.likelihood.scale == lk and r.impact == imp]
                band = risk_band(lk * imp)
                row.append(Cell([Para([Strong([Text(", ".join(here))])] if here else [])],
                                fill=layout.risk_fills.get(band), align="center"))
            hm_rows.append(row)
        out.append(Table(hm_header, hm_rows, [2.4, 1.2, 1.2, 1.2, 1.2, 1.2],
                         [Text(layout.label("heatmap_caption"))], "heatmap"))
        out.append(Para([Text(layout.label("heatmap_key"))], "small"))
        return out

    def _chosen_risks(self) -> list[tuple[int, m.Risk]]:
        """(number, risk) for the risks shown: all, or the top N by score (ties in file order), in file order."""
        numbered = list(enumerate(self.brief.risks, 1))
        limit = self.layout.limit("risks")
        if limit is None:
            return numbered
        top = sorted(numbered, key=lambda nr: -nr[1].score)[:limit]
        return sorted(top, key=lambda nr: nr[0])

    @builds("indicators")
    def indicators(self, heading: str) -> list[Block]:

        """Indicators to watch, gathered from the risks shown."""
        items = [[self.cited(pt.text, pt.citations, lead=[Strong([Text(f"R{n}: ")])])]
                 for n, r in self._chosen_risks() for pt in r.indicators][:self.layout.limit("indicators")]
        if not items:
            return []
        return [Heading(1, [Text(heading)], "indicators"), BulletList(items)]

    @builds("open_questions")
    def open_questions(self, heading: str) -> list[Block]:

        """Open questions: the question, why it matters, what would resolve it."""
        if not self.brief.open_questions:
            return []
        layout = self.layout
        items: list[list[Block]] = []
        brief_only = layout.variant("open_questions") == "questions"
        for q in self.brief.open_questions[:layout.limit("open_questions")]:
            item: list[Block] = [Para([Strong([Text(_ws(q.question))]), *self.note(q.citations)])]
            if brief_only:
                items.append(item)
                continue
            if q.why:
                item.append(Para([Emph([Text(f"{layout.label('why')}: ")]), Text(_sentence(q.why))]))
            if q.resolution:
                item.append(Para([Emph([Text(f"{layout.label('resolution')}: ")]), Text(_sentence(q.resolution))]))
            items.append(item)
        return [Heading(1, [Text(heading)], "open_questions"), BulletList(items, ordered=True)]

    @builds("source_summary")
    def source_summary(self, heading: str) -> list[Block]:

        """The source base as a whole: counts, independent origins, kinds, outlets, dates."""
        sources = self.brief.sources
        n = len(sources)
        origins = {(s.derived_from or s.id).casefold() for s in sources}
        cited = Counter(citation.source for _, citation in self.brief.iter_citations())
        first = (f"This brief draws on {n} source{'s' if n != 1 else ''}"
                 f" from {len(origins)} independent origin{'s' if len(origins) != 1 else ''}")
        if len(origins) < n:
            first += " (a report carried by several outlets counts once)"
        first += f"; it cites them {sum(cited.values())} times at {citation_points(self.brief)} points in the text."
        kinds = Counter(s.kind.value for s in sources)
        kind_words = [f"{k} {_KIND_PLURAL[kind][k != 1]}" for kind, k in
                      sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))]
        out: list[Block] = [Heading(1, [Text(heading)], "source_summary"), Para([Text(first)]),
                            Para([Text(f"Kinds: {_list_words(kind_words)}.")])]
        outlets = sorted({_ws(s.outlet or s.publisher or "") for s in sources} - {""}, key=str.casefold)
        wires = sorted({_ws(s.derived_from) for s in sources if s.derived_from}, key=str.casefold)
        if outlets:
            line = f"Outlets: {_list_words(outlets)}"
            if wires:
                line += f" (carrying reports by {_list_words(wires)})"
            out.append(Para([Text(line + ".")]))
        dates = sorted(s.published for s in sources if s.published)
        undated = n - len(dates)
        if dates:
            span = (f"Published on {format_date(dates[0])}" if dates[0] == dates[-1]
                    else f"Published between {format_date(dates[0])} and {format_date(dates[-1])}")
            if undated:
                span += f"; {undated} undated"
            out.append(Para([Text(span + ".")]))
        elif undated:
            out.append(Para([Text("No source carries a publication date.")]))
        langs = sorted({s.language for s in sources})
        if len(langs) > 1:
            out.append(Para([Text(f"Languages: {', '.join(langs)}.")]))
        return out

    @builds("estimative_key")
    def estimative_key(self, heading: str) -> list[Block]:

        """The key to the estimative language and to confidence levels."""
        layout = self.layout
        first, second = ("alternative", "term") if layout.likelihood_column == "alternative" else ("term", "alternative")
        header = [[Cell([Para([Text(layout.label(k))])]) for k in (first, second, "probability")]]
        rows = []
        for term in m.Likelihood:
            words = {"term": term.value, "alternative": term.alternative}
            rows.append([Cell([Para([Strong([Text(words[first])])])]), Cell([Para([Text(words[second])])]),
                         Cell([Para([Text(term.probability)])], align="right")])
        return [Heading(1, [Text(heading)], "estimative_key"),
                Table(header, rows, [2.0, 2.0, 1.2], [Text(layout.label("estimative_caption"))], "key"),
                Para([Text(layout.label("confidence_key"))], "small")]

    @builds("bibliography")
    def bibliography(self, heading: str) -> list[Block]:

        """Every source as a Chicago bibliography entry, alphabetically."""
        entries = sorted(self.brief.sources, key=lambda s: (bibliography_key(s), s.id))
        return [Heading(1, [Text(heading)], "bibliography"),
                *(Para(bibliography_entry(s), "bibliography") for s in entries)]

    # ------------------------------------------------------------------ whole document

    def document(self) -> Document:
        """Compose the sections the layout lists, then number-free note text in reading order."""
        # 1. sections in layout order
        blocks: list[Block] = []
        for key, heading in self.layout.sections:
            blocks += BUILDERS[key](self, heading)
        # 2. note text: full form on a source's first use in reading order, short afterwards
        maker = NoteMaker(self.brief.sources, self.layout.citation_style, self.layout.quotes_in_notes)
        for note in walk_notes(blocks):
            note.paragraphs = [maker.paragraph(self.pending[id(note)])]
        # 3. document properties and page furniture
        meta = self.brief.meta
        marking = meta.marking
        doc_meta = DocMeta(
            title=_ws(meta.title),
            author="; ".join(_ws(a) for a in meta.authors) or _ws(meta.organisation or ""),
            subject=_ws(meta.subject or meta.question),
            keywords=[_ws(k) for k in meta.keywords],
            language=meta.language,
            date=meta.date.isoformat(),
            tlp=marking.tlp.value if marking.tlp else "",
            banner=marking.banner.value if marking.banner else "",
            header=self._fill(self.layout.header),
            footer=self._fill(self.layout.footer),
        )
        doc = Document(doc_meta, blocks)
        # 4. one pass removing characters no output format can hold
        _clean_tree(doc)
        return doc


    def _fill(self, text: str) -> str:
        """Header or footer text with the brief's values in; {page} and {pages} stay for the writers."""
        meta = self.brief.meta
        values = {"title": _ws(meta.title), "date": format_date(meta.date), "marking": meta.marking.label(),
                  "organisation": _ws(meta.organisation or ""), "version": _ws(meta.version),
                  "status": meta.status.value}
        return re.sub(r"\{(\w+)\}", lambda mt: values.get(mt.group(1), mt.group(0)), text)


def _clean_tree(node: Any, where: str = "brief text") -> None:
    """Remove XML-illegal characters from every string in the tree (warning once per string)."""
    if isinstance(node, list):
        for child in node:
            _clean_tree(child, where)
        return
    if isinstance(node, Text):
        node.text = clean(node.text, where)
        return
    if isinstance(node, Link):
        node.url = clean(node.url, "link address")
    if isinstance(node, DocMeta):
        for name in ("title", "author", "subject", "language", "date", "tlp", "banner", "header", "footer"):
            setattr(node, name, clean(getattr(node, name), f"document {name}"))
        node.keywords = [clean(k, "document keywords") for k in node.keywords]
        return
    for attr in ("meta", "blocks", "children", "items", "paragraphs", "header", "rows", "caption"):
        value = getattr(node, attr, None)
        if value is None:
            continue
        if attr in ("header", "rows") and isinstance(node, Table):
            for row in value:
                for cell in row:
                    _clean_tree(cell.blocks, where)
        elif attr == "header":
            continue
        else:
            _clean_tree(value, where)


def compose(brief: m.Brief, layout: Layout | None = None, report: Any = None) -> Document:
    """Turn a checked brief into the format-neutral outline tree, following ``layout``."""
    # ``report`` (check's Report) is part of the signature every caller uses; the outline needs
    # nothing from it, since the brief it comes with has passed the check.
    del report
    return _Composer(brief, layout or Layout()).document()
