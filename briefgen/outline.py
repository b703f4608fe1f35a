"""The format-neutral document tree that sits between compose and every writer.

Compose turns a Brief into a ``Document``; writers (docx, pdf, markdown) turn a ``Document`` into
bytes. Writers know node types, never sections. Notes carry no numbers: each writer numbers them
in reading order. The tree serialises to JSON (``to_dict``/``from_dict``) for ``--emit-outline``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Union

# ----------------------------------------------------------------------------- inlines


@dataclass
class Text:
    """Plain text."""

    text: str


@dataclass
class Strong:
    """Bold text."""

    children: list[Inline]


@dataclass
class Emph:
    """Italic text."""

    children: list[Inline]


@dataclass
class Link:
    """A hyperlink to an external URL."""

    url: str
    children: list[Inline]


@dataclass
class Colored:
    """Text in a colour (e.g. a stance word); ``color`` is '#RRGGBB'."""

    color: str
    children: list[Inline]


@dataclass
class Note:
    """A footnote at this point; its content is one or more paragraphs of inlines."""

    paragraphs: list[list[Inline]]


Inline = Union[Text, Strong, Emph, Link, Colored, Note]

# ----------------------------------------------------------------------------- blocks

# Paragraph roles a writer maps to its own styles (Word style names, PDF paragraph styles).
PARA_ROLES = (
    "body",          # ordinary body text
    "title",         # the document title
    "subtitle",      # the key question under the title
    "meta",          # title-block lines (date, authors, audience, …)
    "marking",       # a handling marking printed in the body (e.g. on the title block)
    "caption",       # a caption above a table or figure
    "small",         # small print (keys, notes under tables)
    "bibliography",  # one bibliography entry
    "quote",         # a quoted passage
)


@dataclass
class Heading:
    """A section heading; ``level`` 1..3; ``anchor`` is a stable id for bookmarks and links."""

    level: int
    children: list[Inline]
    anchor: str = ""


@dataclass
class Para:
    """A paragraph with a role from ``PARA_ROLES``."""

    children: list[Inline]
    role: str = "body"


@dataclass
class BulletList:
    """A list; each item is a list of blocks (usually one Para)."""

    items: list[list[Block]]
    ordered: bool = False


@dataclass
class Cell:
    """A table cell: blocks, an optional background fill and text colour ('#RRGGBB')."""

    blocks: list[Block]
    fill: str | None = None
    color: str | None = None
    align: str = "left"  # left | center | right


@dataclass
class Table:
    """A table with header rows; ``widths`` are relative column widths (any positive numbers)."""

    header: list[list[Cell]]
    rows: list[list[Cell]]
    widths: list[float] | None = None
    caption: list[Inline] | None = None
    kind: str = "grid"  # grid | matrix | heatmap | key (a writer may style kinds differently)


@dataclass
class PageBreak:
    """Start a new page (used sparingly, e.g. before annexes)."""


Block = Union[Heading, Para, BulletList, Table, PageBreak]


@dataclass
class DocMeta:
    """Document properties every writer puts into its file's metadata and page furniture."""

    title: str
    author: str = ""
    subject: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = "en"
    date: str = ""  # ISO date: core properties, PDF dates
    tlp: str = ""  # e.g. 'TLP:AMBER'
    banner: str = ""  # e.g. 'UNCLASSIFIED'
    header: str = ""  # running text: {page}/{pages} are page fields, literal braces are doubled
    footer: str = ""


# The page fields of DocMeta.header and .footer; every other brace there is doubled ("{{", "}}"), as
# in Python format strings, so text from a brief that reads "{page}" stays text.
PAGE_FIELD = "{page}"
PAGES_FIELD = "{pages}"


def escape_braces(text: str) -> str:
    """``text`` as literal running text: every brace doubled, so no part of it is read as a page field."""
    return text.replace("{", "{{").replace("}", "}}")


@dataclass
class Document:
    """The whole tree."""

    meta: DocMeta
    blocks: list[Block]


# ----------------------------------------------------------------------------- helpers

_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (Text, Strong, Emph, Link, Colored, Note, Heading, Para, BulletList, Cell, Table,
                PageBreak, DocMeta, Document)
}


def to_dict(node: Any) -> Any:
    """Serialise a node (or list of nodes) to JSON-ready data with a ``type`` key per node."""
    if isinstance(node, list):
        return [to_dict(n) for n in node]
    if type(node).__name__ in _TYPES and hasattr(node, "__dataclass_fields__"):
        out = {"type": type(node).__name__}
        for f in fields(node):
            out[f.name] = to_dict(getattr(node, f.name))
        return out
    return node


def from_dict(data: Any) -> Any:
    """Rebuild nodes from ``to_dict`` output."""
    if isinstance(data, list):
        return [from_dict(d) for d in data]
    if isinstance(data, dict) and "type" in data:
        cls = _TYPES[data["type"]]
        return cls(**{k: from_dict(v) for k, v in data.items() if k != "type"})
    return data


def plain_text(inlines: list[Inline], *, notes: bool = False) -> str:
    """The text of some inlines (note content only when ``notes`` is true)."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Note):
            if notes:
                out.append(" ".join(plain_text(p) for p in node.paragraphs))
        else:
            out.append(plain_text(node.children, notes=notes))
    return "".join(out)


def walk_notes(blocks: list[Block]):
    """Yield every Note in reading order (body order; table cells row by row)."""
    for block in blocks:
        if isinstance(block, (Heading, Para)):
            yield from _inline_notes(block.children)
        elif isinstance(block, BulletList):
            for item in block.items:
                yield from walk_notes(item)
        elif isinstance(block, Table):
            if block.caption:
                yield from _inline_notes(block.caption)
            for row in [*block.header, *block.rows]:
                for cell in row:
                    yield from walk_notes(cell.blocks)


def _inline_notes(inlines: list[Inline]):
    for node in inlines:
        if isinstance(node, Note):
            yield node
        elif not isinstance(node, Text):
            yield from _inline_notes(node.children)


def T(text: str) -> Text:
    """Shorthand for ``Text(text)``."""
    return Text(text)
