"""Writers: one module per output format, each ``write(doc, options) -> bytes``; loaded lazily."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from briefgen.outline import Document
from briefgen.writers._shared import marking_line, tlp_colour

__all__ = ["REGISTRY", "RenderOptions", "writer_for", "suffix_for", "marking_line", "tlp_colour"]

# format name -> (module under briefgen.writers that defines ``write``, file suffix)
REGISTRY: dict[str, tuple[str, str]] = {
    "docx": ("docx.writer", ".docx"),
    "pdf": ("pdf.writer", ".pdf"),
    "md": ("markdown", ".md"),
}


@dataclass
class RenderOptions:
    """How a writer should lay out the tree; templates fill these in, defaults suit a policy brief."""

    reference_docx: Path | None = None  # Word styles, page size, margins, headers/footers
    page_size: str | None = None  # 'letter' | 'a4' | None (Word: from the reference document; PDF: letter)
    margins_mm: tuple[float, float, float, float] | None = None  # top, right, bottom, left
    fonts: dict[str, Path] = field(default_factory=dict)  # PDF TTFs: regular, bold, italic, bolditalic
    colors: dict[str, str] = field(default_factory=dict)  # e.g. heading, accent, rule ('#RRGGBB')
    logo: Path | None = None
    notes: str = "footnotes"  # 'footnotes' | 'endnotes'
    text_size_pt: float | None = None  # PDF body text size; every PDF text style scales with it (Word: reference.docx)


def writer_for(fmt: str) -> Callable[[Document, RenderOptions], bytes]:
    """The ``write`` function of a format; raises KeyError for an unknown format."""
    module, _ = REGISTRY[fmt]
    return importlib.import_module(f"briefgen.writers.{module}").write


def suffix_for(fmt: str) -> str:
    """The file suffix of a format, e.g. '.docx'."""
    return REGISTRY[fmt][1]
