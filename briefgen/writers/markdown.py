"""Markdown writer: outline.Document → pandoc-flavoured Markdown with ``[^n]`` notes.

User text is escaped so that pandoc reads it back as the same literal text: markup-like input
(``*``, ``[``, ``<b>``, ``#``, ``@cite``, ``$x$``, ``1.`` at a line start…) never turns into markup.
Tables become pipe tables (one line per row), so a cell's paragraphs are joined with spaces.
"""

from __future__ import annotations

import re

from briefgen import outline as o
from briefgen.textsafe import clean
from briefgen.writers import RenderOptions
from briefgen.writers._shared import Dispatch, marking_line

# ASCII punctuation pandoc's Markdown gives a meaning to somewhere inside a line.
_ESCAPE = re.compile(r"([\\`*_{}\[\]<>#|~^$@&])")
# At the start of a paragraph: list markers, block quotes, definition/heading/table starts.
_LINE_START = re.compile(r"^(\(?[A-Za-z0-9]{1,9})([.)])(?=\s|$)|^([-+:=%])")
_SPACE = re.compile(r"\s+")


def escape(text: str) -> str:
    """Literal text as Markdown: whitespace runs become one space and markup characters are escaped."""
    return _ESCAPE.sub(r"\\\1", _SPACE.sub(" ", clean(text)))


def _protect_start(line: str) -> str:
    """Escape what would make the start of a paragraph a list item, quote or heading."""
    match = _LINE_START.match(line)
    if not match:
        return line
    if match.group(2):
        return f"{match.group(1)}\\{match.group(2)}{line[match.end():]}"
    return "\\" + line


def write(doc: o.Document, options: RenderOptions | None = None) -> bytes:
    """Render the tree as Markdown (UTF-8 bytes) with notes numbered in reading order."""
    return _Writer().render(doc).encode("utf-8")


