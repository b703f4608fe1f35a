"""What every writer shares: dispatch on node type, the marking line, TLP colours and page fields.

Writers see only the outline; these helpers read only the outline (and plain strings), so the
email body, which renders from the brief, uses the same colours and marking words.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, Callable, Generic, Mapping, TypeVar, get_args

from briefgen import outline

T = TypeVar("T")

# Every node type a writer must handle: the outline's Block and Inline unions.
BLOCK_TYPES: tuple[type, ...] = get_args(outline.Block)
INLINE_TYPES: tuple[type, ...] = get_args(outline.Inline)


class Dispatch(Generic[T]):
    """A writer's handlers by node type; a node type without a handler fails loudly with a TypeError."""

    def __init__(self, writer: str, kind: str, handlers: Mapping[type, Callable[..., T]]):
        self.writer, self.kind, self.handlers = writer, kind, dict(handlers)

    def __call__(self, node: Any, *args: Any, **kwargs: Any) -> T:
        """The handler's result for ``node``."""
        handler = self.handlers.get(type(node))
        if handler is None:
            raise TypeError(f"the {self.writer} writer cannot render a {type(node).__name__} {self.kind}")
        return handler(node, *args, **kwargs)

    def handles(self) -> frozenset[type]:
        """The node types this dispatch has a handler for."""
        return frozenset(self.handlers)


# TLP 2.0 label colours (the label is drawn in its colour on black).
TLP_COLOURS: dict[str, str] = {
    "TLP:RED": "#FF2B2B",
    "TLP:AMBER": "#FFC000",
    "TLP:AMBER+STRICT": "#FFC000",
    "TLP:GREEN": "#33FF00",
    "TLP:CLEAR": "#FFFFFF",
}


def tlp_colour(label: str) -> str:
    """The '#RRGGBB' colour of a TLP label (white for a label TLP 2.0 does not define)."""
    return TLP_COLOURS.get(label, "#FFFFFF")


def marking_line(meta: outline.DocMeta) -> str:
    """The document's handling marking as one line: banner, then TLP label ('' when unmarked)."""
    return "  ".join(value for value in (meta.banner, meta.tlp) if value)


# Placeholders in running heads and feet that each writer turns into its own page numbers. In the
# outline's header and footer text a literal brace is written twice ("{{", "}}"), as in Python format
# strings, so brief text that happens to read "{page}" stays text (compose escapes it).
PAGE = outline.PAGE_FIELD
PAGES = outline.PAGES_FIELD
escape_braces = outline.escape_braces
_FURNITURE_TOKENS = re.compile(r"\{\{|\}\}|\{page\}|\{pages\}")


class PageField(Enum):
    """A page-number field in running text: this page's number, or the number of pages."""

    PAGE = outline.PAGE_FIELD
    PAGES = outline.PAGES_FIELD


def split_page_fields(text: str) -> list[str | PageField]:
    """Running text cut into literal strings (braces undoubled) and PageField pieces."""
    pieces: list[str | PageField] = []
    literal: list[str] = []
    pos = 0
    for match in _FURNITURE_TOKENS.finditer(text):
        literal.append(text[pos:match.start()])
        token = match.group()
        if token in ("{{", "}}"):
            literal.append(token[0])
        else:
            if "".join(literal):
                pieces.append("".join(literal))
            literal = []
            pieces.append(PageField(token))
        pos = match.end()
    literal.append(text[pos:])
    if "".join(literal):
        pieces.append("".join(literal))
    return pieces


def fill_page_fields(text: str | list[str | PageField], page: int, pages: int | None) -> str:
    """Running text (or its pieces) with the page number and page count (empty while unknown) filled in."""
    pieces = split_page_fields(text) if isinstance(text, str) else text
    values = {PageField.PAGE: str(page), PageField.PAGES: str(pages) if pages is not None else ""}
    return "".join(values[p] if isinstance(p, PageField) else p for p in pieces)
