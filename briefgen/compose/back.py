"""The back of a brief: the source summary, the estimative key and the bibliography."""

from __future__ import annotations

from collections import Counter

from briefgen.brief import models as m
from briefgen.compose.citations import bibliography_entry, bibliography_key, format_date
from briefgen.compose.context import Context, builds
from briefgen.compose.wording import KIND_PLURAL, list_words, squash
from briefgen.outline import Block, Cell, Heading, Para, Strong, Table, Text


class BackMatter(Context):
    """The back of a brief: the source summary, the estimative key and the bibliography."""

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
        first += f"; it cites them {sum(cited.values())} times at {self.brief.citation_points()} points in the text."
        kinds = Counter(s.kind.value for s in sources)
        kind_words = [f"{k} {KIND_PLURAL[kind][k != 1]}" for kind, k in
                      sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))]
        out: list[Block] = [Heading(1, [Text(heading)], "source_summary"), Para([Text(first)]),
                            Para([Text(f"Kinds: {list_words(kind_words)}.")])]
        outlets = sorted({squash(s.outlet or s.publisher or "") for s in sources} - {""}, key=str.casefold)
        wires = sorted({squash(s.derived_from) for s in sources if s.derived_from}, key=str.casefold)
        if outlets:
            line = f"Outlets: {list_words(outlets)}"
            if wires:
                line += f" (carrying reports by {list_words(wires)})"
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
