"""PDF writer: the outline tree laid out with ReportLab, footnotes at the foot of the citing page.

The writer knows node types only (headings, paragraphs by role, lists, tables, notes), never
sections. Notes are numbered in reading order; ``_pdf_notes`` keeps each note on the page of its
marker. Fonts are the DejaVu TTFs shipped in ``briefgen/fonts`` (or ``RenderOptions.fonts``), all
subset-embedded. Output is byte-reproducible (ReportLab invariant mode; ``SOURCE_DATE_EPOCH``,
else the document date, sets the PDF dates).
"""

from __future__ import annotations

import io
import os
import re
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LEGAL, LETTER
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase import ttfonts as _ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate, PageBreakIfNotEmpty, PageTemplate
from reportlab.platypus.flowables import CondPageBreak, Flowable, HRFlowable

from briefgen import outline as o
from briefgen.errors import InputError
from briefgen.writers import RenderOptions
from briefgen.writers._shared import Dispatch, PageField, escape_braces, fill_page_fields, split_page_fields, tlp_colour
from briefgen.writers.pdf.markup import clean, safe_color
from briefgen.writers.pdf.measure import fit_with_ellipsis, tall_row_table
from briefgen.writers.pdf.notes import NoteFrame, NoteLog, NotesFlush, NoteStyle, notes_of
from briefgen.writers.pdf.text import Face, RichPara, Run, RunContext, TextStyle, runs_for

FONT_DIR = Path(__file__).resolve().parents[2] / "fonts"
# The house face is Carlito (SIL OFL, metric-compatible with Calibri, the face reference.docx names),
# so the PDF and the Word file set the same words in the same widths; DejaVu covers the scripts
# Carlito lacks (Carlito has Latin, Greek and Cyrillic).
DEFAULT_FONTS = {
    "regular": FONT_DIR / "Carlito-Regular.ttf",
    "bold": FONT_DIR / "Carlito-Bold.ttf",
    "italic": FONT_DIR / "Carlito-Italic.ttf",
    "bolditalic": FONT_DIR / "Carlito-BoldItalic.ttf",
    "sans": FONT_DIR / "Carlito-Regular.ttf",
    "sansbold": FONT_DIR / "Carlito-Bold.ttf",
}
FALLBACK_FONTS = {
    "regular": FONT_DIR / "DejaVuSansCondensed.ttf",
    "bold": FONT_DIR / "DejaVuSansCondensed-Bold.ttf",
}
DEFAULT_COLORS = {
    "heading": "#1F3864",
    "accent": "#1F3864",
    "rule": "#8A94A6",
    "link": "#1F4E8C",
    "text": "#1A1A1A",
    "muted": "#404040",
    "zebra": "#F3F5F8",
    "grid": "#B4BCC8",
}

DEFAULT_MARGINS_MM = (20, 20, 20, 20)  # top, right, bottom, left: those of reference.docx
TABLE_RUN = 200  # body rows per reportlab table (see _Builder.table)
ITEM_WHOLE_LINES = 12  # a list item up to this long moves whole to the next page; a longer one splits
# Smaller files: binary rather than ASCII85 streams (a quarter smaller), and no ASCII pre-fill
# of the first font subset. Set only while this writer builds, then restored.
_RL_SETTINGS = {"useA85": 0, "ttfAsciiReadable": 0, "invariant": 1}


@dataclass
class PdfResult:
    """The PDF bytes plus what the layout recorded about notes and pages."""

    data: bytes
    pages: int
    log: NoteLog = field(default_factory=NoteLog)
    notes: int = 0


def write(doc: o.Document, options: RenderOptions | None = None) -> bytes:
    """Render ``doc`` as PDF bytes."""
    return render(doc, options).data


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """A ToUnicode CMap for a font subset, with characters beyond U+FFFF as UTF-16 pairs.

    ReportLab writes every code point as plain hex, so an emoji or a mathematical letter came out
    as an odd-length string that readers reject: the glyph was drawn but its text was lost.
    """
    def utf16(code: int) -> str:
        return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()

    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        f"/CIDSystemInfo << /Registry ({fontname}) /Ordering ({fontname}) /Supplement 0 >> def",
        f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{utf16(code)}>" for i, code in enumerate(subset)),
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ]
    return "\n".join(lines)


_ttfonts.makeToUnicodeCMap = _to_unicode_cmap


def _room_for_numbers(style: TextStyle, last: int) -> TextStyle:
    """The list style with its text indented past the widest number ('10.', '100.') and a gap."""
    if last < 1:
        return style
    widest = pdfmetrics.stringWidth(f"{last}.", style.face.regular, style.size)
    return style.but(left_indent=max(style.left_indent, style.bullet_indent + widest + 0.45 * style.size))


def warm_up(options: RenderOptions | None = None) -> None:
    """Load the fonts a later ``write`` with these options will use (pays the fixed costs early)."""
    _fonts(options or RenderOptions())


# ----------------------------------------------------------------------------- fonts

_REGISTERED: dict[str, str] = {}