class _Writer:
    """Renders blocks to Markdown text and collects note definitions."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.block = Dispatch[str | None]("Markdown", "block", {
            o.Heading: lambda block, depth: self.heading(block),
            o.Para: lambda block, depth: self.para(block),
            o.BulletList: self.bullets,
            o.Table: lambda block, depth: self.table(block),
            o.PageBreak: lambda block, depth: None,
        })
        self.cell_block = Dispatch[str]("Markdown", "block in a table cell", {
            o.Para: lambda block: self.inlines(block.children),
            o.Heading: lambda block: f"**{self.inlines(block.children)}**",
            o.BulletList: lambda block: " ".join(f"• {self.cell_block(b)}" for item in block.items for b in item),
            o.Table: _table_in_cell,
            o.PageBreak: lambda block: "",
        })
        self.inline = Dispatch[str]("Markdown", "inline", {
            o.Text: lambda node, in_note: escape(node.text),
            o.Strong: lambda node, in_note: _wrap("**", self.inlines(node.children, in_note)),
            o.Emph: lambda node, in_note: _wrap("*", self.inlines(node.children, in_note)),
            o.Colored: lambda node, in_note: self.inlines(node.children, in_note),
            o.Link: self.link,
            o.Note: self.note,
        })

    def render(self, doc: o.Document) -> str:
        """The whole document: body blocks, then note definitions."""
        chunks: list[str] = []
        marking = marking_line(doc.meta)
        if marking and not any(isinstance(b, o.Para) and b.role == "marking" for b in doc.blocks):
            # a layout without the title block still shows how the brief may be handled
            chunks.append(f"**{escape(marking)}**")
        previous_meta = False
        for block in doc.blocks:
            text = self.block(block, 0)
            if text is None:
                continue
            is_meta = isinstance(block, o.Para) and block.role == "meta"
            if is_meta and previous_meta:
                chunks[-1] += "\\\n" + text  # title-block lines stay together (hard line breaks)
            else:
                chunks.append(text)
            previous_meta = is_meta
        for n, note in enumerate(self.notes, 1):
            chunks.append(f"[^{n}]: {note}")
        return "\n\n".join(chunks) + "\n"

    # ------------------------------------------------------------------ blocks

    def heading(self, heading: o.Heading) -> str:
        """An ATX heading one level below the document title."""
        level = min(max(heading.level, 1), 5) + 1  # level 1 is the document title
        return "#" * level + " " + self.inlines(heading.children)

    def para(self, para: o.Para) -> str:

        """A paragraph by role."""
        text = _protect_start(self.inlines(para.children))
        role = para.role
        if role == "title":
            return "# " + text
        if role == "marking":
            return f"**{text}**" if text else text
        if role == "quote":
            return "> " + text
        if role in o.PARA_ROLES:
            return text
        raise ValueError(f"the Markdown writer has no rendering for paragraph role {role!r}")

    def bullets(self, block: o.BulletList, depth: int) -> str:

        """A bulleted or numbered list; continuation blocks indented."""
        lines: list[str] = []
        for n, item in enumerate(block.items, 1):
            marker = f"{n}. " if block.ordered else "- "
            parts = [self.block(b, depth + 1) for b in item]
            parts = [p for p in parts if p is not None] or [""]
            first, rest = parts[0], parts[1:]
            entry = marker + first.replace("\n", "\n    ")
            for more in rest:  # continuation blocks are indented four spaces (pandoc's rule)
                entry += "\n\n" + "\n".join("    " + ln if ln else ln for ln in more.split("\n"))
            lines.append(entry)
        loose = any(len(item) > 1 for item in block.items)
        return ("\n\n" if loose else "\n").join(lines)

    def table(self, table: o.Table) -> str:

        """A pipe table (first header row as the header) with its caption."""
        n_cols = max((len(r) for r in [*table.header, *table.rows]), default=0)
        if not n_cols:
            return ""
        header = table.header[-1] if table.header else []
        extra_header = table.header[:-1]

        def cells(row: list[o.Cell]) -> str:

            """One pipe-table row."""
            out = []
            for i in range(n_cols):
                cell = row[i] if i < len(row) else o.Cell([])
                out.append(" ".join(t for b in cell.blocks if (t := self.cell_block(b))))
            return "| " + " | ".join(out) + " |"

        aligns = []
        first_row = table.rows[0] if table.rows else header
        for i in range(n_cols):
            align = first_row[i].align if i < len(first_row) else "left"
            aligns.append({"center": ":---:", "right": "---:"}.get(align, "---"))
        lines = [cells(header), "| " + " | ".join(aligns) + " |"]
        lines += [cells(r) for r in [*extra_header, *table.rows]]
        text = "\n".join(lines)
        if table.caption:
            text += "\n\nTable: " + self.inlines(table.caption)
        return text


    # ------------------------------------------------------------------ inlines

    def inlines(self, inlines: list[o.Inline], in_note: bool = False) -> str:
        """Markdown for a run of inlines."""
        return "".join([self.inline(node, in_note) for node in inlines])

    def link(self, link: o.Link, in_note: bool) -> str:

        """A link; an address shown as itself becomes an autolink."""
        url = re.sub(r"[\s()<>]", lambda match: f"%{ord(match.group()):02X}", clean(link.url))
        label = o.plain_text(link.children)
        if label == link.url and url:
            return f"<{url}>"
        return f"[{self.inlines(link.children, in_note)}]({url})"

    def note(self, note: o.Note, in_note: bool = False) -> str:
        """Register a note and return its call; the definition goes at the end of the document."""
        if in_note:
            raise ValueError("a note cannot contain another note")
        paragraphs = [self.inlines(p, in_note=True) for p in note.paragraphs] or [""]
        paragraphs = [_protect_start(p) for p in paragraphs]
        self.notes.append("\n\n    ".join(paragraphs))
        return f"[^{len(self.notes)}]"


def _table_in_cell(block: o.Table) -> str:
    raise TypeError("the Markdown writer cannot put a table inside a table cell")


def _wrap(mark: str, text: str) -> str:
    """Emphasis delimiters hugging the text (spaces moved outside, or Markdown would not close them)."""
    core = text.strip(" ")
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip(" "))]
    trail = text[len(text.rstrip(" ")):]
    return f"{lead}{mark}{core}{mark}{trail}"
