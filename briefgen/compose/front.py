"""The front of a brief: title block, memorandum head, issue, decision lines, key judgments, background."""

from __future__ import annotations

from briefgen.compose.citations import format_date
from briefgen.compose.context import Context, builds
from briefgen.compose.wording import list_words, sentence, squash
from briefgen.outline import Block, BulletList, Heading, Inline, Para, Strong, Text


class FrontSections(Context):
    """The front of a brief: title block, memorandum head, issue, decision lines, key judgments, background."""

    @builds("title")
    def title(self, heading: str) -> list[Block]:

        """Title block: title, key question, dates, version, authors, audience, marking."""
        meta, layout = self.brief.meta, self.layout
        blocks: list[Block] = []
        if heading:
            blocks.append(Heading(1, [Text(heading)], "title"))
        blocks.append(Para([Text(squash(meta.title))], "title"))
        blocks.append(Para([Strong([Text(f"{layout.label('key_question')}: ")]), Text(squash(meta.question))],
                           "subtitle"))

        def line(key: str, value: str) -> None:

            """Add one labelled title-block line."""
            blocks.append(Para([Strong([Text(f"{layout.label(key)}: ")]), Text(value)], "meta"))

        if layout.variant("title") == "compact":
            parts = [(layout.label("date"), format_date(meta.date)),
                     (layout.label("version"), f"{meta.version} ({meta.status.value})")]
            if meta.authors:
                parts.append((layout.label("authors"), list_words([squash(a) for a in meta.authors])))
            if meta.audience:
                parts.append((layout.label("audience"), squash(meta.audience)))
            inl: list[Inline] = []
            for label, value in parts:
                inl += [*([Text(" · ")] if inl else []), Strong([Text(f"{label}: ")]), Text(value)]
            blocks.append(Para(inl, "meta"))  # the marking stays in the header and footer only
            return blocks
        def group(pairs: list[tuple[str, str]]) -> None:
            """Several labelled values on one title-block line, separated by middle dots."""
            inl: list[Inline] = []
            for key, value in pairs:
                inl += [*([Text(" · ")] if inl else []), Strong([Text(f"{layout.label(key)}: ")]), Text(value)]
            if inl:
                blocks.append(Para(inl, "meta"))

        group([("date", format_date(meta.date))]
              + ([("cutoff", format_date(meta.cutoff))] if meta.cutoff else [])
              + [("version", f"{meta.version} ({meta.status.value})")])
        group(([("authors", list_words([squash(a) for a in meta.authors]))] if meta.authors else [])
              + ([("organisation", squash(meta.organisation))] if meta.organisation else []))
        if meta.audience:
            line("audience", squash(meta.audience))
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
            inl: list[Inline] = [Text(sentence(kj.text)), *self.note(kj.citations)]
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
                            Para([Strong([Text(f"{layout.label('key_question')}: ")]), Text(squash(self.brief.meta.question))])]
        out += [self.cited(p.text, p.citations) for p in self.brief.background[:self._issue_paragraphs()]]
        return out

    @builds("memo_block")
    def memo_block(self, heading: str) -> list[Block]:

        """Memorandum head: the heading as the document title, then TO, FROM, DATE, SUBJECT and the marking."""
        meta, layout = self.brief.meta, self.layout
        blocks: list[Block] = []
        if heading:
            blocks.append(Para([Text(heading)], "title"))
        sender = [squash(a) for a in meta.authors]
        if meta.organisation:
            sender.append(squash(meta.organisation))
        for key, value in (("to", squash(meta.audience or "")), ("from", ", ".join(sender)),
                           ("memo_date", f"{format_date(meta.date)} ({layout.label('version').lower()} "
                                         f"{squash(meta.version)}, {meta.status.value})"),
                           ("subject", squash(meta.title))):
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