def _font(path: Path) -> str:
    """Register a TTF once per process and return its ReportLab font name."""
    key = str(Path(path).resolve())
    name = _REGISTERED.get(key)
    if name is None:
        if not Path(key).is_file():
            raise FileNotFoundError(f"font file not found: {path}")
        name = f"bg-{Path(key).stem}-{zlib.crc32(key.encode()):08x}"
        try:
            font = TTFont(name, key, asciiReadable=0)
        except Exception as exc:  # ReportLab raises many kinds for a damaged font
            raise InputError(f"font {path} is unreadable (a damaged or incomplete TrueType file: "
                             f"{type(exc).__name__})") from None
        pdfmetrics.registerFont(font)
        _REGISTERED[key] = name
    return name


@dataclass
class _Fonts:
    regular: str
    bold: str
    italic: str
    bolditalic: str
    sans: str
    sansbold: str
    fallback: str = ""
    fallbackbold: str = ""


def _fonts(options: RenderOptions) -> _Fonts:
    paths = dict(DEFAULT_FONTS)
    custom = {k.lower(): Path(v) for k, v in (options.fonts or {}).items()}
    unknown = set(custom) - set(paths)
    if unknown:
        raise ValueError(f"unknown font role(s) {sorted(unknown)}; expected {sorted(paths)}")
    paths.update(custom)
    return _Fonts(**{role: _font(p) for role, p in paths.items()},
                  fallback=_font(FALLBACK_FONTS["regular"]), fallbackbold=_font(FALLBACK_FONTS["bold"]))


# ----------------------------------------------------------------------------- styles


class _Styles:
    """Text styles for every paragraph role, heading level, table cell and note."""

    def __init__(self, fonts: _Fonts, colours: dict[str, str]):
        H = colors.HexColor
        # a glyph the house face lacks comes from DejaVu (wide coverage, shipped alongside)
        last = Face(fonts.fallback, fonts.fallbackbold, fonts.fallback, fonts.fallbackbold)
        sans = Face(fonts.sans, fonts.sansbold, fonts.sans, fonts.sansbold, fallback=last)
        serif = Face(fonts.regular, fonts.bold, fonts.italic, fonts.bolditalic, fallback=last)
        self.serif, self.sans = serif, sans
        link = H(colours["link"])
        text, head, muted = H(colours["text"]), H(colours["heading"]), H(colours["muted"])
        # sizes and spacing are those of the styles in reference.docx (one house style in both formats)
        base = TextStyle(serif, size=9.5, leading=11.6, color=text, space_after=3.5, link_color=link)
        self.body = base
        self.roles = {
            "body": base,
            "title": base.but(face=sans, bold=True, size=20, leading=24, color=head, space_after=4),
            "subtitle": base.but(italic=True, size=12, leading=14.6, color=muted, space_after=6),
            "meta": base.but(face=sans, size=9, leading=11, color=muted, space_after=1),
            "marking": base.but(face=sans, bold=True, size=9, leading=12, space_after=3),
            "caption": base.but(bold=True, italic=True, size=9, leading=11.5, color=head, space_before=6,
                                space_after=4),
            "small": base.but(size=8.5, leading=10.4, color=muted, space_after=4),
            "bibliography": base.but(left_indent=36, first_indent=-36, space_after=4),
            "quote": base.but(italic=True, size=9, leading=12.6, left_indent=18, right_indent=18),
        }
        self.headings = {
            1: base.but(face=sans, bold=True, size=13, leading=16, color=head, space_before=8, space_after=3),
            2: base.but(face=sans, bold=True, size=11, leading=13.4, color=head, space_before=6, space_after=2),
            3: base.but(face=sans, bold=True, size=9.8, leading=13, color=H("#2B2F36"), space_before=8,
                        space_after=2),
        }
        self.list_item = base.but(space_after=2.0, left_indent=18, bullet_indent=3)
        # every table cell, however many columns its table has: reference.docx's "Table Text" (8.5 pt)
        self.cell = base.but(face=sans, size=8.5, leading=10.4, space_after=0)
        self.cell_head = base.but(face=sans, bold=True, size=8.5, leading=10.4, color=colors.white, space_after=0)
        self.note = base.but(size=7.5, leading=9.5, left_indent=12, bullet_indent=0, space_after=0)
        self.note_more = self.note.but(space_before=1.5)
        self.note_cont = base.but(italic=True, size=6.6, leading=8.4, color=muted, align="right", space_after=0)
        self.endnote = base.but(size=8.3, leading=11, left_indent=16, space_after=3)

    def scaled(self, factor: float) -> _Styles:
        """The same styles with sizes, leading and spacing multiplied by ``factor`` (indents kept)."""
        def one(st: TextStyle) -> TextStyle:
            return st.but(size=st.size * factor, leading=st.leading * factor,
                          space_before=st.space_before * factor, space_after=st.space_after * factor)

        for name, value in list(vars(self).items()):
            if isinstance(value, TextStyle):
                setattr(self, name, one(value))
            elif isinstance(value, dict):
                setattr(self, name, {k: one(v) for k, v in value.items()})
        return self


