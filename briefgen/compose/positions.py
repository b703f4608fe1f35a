"""Who stands where: the positions of the actors, the options and the recommendations."""

from __future__ import annotations

from briefgen.brief import models as m
from briefgen.compose.context import Context, builds
from briefgen.compose.citations import quote
from briefgen.compose.wording import clause, sentence, squash
from briefgen.outline import Block, BulletList, Cell, Emph, Heading, Inline, Para, Strong, Table, Text


MATRIX_MAX_COLUMNS = 8  # options a stance matrix shows across one page width


class PositionSections(Context):
    """Who stands where: the positions of the actors, the options and the recommendations."""

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
        if variant == "matrix":
            # actors × options only: positions on other issues are in the positions in detail
            options = {o.id for o in self.brief.options}
            on_options = [(a, t) for a, t in abouts if a in options] or abouts
            keep = {a for a, _ in on_options}
            actors = [aid for aid in actor_ids if any(p.actor == aid and p.about in keep for p in self.brief.positions)]
            if len(on_options) > MATRIX_MAX_COLUMNS:  # too many to read across a page: one row per position
                return [Heading(1, [Text(heading)], "positions"), self._stance_list(on_options)]
            return [Heading(1, [Text(heading)], "positions"), self._mark_matrix(on_options, actors),
                    self._matrix_legend()]
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
        return out + self._detail(abouts, quotes=False)

    @builds("positions_detail")
    def positions_detail(self, heading: str) -> list[Block]:

        """Every position grouped by option or issue, with its condition and the evidence quoted."""
        if not self.brief.positions:
            return []
        return [Heading(1, [Text(heading)], "positions-detail"), *self._detail(self.abouts(), quotes=True)]

    def _detail(self, abouts: list[tuple[str, str]], quotes: bool) -> list[Block]:
        """Per option or issue: each actor's stance, condition and summary (and the quoted evidence)."""
        layout = self.layout
        out: list[Block] = []
        by_about = self.positions_by_about()
        for about, title in abouts:
            out.append(Heading(2, [Text(title)], f"positions-{about}"))
            for p in by_about.get(about, []):
                lead: list[Inline] = [Strong([Text(self.actor_label(p.actor))]), Text(": "),
                                      self.stance_word(p.stance)]
                if p.stance is m.Stance.conditional and p.condition:
                    lead.append(Text(f" ({layout.label('condition')} {clause(p.condition)})"))
                lead.append(Text(". "))
                out.append(self.cited(p.summary, p.citations, lead=lead))
                if quotes:
                    evidence = [c.quote for c in p.citations if c.quote.strip()]
                    if evidence:
                        out.append(Para([Emph([Text(f"{layout.label('evidence')}: ")]),
                                         Text("; ".join(quote(q) for q in evidence))], "small"))
        return out

    def _mark_matrix(self, abouts: list[tuple[str, str]], actor_ids: list[str]) -> Table:
        """Actors down, options and issues across, one stance mark per cell."""
        layout = self.layout
        header = [[Cell([Para([Text(layout.label("actor"))], "small")])]
                  + [Cell([Para([Text(title)], "small")], align="center") for _, title in abouts]]
        cells: dict[tuple[str, str], list[m.Position]] = {}
        for p in self.brief.positions:
            cells.setdefault((p.actor, p.about), []).append(p)
        rows: list[list[Cell]] = []
        for aid in actor_ids:
            row = [Cell([Para([Strong([Text(self.actor_name(aid))])], "small")])]
            for about, _ in abouts:
                found = cells.get((aid, about))
                if not found:
                    row.append(Cell([Para([Text(layout.label("no_position"))], "small")], align="center"))
                    continue
                stances = {p.stance for p in found}
                stance = found[0].stance if len(stances) == 1 else m.Stance.mixed
                row.append(Cell([Para([Strong([Text(layout.label(f"mark_{stance.value}"))])], "small")],
                                fill=layout.stance_fills.get(stance.value),
                                color=layout.stance_colors.get(stance.value), align="center"))
            rows.append(row)
        first = 1.9
        widths = [first] + [max(0.6, (6.6 - first) / max(len(abouts), 1))] * len(abouts)
        return Table(header, rows, widths, None, "matrix")

    def _matrix_legend(self) -> Para:
        """What the marks mean, in the stance colours."""
        layout = self.layout
        parts: list[Inline] = []
        for stance in m.Stance:
            if parts:
                parts.append(Text(" · "))
            mark, meaning = layout.label(f"mark_{stance.value}"), layout.label(f"legend_{stance.value}")
            parts += [Strong([Text(mark)])] + ([Text(f" {meaning}")] if meaning != mark else [])
        parts.append(Text(f" · {layout.label('no_position')} {layout.label('legend_none')}"))
        return Para(parts, "small")

    def _stance_cell(self, positions: list[m.Position]) -> Cell:
        """Stance words in colour (plus the condition of a conditional stance) on a tinted cell."""
        layout = self.layout
        blocks: list[Block] = []
        for p in positions:
            blocks.append(Para([Strong([self.stance_word(p.stance)])]))
            if p.stance is m.Stance.conditional and p.condition:
                blocks.append(Para([Emph([Text(f"{layout.label('condition')} {clause(p.condition)}")])], "small"))
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
            row = [Cell([Para([Strong([Text(squash(opt.title))])])])]
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

    def _run_in(self, label: str, points: list[m.Point]) -> list[Block]:
        """Points as one paragraph after a bold label, each with its own note (a compact body)."""
        if not points:
            return []
        parts: list[Inline] = [Strong([Text(f"{label}: ")])]
        for i, pt in enumerate(points):
            parts += [Text((" " if i else "") + sentence(pt.text)), *self.note(pt.citations)]
        return [Para(parts)]

    @builds("options")
    def options(self, heading: str) -> list[Block]:

        """Each option: description, pros, cons, supporters, opponents, feasibility."""
        if not self.brief.options:
            return []
        layout = self.layout
        out: list[Block] = [Heading(1, [Text(heading)], "options")]
        summary = layout.variant("options") == "summary"
        matrix = layout.variant("options") == "brief"
        for opt in self.brief.options[:layout.limit("options")]:
            out.append(Heading(2, [Text(squash(opt.title))], f"option-{opt.id}"))
            out.append(self.cited(opt.description, opt.citations))
            if matrix:
                out += self._run_in(layout.label("pros"), opt.pros) + self._run_in(layout.label("cons"), opt.cons)
            elif not summary:
                out += self._points(layout.label("pros"), opt.pros)
                out += self._points(layout.label("cons"), opt.cons)
            supporters = [a.name for a in self.stances.supporters(opt.id)]
            conditional = [f"{a.name} ({layout.label('condition')} {clause(c)})"
                           for a, c in self.stances.conditional_supporters(opt.id)]
            opponents = [a.name for a in self.stances.opponents(opt.id)]
            for key, names in (() if matrix else (("supporters", supporters), ("conditional_supporters", conditional),
                                                   ("opponents", opponents))):
                if key == "conditional_supporters" and not names:
                    continue
                out.append(Para([Strong([Text(f"{layout.label(key)}: ")]),
                                 Text(sentence("; ".join(names)) if names else layout.label("none_recorded") + ".")]))
            if opt.feasibility and not summary:
                out.append(Para([Strong([Text(f"{layout.label('feasibility')}: ")]), Text(sentence(opt.feasibility))]))
        return out

    @builds("recommendations")
    def recommendations(self, heading: str) -> list[Block]:

        """Numbered recommendations (nothing when the brief has none)."""
        if not self.brief.recommendations:
            return []
        items = [[self.cited(r.text, r.citations)] for r in self.brief.recommendations[:self.layout.limit("recommendations")]]
        return [Heading(1, [Text(heading)], "recommendations"), BulletList(items, ordered=True)]
