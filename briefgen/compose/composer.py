"""Brief + Layout → outline.Document: the sections in layout order, then notes, properties and furniture.

Each section is built by one function marked ``@builds(key)`` (front, positions, risks, back);
every section choice, order and heading comes from the ``Layout``. Each non-empty ``citations``
list in the brief becomes exactly one ``Note`` (a citation point); the note text is filled in
afterwards in reading order, so the first note to use a source gets the full form.
"""

from __future__ import annotations

import re
from typing import Any

from briefgen.brief import models as m
from briefgen.brief.sections import BY_KEY
from briefgen.compose.back import BackMatter
from briefgen.compose.citations import NoteMaker, format_date
from briefgen.compose.context import BUILDERS
from briefgen.compose.front import FrontSections
from briefgen.compose.layout import Layout
from briefgen.compose.positions import PositionSections
from briefgen.compose.risks import RiskSections
from briefgen.compose.wording import squash
from briefgen.outline import (PAGE_FIELD as PAGE, PAGES_FIELD as PAGES, Block, DocMeta, Document, Heading, Link,
                              PageBreak, Para, Strong, Table, Text, escape_braces, walk_notes)
from briefgen.textsafe import clean


def citation_points(brief: m.Brief) -> int:
    """How many places in the brief carry citations (each becomes one note)."""
    return brief.citation_points()


class _Composer(FrontSections, PositionSections, RiskSections, BackMatter):
    """Builds the blocks of one brief: the sections through ``BUILDERS``, then notes, properties, furniture."""

    # ------------------------------------------------------------------ whole document

    def document(self) -> Document:
        """Compose the sections the layout lists, then number-free note text in reading order."""
        # 1. sections in layout order
        blocks: list[Block] = []
        in_annexes = False
        self.evidence_at: int | None = None  # where the quoted evidence of long notes goes (end of annex A)
        for key, heading in self.layout.sections:
            built = BUILDERS[key](self, heading)
            if built and blocks and BY_KEY[key].annex and not in_annexes:
                blocks.append(PageBreak())  # the body ends; the annexes start on a page of their own
                in_annexes = True
            blocks += built
            if key == "positions_detail" and built:
                self.evidence_at = len(blocks)
        # 2. note text: full form on a source's first use in reading order, short afterwards
        maker = NoteMaker(self.brief.sources, self.layout.citation_style, self.layout.quotes_in_notes,
                          self.layout.max_note_chars)
        for note in walk_notes(blocks):
            note.paragraphs = [maker.paragraph(self.pending[id(note)])]
        if maker.left_out:  # quoted words too long for their notes, by note number
            evidence: list[Block] = [Heading(2, [Text(self.layout.label("evidence_heading"))], "evidence")]
            evidence += [Para([Strong([Text(f"{n}. ")]), *words], "small") for n, words in maker.left_out]
            at = self.evidence_at if self.evidence_at is not None else len(blocks)
            blocks[at:at] = evidence
        # 3. document properties and page furniture
        meta = self.brief.meta
        marking = meta.marking
        doc_meta = DocMeta(
            title=squash(meta.title),
            author="; ".join(squash(a) for a in meta.authors) or squash(meta.organisation or ""),
            subject=squash(meta.subject or meta.question),
            keywords=[squash(k) for k in meta.keywords],
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
        """Header or footer text with the brief's values in; {page} and {pages} stay for the writers.

        Everything else, the template's words and the brief's values alike, is escaped as literal
        text (braces doubled), so a title reading "{pages}" is never taken for a field.
        """
        meta = self.brief.meta
        values = {"title": squash(meta.title), "date": format_date(meta.date), "marking": meta.marking.label(),
                  "organisation": squash(meta.organisation or ""), "version": squash(meta.version),
                  "status": meta.status.value}
        out, pos = [], 0
        for mt in re.finditer(r"\{(\w+)\}", text):
            out.append(escape_braces(text[pos:mt.start()]))
            key = mt.group(1)
            if key in values:
                out.append(escape_braces(values[key]))
            elif mt.group(0) in (PAGE, PAGES):
                out.append(mt.group(0))
            else:
                out.append(escape_braces(mt.group(0)))
            pos = mt.end()
        out.append(escape_braces(text[pos:]))
        return "".join(out)


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