# ----------------------------------------------------------------------------- flowables


def _figure(t: o.Table) -> bool:
    """A table read as a figure (stance matrix, heat map, key): kept whole with its caption and legend."""
    return t.kind in ("matrix", "heatmap", "key") and len(t.header) + len(t.rows) <= 40


class FramedTable(Flowable):
    """A table with the caption above it and the legend under it, neither alone on a page: a break
    comes between rows, at least the first row stays with the caption and at least the last row
    moves over with the legend."""

    def __init__(self, caption: Flowable | None, table: Table, legend: Flowable | None):
        super().__init__()
        self.caption, self.table, self.legend = caption, table, legend
        # what notes_of walks for the note markers drawn
        self._content = [f for f in (caption, table, legend) if f is not None]
        self.cap_gap = max(caption.getSpaceAfter(), table.getSpaceBefore()) if caption is not None else 0.0
        self.leg_gap = max(table.getSpaceAfter(), legend.getSpaceBefore()) if legend is not None else 0.0
        self.spaceBefore = (caption or table).getSpaceBefore()
        self.spaceAfter = (legend or table).getSpaceAfter()

    def wrap(self, availWidth, availHeight):
        """The caption's, the table's and the legend's heights with the gaps between them."""
        self.ch = self.caption.wrap(availWidth, availHeight)[1] if self.caption is not None else 0.0
        self.lh = self.legend.wrap(availWidth, availHeight)[1] if self.legend is not None else 0.0
        self.tw, self.th = self.table.wrap(availWidth, availHeight)
        self.width, self.height = availWidth, self.ch + self.cap_gap + self.th + self.leg_gap + self.lh
        return self.width, self.height

    def draw(self):
        """Caption, table and legend from the top down, the table at its own alignment."""
        x = (self.width - self.tw) / 2 if str(getattr(self.table, "hAlign", "")).upper() == "CENTER" else 0
        if self.legend is not None:
            self.legend.drawOn(self.canv, 0, 0)
        self.table.drawOn(self.canv, x, self.lh + self.leg_gap)
        if self.caption is not None:
            self.caption.drawOn(self.canv, 0, self.height - self.ch)

    def split(self, availWidth, availHeight):
        """The caption and the rows that fit here, the other rows and the legend after them; []
        (all to the next page) when the caption would keep no row or the legend none; itself when
        it fits."""
        self.wrap(availWidth, availHeight)
        if self.height <= availHeight:
            return [self]  # as a table that fits does (the note frame then asks again with less room)
        room = availHeight - self.ch - self.cap_gap
        if self.legend is not None:
            room = min(room, self.th - 1.0)  # the last row never stays behind without the legend
        parts = self.table.split(availWidth, room)
        if len(parts) < 2:
            frame = getattr(self, "_frame", None)
            if not getattr(frame, "_atTop", False):
                return []
            # a fresh page cannot hold them together: break as a table alone would
            parts = self.table.split(availWidth, availHeight - self.ch - self.cap_gap)
            if len(parts) < 2:
                if self.th + self.ch + self.cap_gap > availHeight or self.legend is None:
                    return []
                return [FramedTable(self.caption, self.table, None), self.legend]
        return [FramedTable(self.caption, parts[0], None), FramedTable(None, parts[1], self.legend)]


