"""What could go wrong and what is unknown: risks, indicators, open questions."""

from __future__ import annotations

from briefgen.brief import models as m
from briefgen.brief.models import risk_band
from briefgen.compose.context import Context, builds
from briefgen.compose.wording import LOWER_OK, sentence, squash
from briefgen.outline import Block, BulletList, Cell, Emph, Heading, Para, Strong, Table, Text


class RiskSections(Context):
    """What could go wrong and what is unknown: risks, indicators, open questions."""

    @builds("risk_register")
    def risk_register(self, heading: str) -> list[Block]:

        """Every risk in the register with the heat map, whatever limit the top risks have."""
        if not self.brief.risks:
            return []
        return self._risks(heading, list(enumerate(self.brief.risks, 1)), "full", "risk-register")

    @builds("risks")
    def risks(self, heading: str) -> list[Block]:

        """Risk register and the 5 × 5 likelihood × impact heat map."""
        if not self.brief.risks:
            return []
        return self._risks(heading, self._chosen_risks(), self.layout.variant("risks"), "risks")

    def _risks(self, heading: str, chosen: list[tuple[int, m.Risk]], variant: str, anchor: str) -> list[Block]:
        layout = self.layout
        if variant == "top":
            # the sources are in the register (an annex) when the layout has one; else here, in a note
            in_register = "risk_register" in {k for k, _ in layout.sections}
            items = []
            for n, r in chosen:
                # the title names the cause and event; the consequence says what it would cost
                see = ""  # R1, R2… are the numbers of the register, which holds the sources
                then = squash(r.consequence or r.event or "").rstrip(".")
                then = then[:1].lower() + then[1:] if then.split(" ")[0] in LOWER_OK else then
                items.append([Para([Strong([Text(f"R{n} {squash(r.title).rstrip('.')}")]),
                                    Text(f" → {then}." if then else "."),
                                    Text(f" {self.likelihood_word(r.likelihood).capitalize()}, "
                                         f"{layout.label('impact').lower()} {r.impact}: {layout.label('score').lower()} "
                                         f"{r.score} ({layout.label(risk_band(r.score))}).{see}"),
                                    *([] if in_register else self.note(r.citations))])])
            return [Heading(1, [Text(heading)], anchor), BulletList(items)]
        if variant == "list":
            items = [[Para([Strong([Text(f"R{n} ")]), Text(sentence(r.title)), *self.note(r.citations),
                            Text(f" {layout.label('score')} {r.score} ({layout.label(risk_band(r.score))}): "
                                 f"{self.likelihood_word(r.likelihood)} × {layout.label('impact').lower()} "
                                 f"{r.impact}.")])]
                     for n, r in chosen]
            return [Heading(1, [Text(heading)], anchor), BulletList(items)]
        with_indicators = "indicators" not in {k for k, _ in layout.sections}
        cols = ["risk", "risk_chain", "likelihood", "impact", "score", "mitigation"]
        header = [[Cell([Para([Text(layout.label(c))])]) for c in cols]]
        rows: list[list[Cell]] = []
        for n, r in chosen:
            chain = " → ".join(squash(x) for x in (r.cause, r.event, r.consequence) if x)
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
                Cell([Para([Strong([Text(f"R{n}")]), Text(f" {squash(r.title)}")])]),
                Cell(text_blocks),
                Cell([Para([Text(f"{self.likelihood_word(r.likelihood)} ({r.likelihood.scale})")])]),
                Cell([Para([Text(str(r.impact))])], align="center"),
                Cell([Para([Text(f"{r.score} ({layout.label(band)})")])], fill=layout.risk_fills.get(band), align="center"),
                Cell(mitigation or [Para([Text(layout.label("no_position"))])]),
            ])
        out: list[Block] = [
            Heading(1, [Text(heading)], anchor),
            Table(header, rows, [1.9, 3.3, 1.7, 1.2, 1.2, 2.9], [Text(layout.label("register_caption"))], "grid"),
        ]
        if variant == "register":  # the key to the score bands is the register's legend
            return out + [Para([Text(layout.label("heatmap_key"))], "small")]
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
        run_in = layout.variant("open_questions") == "run-in"
        for q in self.brief.open_questions[:layout.limit("open_questions")]:
            item: list[Block] = [Para([Strong([Text(squash(q.question))]), *self.note(q.citations)])]
            if brief_only:
                items.append(item)
                continue
            if run_in:  # why and resolution follow the question in the same paragraph
                for key, text in (("why_short", q.why), ("resolution_short", q.resolution)):
                    if text:
                        item[0].children += [Text(" "), Emph([Text(f"{layout.label(key)}: ")]), Text(sentence(text))]
                items.append(item)
                continue
            if q.why:
                item.append(Para([Emph([Text(f"{layout.label('why')}: ")]), Text(sentence(q.why))]))
            if q.resolution:
                item.append(Para([Emph([Text(f"{layout.label('resolution')}: ")]), Text(sentence(q.resolution))]))
            items.append(item)
        return [Heading(1, [Text(heading)], "open_questions"), BulletList(items, ordered=True)]