class _Builder:
    """Turns outline blocks into flowables, numbering notes in reading order."""

    table_class: type = Table  # render() sets a class that can split an overtall row
    page_room: float = 600.0  # render() sets the body frame's height

    def __init__(self, doc: o.Document, options: RenderOptions, fonts: _Fonts, colours: dict[str, str],
                 width: float, log: NoteLog):
        self.doc = doc
        self.options = options
        self.fonts = fonts
        self.colours = colours
        self.styles = _Styles(fonts, colours)
        if options.text_size_pt:
            self.styles = self.styles.scaled(options.text_size_pt / self.styles.body.size)
        self.width = width
        self.log = log
        self.notes: list[o.Note] = []
        self.endnotes = (options.notes or "footnotes") == "endnotes"
        self.keys: set[str] = set()
        self.ctx = RunContext(on_note=self._number, link_color=colors.HexColor(colours["link"]))
        self.note_ctx = RunContext(on_note=None, link_color=self.ctx.link_color)
        self.block = Dispatch[list[Flowable]]("PDF", "block", {
            o.Heading: lambda heading, indent=0.0: self.heading(heading),
            o.Para: self.paragraph,
            o.BulletList: self.bullets,
            o.Table: lambda table, indent=0.0: self.table(table),
            o.PageBreak: lambda block, indent=0.0: [PageBreakIfNotEmpty()],
        })

    def _marker_drawn(self, canv, number: int, rect: tuple) -> None:
        self.log.marker_pages.setdefault(number, canv.getPageNumber())
        if self.endnotes:
            canv.linkRect("", f"fnn{number}", rect, relative=0, thickness=0)
        else:
            self.log.pending.append((number, rect))  # linked at the page end, once the note is placed

    def para(self, runs: list[Run], style: TextStyle, bullet: str = "", *, keep: int = 2,
             whole: int = 0) -> RichPara:
        """A paragraph flowable that reports where its note markers land; a page break leaves at
        least ``keep`` of its lines on either side, and one of ``whole`` lines or fewer never splits."""
        return RichPara(runs, style, bullet, note_cb=self._marker_drawn, keep=keep, whole=whole)

    # -- notes

    def _number(self, note: o.Note) -> int:
        self.notes.append(note)
        return len(self.notes)

    def note_flowables(self, n: int, style: TextStyle | None = None, bullet: str | None = None) -> list[Flowable]:
        """Paragraphs of note ``n``: the number hangs in the margin; the first holds the link target."""
        note = self.notes[n - 1]
        style = style or self.styles.note
        paras = note.paragraphs or [[]]
        first = [Run("", style.face.regular, style.size, anchor=f"fnn{n}")] if self.endnotes else []
        first += runs_for(paras[0], style, self.note_ctx)
        out: list[Flowable] = [RichPara(first, style, f"{n}" if bullet is None else bullet)]
        more = style.but(space_before=1.5) if style is self.styles.note else style
        out.extend(RichPara(runs_for(p, more, self.note_ctx), more) for p in paras[1:])
        return out

    def fit_note_numbers(self) -> None:
        """Widen the hanging indent of notes so that the largest number clears the text."""
        for name in ("note", "endnote"):
            st = getattr(self.styles, name)
            widest = pdfmetrics.stringWidth(str(len(self.notes)) + ("." if name == "endnote" else ""),
                                            st.face.regular, st.size)
            setattr(self.styles, name, st.but(left_indent=max(st.left_indent, widest + 4.5)))

    def continued_label(self) -> Flowable:
        """The small line under a note that runs onto the next page."""
        st = self.styles.note_cont
        return RichPara([Run("continued on next page \u2192", st.face.italic, st.size, st.color)], st)

    # -- blocks

    def runs(self, nodes: list[o.Inline], style: TextStyle) -> list[Run]:
        """Runs for body inlines (notes become numbered markers)."""
        return runs_for(nodes, style, self.ctx)

    def blocks(self, blocks: list[o.Block]) -> list[Flowable]:
        """Flowables for a list of blocks."""
        out: list[Flowable] = []
        in_title = False
        flows = [self.block(block) for block in blocks]
        # a heading keeps with what follows: its conditional break asks for its own room plus the
        # room the next block asks for (another heading, a caption with its table's first row)
        for k in range(len(blocks) - 2, -1, -1):
            if isinstance(blocks[k], o.Heading) and flows[k + 1] and isinstance(flows[k + 1][0], CondPageBreak):
                own, para = flows[k][0], flows[k][1]
                need = para.wrap(self.width, 1e6)[1] + para.spaceBefore + flows[k + 1][0].height
                # never more than a page holds: a break asked for at the top of a page would leave it empty
                own.height = max(own.height, min(need, self.page_room * 0.9))
        # a legend (small print right after a table) goes on the page of the table's last row; a figure
        # is kept whole with its legend already, and a legend over a third of a page could never move
        for k in range(len(blocks) - 1):
            if (isinstance(blocks[k], o.Table) and isinstance(blocks[k + 1], o.Para) and blocks[k + 1].role == "small"
                    and not _figure(blocks[k]) and flows[k] and isinstance(flows[k][-1], (Table, FramedTable))
                    and len(flows[k + 1]) == 1
                    and flows[k + 1][0].wrap(self.width, 1e6)[1] < self.page_room / 3):
                last = flows[k][-1]
                if isinstance(last, FramedTable):
                    flows[k][-1] = FramedTable(last.caption, last.table, flows[k + 1][0])
                else:
                    flows[k][-1] = FramedTable(None, last, flows[k + 1][0])
                flows[k + 1] = []
        for block, block_flows in zip(blocks, flows):
            is_title = isinstance(block, o.Para) and block.role in ("title", "subtitle", "meta", "marking")
            if in_title and not is_title:
                out.append(Spacer(1, 4))
                out.append(HRFlowable(width="100%", thickness=1.6, color=colors.HexColor(self.colours["accent"]),
                                      spaceBefore=2, spaceAfter=10))
            in_title = is_title
            out.extend(block_flows)
        return out

    def paragraph(self, block: o.Para, indent: float = 0.0) -> list[Flowable]:
        """A paragraph in the style of its role (a caption keeps room for the table below it)."""
        style = self.styles.roles.get(block.role)
        if style is None:
            raise ValueError(f"unknown paragraph role {block.role!r}")
        if indent:
            style = style.but(left_indent=style.left_indent + indent)
        flows: list[Flowable] = []
        if block.role == "caption":
            flows.append(CondPageBreak(90))
        flows.append(self.para(self.runs(block.children, style), style))
        return flows

    def heading(self, h: o.Heading) -> list[Flowable]:
        """A heading kept with what follows, with a bookmark."""
        level = min(max(int(h.level), 1), 3)
        key = self._key(h.anchor or o.plain_text(h.children))
        title = clean(o.plain_text(h.children)).strip() or " "
        style = self.styles.headings[level]
        runs = [Run("", style.face.bold, style.size, anchor=key)] + self.runs(h.children, style)
        para = self.para(runs, style)
        para.bg_outline = (title, key, level)
        return [CondPageBreak(style.leading + style.space_before + 4 * self.styles.body.leading), para]

    def _key(self, raw: str) -> str:
        base = "h-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", clean(raw)).strip("-")[:40] or "x")
        key, i = base, 1
        while key in self.keys:
            i += 1
            key = f"{base}-{i}"
        self.keys.add(key)
        return key

    def bullets(self, lst: o.BulletList, indent: float = 0.0) -> list[Flowable]:
        """List items as hanging paragraphs; nested lists indent further."""
        out: list[Flowable] = []
        li = self.styles.list_item
        style = _room_for_numbers(li.but(left_indent=li.left_indent + indent, bullet_indent=li.bullet_indent + indent),
                                  len(lst.items) if lst.ordered else 0)
        for i, item in enumerate(lst.items, start=1):
            bullet = f"{i}." if lst.ordered else "\u2022"
            first = True
            for block in item:
                if first and isinstance(block, o.Para):
                    out.append(self.para(self.runs(block.children, style), style, bullet, whole=ITEM_WHOLE_LINES))
                elif isinstance(block, o.BulletList):
                    out.extend(self.bullets(block, indent + 14))
                elif isinstance(block, o.Para):
                    out.extend(self.block(block, indent + 14))
                else:
                    out.extend(self.block(block))
                first = False
            if first:  # an empty item still shows its bullet
                out.append(self.para([], style, bullet))
        return out

    def cell_flowables(self, cell: o.Cell, header: bool) -> list[Flowable]:
        """Paragraphs for a table cell, in its colour and alignment."""
        style = self.styles.cell_head if header else self.styles.cell
        color = safe_color(cell.color)
        if header and cell.fill and not color:
            color = self.colours["text"]
        style = style.but(align=cell.align if cell.align in ("left", "center", "right") else "left")
        if color:
            style = style.but(color=colors.HexColor(color))
        out: list[Flowable] = []
        for block in cell.blocks:
            if isinstance(block, o.Para):
                # rows never split (a row taller than a page splits between any lines)
                out.append(self.para(self.runs(block.children, style), style, keep=1))
            elif isinstance(block, o.BulletList):
                li = _room_for_numbers(style.but(left_indent=9, bullet_indent=0),
                                       len(block.items) if block.ordered else 0)
                for i, item in enumerate(block.items, start=1):
                    for b in item:
                        if not isinstance(b, o.Para):
                            raise TypeError(f"the PDF writer does not handle {type(b).__name__} in a table list")
                        out.append(self.para(self.runs(b.children, li), li, f"{i}." if block.ordered else "\u2022",
                                             keep=1))
            else:
                raise TypeError(f"the PDF writer does not handle {type(block).__name__} in a table cell")
        return out

    def table(self, t: o.Table) -> list[Flowable]:
        """A table: grid (positions, options), heatmap (coloured risk matrix) or key."""
        out: list[Flowable] = []
        caption = None
        if t.caption:
            out.append(CondPageBreak(90))
            cap = self.styles.roles["caption"]
            caption = self.para(self.runs(t.caption, cap), cap)
            out.append(caption)
        rows = [*t.header, *t.rows]
        if not rows:
            return out
        ncols = max(len(r) for r in rows)
        nh = len(t.header)
        flowables = [[self.cell_flowables(row[ci] if ci < len(row) else o.Cell(blocks=[]), r < nh)
                      for ci in range(ncols)] for r, row in enumerate(rows)]
        # A long table goes in runs of TABLE_RUN rows, each repeating the header: reportlab re-measures and
        # re-styles every remaining row at each page break, so one 4,000-row table would cost minutes.
        body = range(nh, len(rows))
        runs = [body[i:i + TABLE_RUN] for i in range(0, len(body), TABLE_RUN)] or [body]
        for n, run in enumerate(runs):
            picked = [*range(nh), *run]
            out.append(self._table_run(t, [rows[r] for r in picked], [flowables[r] for r in picked], nh, ncols,
                                       first=n == 0, last=n == len(runs) - 1))
        figure = _figure(t)
        if figure and t.kind != "key":
            # a figure stays with its caption and its legend or key (these tables carry no notes, so
            # keeping is safe; a key is kept whole by the room its caption asks for, which costs less)
            out[-1].keepWithNext = True
            if caption is not None:
                caption.keepWithNext = True
        if caption is not None and len(rows) > nh:
            # the caption keeps room for the header and the first row, however tall that row is (up
            # to half a page: a taller row splits anyway), or for a whole figure and two lines of legend
            if figure:
                table_h = out[-1].wrap(self.width, 1e6)[1] + 2 * self.styles.roles["small"].leading
            else:
                probe = self._table_run(t, rows[:nh + 1], flowables[:nh + 1], nh, ncols, first=True, last=False)
                # the first row's notes go to the foot of the same page: they need room there too
                table_h = probe.wrap(self.width, 1e6)[1]
                first_notes = notes_of(probe)
                if first_notes:
                    band = NoteStyle()
                    table_h += band.rule_gap_above + band.rule_gap_below + sum(
                        band.note_gap + sum(f.wrap(self.width, 1e6)[1] for f in self.note_flowables(n))
                        for n in first_notes)
            need = table_h + caption.wrap(self.width, 1e6)[1] + caption.spaceBefore + 8
            out[0] = CondPageBreak(max(90.0, min(need, self.page_room * (0.9 if figure else 0.5))))
        if caption is not None and not figure and len(out) > 2:
            out[1:3] = [FramedTable(caption, out[2], None)]  # the caption never stays behind alone
        return out

    def _table_run(self, t: o.Table, rows: list[list[o.Cell]], data: list[list[list[Flowable]]], nh: int,
                   ncols: int, first: bool, last: bool) -> Flowable:
        """One reportlab table for the header rows and a run of body rows (zebra stripes by body row)."""
        cmds: list[tuple] = [
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.regular),
            ("FONTSIZE", (0, 0), (-1, -1), 8.2),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
        grid = colors.HexColor(self.colours["grid"])
        accent = colors.HexColor(self.colours["accent"])
        for r, row in enumerate(rows):
            header = r < nh
            for ci in range(ncols):
                cell = row[ci] if ci < len(row) else o.Cell(blocks=[])
                fill = safe_color(cell.fill)
                if fill:
                    cmds.append(("BACKGROUND", (ci, r), (ci, r), colors.HexColor(fill)))
                elif header:
                    cmds.append(("BACKGROUND", (ci, r), (ci, r), accent))
                elif t.kind in ("grid", "matrix") and (r - nh) % 2 == 1:
                    cmds.append(("BACKGROUND", (ci, r), (ci, r), colors.HexColor(self.colours["zebra"])))
        frac = 1.0
        if t.kind == "heatmap":
            frac = 0.86
            cmds += [("GRID", (0, 0), (-1, -1), 0.8, colors.white), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                     ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
        elif t.kind == "key":
            frac = 0.86
            cmds += [("LINEBELOW", (0, 0), (-1, -1), 0.4, grid)]
        else:
            cmds += [("LINEBELOW", (0, 0), (-1, -1), 0.4, grid), ("BOX", (0, 0), (-1, -1), 0.6, grid)]
            if t.kind == "matrix":  # one short mark per cell: tight rows keep the matrix on one page
                cmds += [("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
        if nh:
            cmds.append(("LINEBELOW", (0, nh - 1), (-1, nh - 1), 1.0, accent))
        widths = list(t.widths or [])
        if len(widths) != ncols or any((w or 0) <= 0 for w in widths):
            widths = [1.0] * ncols
        total = float(sum(widths))
        col_widths = [self.width * frac * w / total for w in widths]
        return self.table_class(data, colWidths=col_widths, repeatRows=nh if nh < len(rows) else 0,
                     style=TableStyle(cmds), hAlign="CENTER" if frac < 1 else "LEFT",
                     spaceBefore=2 if first else 0, spaceAfter=10 if last else 0)

    def endnote_flowables(self) -> list[Flowable]:
        """A 'Notes' section holding every note (endnotes mode)."""
        if not self.notes:
            return []
        st = self.styles.headings[1]
        out: list[Flowable] = [CondPageBreak(80), RichPara([Run("Notes", st.face.bold, st.size)], st)]
        for n in range(1, len(self.notes) + 1):
            out.extend(self.note_flowables(n, self.styles.endnote, f"{n}."))
        return out


# ----------------------------------------------------------------------------- page furniture


class _Furniture:
    """Header and footer of every page: running text, marking banner, TLP label, page numbers.

    Text that needs the number of pages ("Page 3 of {pages}") is drawn up to ``{pages}``; the rest
    goes into a form XObject defined when the document is saved, shared by every page unless it
    also contains ``{page}``.
    """

    def __init__(self, meta: o.DocMeta, fonts: _Fonts, colours: dict[str, str], pagesize, margins,
                 logo: Path | None = None):
        self.meta = meta
        self.logo = None
        if logo is not None:
            from reportlab.lib.utils import ImageReader

            from briefgen.limits import check_image

            image = check_image(logo)  # InputError for a missing, damaged, non-PNG/JPEG or huge image
            try:
                self.logo = ImageReader(io.BytesIO(image.blob))  # the very bytes checked, read once
                self.logo.getRGBData()  # decode now: a damaged image fails here, not halfway through a page
            except Exception as exc:  # Pillow and reportlab raise many kinds for damaged images
                raise InputError(f"logo {logo} is unreadable (a damaged image: {exc})") from None
        self.fonts = fonts
        self.colours = colours
        self.w, self.h = pagesize
        self.top, self.right, self.bottom, self.left = margins
        self.header = clean(meta.header or escape_braces(meta.title or "")).strip()
        footer = clean(meta.footer or "").strip()
        if PageField.PAGE not in split_page_fields(footer):
            footer = (footer + "  \u00b7  " if footer else "") + "Page {page} of {pages}"
        self.footer = footer
        self.tlp = clean(meta.tlp or "").strip().upper()
        self.banner = clean(meta.banner or "").strip()
        self.pages = 0
        self.forms: dict[str, tuple[str, int]] = {}  # form name -> (text after {pages}, page)

    def _fit(self, text: str, font: str, size: float, width: float) -> str:
        return fit_with_ellipsis(text, font, size, width)

    def _tlp(self, canv: Canvas, y: float) -> float:
        if not self.tlp:
            return 0.0
        size = 12
        tw = pdfmetrics.stringWidth(self.tlp, self.fonts.sansbold, size)
        x1 = self.w - self.right
        canv.setFillColor(colors.black)
        canv.rect(x1 - tw - 8, y - 3.5, tw + 8, size + 4, stroke=0, fill=1)
        canv.setFillColor(colors.HexColor(tlp_colour(self.tlp)))
        canv.setFont(self.fonts.sansbold, size)
        canv.drawRightString(x1 - 4, y, self.tlp)
        return tw + 16

    def _banner(self, canv: Canvas, y: float) -> float:
        if not self.banner:
            return 0.0
        canv.setFillColor(colors.HexColor(self.colours["text"]))
        canv.setFont(self.fonts.sansbold, 10)
        canv.drawCentredString(self.w / 2, y, self.banner)
        return pdfmetrics.stringWidth(self.banner, self.fonts.sansbold, 10)

    def _text(self, canv: Canvas, template: str, y: float, page: int, room: float) -> None:
        """Draw running text at the left margin; what follows ``{pages}`` goes into a form."""
        font, size = self.fonts.sans, 8
        canv.setFont(font, size)
        canv.setFillColor(colors.HexColor(self.colours["muted"]))
        pieces = split_page_fields(template)
        cut = pieces.index(PageField.PAGES) if PageField.PAGES in pieces else len(pieces)
        head, tail = pieces[:cut], pieces[cut + 1:]
        shown = self._fit(fill_page_fields(head, page, None), font, size, room)
        canv.drawString(self.left, y, shown)
        if cut == len(pieces) or shown != fill_page_fields(head, page, None):
            return
        name = f"bgpages{page}" if PageField.PAGE in tail else "bgpages"
        self.forms.setdefault(name, (tail, page))
        canv.saveState()
        canv.translate(self.left + pdfmetrics.stringWidth(shown, font, size), y)
        canv.doForm(name)
        canv.restoreState()

    def on_page(self, canv: Canvas, doc) -> None:
        """Draw the header and footer of the page that begins."""
        page = doc.page
        self.pages = max(self.pages, page)
        canv.saveState()
        content_w = self.w - self.left - self.right
        # header (the logo, if any, on the first page only)
        hy = self.h - self.top + 9 * mm
        if self.logo is not None and page == 1:
            iw, ih = self.logo.getSize()
            h = 12 * mm
            canv.drawImage(self.logo, self.left, hy - 4, width=h * iw / ih, height=h, mask="auto")
        tlp_w = self._tlp(canv, hy)
        ban_w = self._banner(canv, hy)
        room = (content_w / 2 - ban_w / 2 - 10) if ban_w else (content_w - tlp_w - 10)
        if self.header and page > 1:
            self._text(canv, self.header, hy, page, room)
        canv.setStrokeColor(colors.HexColor(self.colours["rule"]))
        canv.setLineWidth(0.4)
        canv.line(self.left, hy - 6, self.w - self.right, hy - 6)
        # footer
        fy = self.bottom - 12 * mm
        canv.line(self.left, fy + 12, self.w - self.right, fy + 12)
        self._tlp(canv, fy)
        self._banner(canv, fy)
        self._text(canv, self.footer, fy, page, room)
        canv.restoreState()

    def finish(self, canv: Canvas) -> None:
        """Define the forms that show the number of pages, now that it is known."""
        for name, (tail, page) in sorted(self.forms.items()):
            canv.beginForm(name)
            canv.setFont(self.fonts.sans, 8)
            canv.setFillColor(colors.HexColor(self.colours["muted"]))
            canv.drawString(0, 0, str(self.pages) + fill_page_fields(tail, page, self.pages))
            canv.endForm()


def _canvas_maker(furniture: _Furniture, log: NoteLog, when: datetime | None):
    """A canvas factory: note-marker callback registered both ways, page forms defined at save."""

    class _Canvas(Canvas):
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            if when is not None:
                _set_timestamp(self, when)

        def save(self):
            if len(self._code):
                self.showPage()
            furniture.finish(self)
            super().save()

    return _Canvas


def _set_timestamp(canv: Canvas, when: datetime) -> None:
    """Use ``when`` for the PDF creation and modification dates."""
    ts = getattr(canv._doc, "_timeStamp", None)
    if ts is None:
        return
    t = when.timestamp()
    import time as _time

    lt = _time.gmtime(t)
    ts.t, ts.lt, ts.YMDhms, ts.dhh, ts.dmm, ts.tzname = t, lt, tuple(lt)[:6], 0, 0, "UTC"


def _doc_time(meta: o.DocMeta) -> datetime | None:
    """SOURCE_DATE_EPOCH wins (ReportLab reads it); else the document's ISO date; else None."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return None
    try:
        d = date.fromisoformat((meta.date or "").strip()[:10])
    except ValueError:
        return None
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)


# ----------------------------------------------------------------------------- document


class _DocTemplate(BaseDocTemplate):
    """One page template; bookmarks for headings."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._emptyPagesAllowed = 100000
        self._outline_level = -1

    def afterFlowable(self, flowable):
        """Add an outline entry after a heading has been drawn."""
        info = getattr(flowable, "bg_outline", None)
        if info:
            title, key, level = info
            lvl = min(level - 1, self._outline_level + 1)
            self._outline_level = lvl
            self.canv.addOutlineEntry(title, key, level=lvl, closed=False)


def _page_size(name: str | None):
    if not name or name.lower() in ("letter", "us-letter", "usletter"):
        return LETTER
    if name.lower() == "a4":
        return A4
    if name.lower() == "legal":
        return LEGAL
    raise ValueError(f"unknown page size {name!r}; expected 'letter', 'a4' or 'legal'")


def render(doc: o.Document, options: RenderOptions | None = None) -> PdfResult:
    """Lay ``doc`` out and return the PDF bytes with the notes' page log."""
    options = options or RenderOptions()
    if (options.notes or "footnotes") not in ("footnotes", "endnotes"):
        raise ValueError(f"unknown notes placement {options.notes!r}; expected 'footnotes' or 'endnotes'")
    # 1. resources: fonts, colours, page geometry
    fonts = _fonts(options)
    colours = dict(DEFAULT_COLORS)
    for k, v in (options.colors or {}).items():
        colours[k] = safe_color(v, colours.get(k, "#000000"))
    pagesize = _page_size(options.page_size)
    top, right, bottom, left = [v * mm for v in (options.margins_mm or DEFAULT_MARGINS_MM)]
    width = pagesize[0] - left - right
    height = pagesize[1] - top - bottom
    meta = doc.meta

    # 2. the story: flowables with note markers numbered in reading order
    log = NoteLog()
    builder = _Builder(doc, options, fonts, colours, width, log)
    builder.table_class = tall_row_table(height)
    builder.page_room = height
    story = builder.blocks(doc.blocks)
    while story and isinstance(story[-1], PageBreakIfNotEmpty):
        story.pop()  # a break with nothing after it would only add a blank page
    builder.fit_note_numbers()
    if builder.endnotes:
        story.extend(builder.endnote_flowables())
    else:
        story.append(NotesFlush())

    # 3. the page: one note-reserving frame, furniture, bookmarks
    nstyle = NoteStyle(leading=builder.styles.note.leading, rule_color=colors.HexColor(colours["rule"]))
    if builder.endnotes:
        make_note = (lambda n: [])  # markers point at the Notes section
    else:
        make_note = builder.note_flowables
    frame = NoteFrame(left, bottom, width, height, leftPadding=0, rightPadding=0, topPadding=0,
                      bottomPadding=0, id="body", make_note=make_note,
                      continued_label=builder.continued_label, style=nstyle, log=log)
    if builder.endnotes:
        frame.placed.update(range(1, len(builder.notes) + 1))
    furniture = _Furniture(meta, fonts, colours, pagesize, (top, right, bottom, left), options.logo)

    def on_page_end(canv, d):
        frame.draw_notes(canv, d.page)

    keywords = [clean(k) for k in (meta.keywords or []) if clean(k).strip()]
    for mark in (meta.tlp, meta.banner):
        if mark and clean(mark).strip() and clean(mark).strip() not in keywords:
            keywords.append(clean(mark).strip())
    buf = io.BytesIO()
    template = _DocTemplate(
        buf, pagesize=pagesize, leftMargin=left, rightMargin=right, topMargin=top, bottomMargin=bottom,
        title=clean(meta.title), author=clean(meta.author), subject=clean(meta.subject),
        keywords=keywords, creator="briefgen", lang=clean(meta.language or "") or None,
        invariant=1, initialFontName=fonts.regular, displayDocTitle=1, pageCompression=1,
    )
    template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=furniture.on_page,
                                            onPageEnd=on_page_end, pagesize=pagesize)])
    # 4. build (single pass) and report
    saved = {k: getattr(rl_config, k) for k in _RL_SETTINGS}
    try:
        for k, v in _RL_SETTINGS.items():
            setattr(rl_config, k, v)
        template.build(story, canvasmaker=_canvas_maker(furniture, log, _doc_time(meta)))
    finally:
        for k, v in saved.items():
            setattr(rl_config, k, v)
    return PdfResult(data=buf.getvalue(), pages=furniture.pages, log=log, notes=len(builder.notes))


__all__ = ["write", "render", "PdfResult", "DEFAULT_FONTS"]
