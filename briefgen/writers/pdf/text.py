"""A lean paragraph flowable for the PDF writer: styled runs, greedy line breaking, links, anchors.

ReportLab's ``Paragraph`` parses XML-like markup and breaks lines word by word through its
general machinery; a 200-page brief with 2,000 notes spends most of its time there. The outline
already gives structured inlines, so this module lays them out directly: no markup is parsed
(text prints exactly as written, ``<b>``, ``a < b`` and ``AT&T`` included), word widths are
cached, and each line is drawn as one text string per style run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable
from urllib.parse import quote

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfdoc import PDFObject
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.platypus.flowables import Flowable

from briefgen import outline as o
from briefgen.writers._shared import Dispatch
from briefgen.writers.pdf.markup import URL_RE, clean, safe_color, safe_url
from briefgen.writers.pdf.measure import longest_prefix



@dataclass(frozen=True)
class Face:
    """The four faces of a font family (registered ReportLab font names), with an optional fallback."""

    regular: str
    bold: str
    italic: str
    bolditalic: str
    fallback: "Face | None" = None

    def pick(self, bold: bool, italic: bool) -> str:
        """The face for a bold/italic combination."""
        if bold:
            return self.bolditalic if italic else self.bold
        return self.italic if italic else self.regular


@dataclass
class TextStyle:
    """How a paragraph looks."""

    face: Face
    size: float = 9.5
    leading: float = 13.5
    color: Color | None = None
    align: str = "left"  # left | center | right
    left_indent: float = 0.0
    right_indent: float = 0.0
    first_indent: float = 0.0
    space_before: float = 0.0
    space_after: float = 0.0
    bold: bool = False
    italic: bool = False
    bullet_indent: float = 0.0
    link_color: Color | None = None

    def but(self, **kw) -> "TextStyle":
        """A copy with some fields changed."""
        return replace(self, **kw)


@dataclass(slots=True)
class Run:
    """A stretch of text in one font, size, colour, rise and link; or a zero-width anchor."""

    text: str
    font: str
    size: float
    color: Color | None = None
    rise: float = 0.0
    link: str | None = None  # external URL, or '#name' for an internal destination
    anchor: str | None = None  # destination defined at this point
    note: int = 0  # this run is the marker of note ``note``


_WIDTHS: dict[tuple[str, str], float] = {}


def text_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` in points (cached per font and string)."""
    key = (font, text)
    w = _WIDTHS.get(key)
    if w is None:
        w = getFont(font).stringWidth(text, 1.0)
        if len(_WIDTHS) < 500_000:
            _WIDTHS[key] = w
    return w * size


_CMAPS: dict[str, dict] = {}


def _has(font: str, ch: str) -> bool:
    cmap = _CMAPS.get(font)
    if cmap is None:
        cmap = _CMAPS[font] = getFont(font).face.charToGlyph
    return ord(ch) in cmap


def _covered_runs(text: str, font: str, fallback: str | None, size: float, color, link) -> list[Run]:
    """Runs for ``text``, switching to ``fallback`` for characters ``font`` lacks."""
    if text.isascii() or fallback is None or all(_has(font, ch) for ch in set(text)):
        return [Run(text, font, size, color, link=link)]
    out: list[Run] = []
    start, cur = 0, font
    for i, ch in enumerate(text):
        want = font if (ch.isspace() or _has(font, ch) or not _has(fallback, ch)) else fallback
        if want != cur:
            if i > start:
                out.append(Run(text[start:i], cur, size, color, link=link))
            start, cur = i, want
    out.append(Run(text[start:], cur, size, color, link=link))
    return out


# ----------------------------------------------------------------------------- inlines → runs


@dataclass
class RunContext:
    """State while turning inlines into runs: how to mark a note, link colour, note counter."""

    on_note: Callable[[o.Note], int] | None = None
    link_color: Color | None = None
    autolink: bool = True


def runs_for(nodes: list[o.Inline], style: TextStyle, ctx: RunContext, *, bold=None, italic=None,
             color=None, link=None) -> list[Run]:
    """Runs for ``nodes`` in ``style`` (bold/italic/colour/link inherited from enclosing nodes)."""
    bold = style.bold if bold is None else bold
    italic = style.italic if italic is None else italic
    color = style.color if color is None else color
    out: list[Run] = []
    for node in nodes:
        out += _INLINE(node, style, ctx, bold, italic, color, link)
    return out


def _text_runs(node: o.Text, style: TextStyle, ctx: RunContext, bold, italic, color, link) -> list[Run]:
    """Runs for plain text; web addresses in it become links unless it already is one."""
    font = style.face.pick(bold, italic)
    fallback = style.face.fallback.pick(bold, italic) if style.face.fallback else None
    text = clean(node.text)
    out: list[Run] = []
    if link is None and ctx.autolink and ("://" in text or "www." in text):
        pos = 0
        for match in URL_RE.finditer(text):
            url = safe_url(match.group(0))
            if not url:
                continue
            if match.start() > pos:
                out += _covered_runs(text[pos:match.start()], font, fallback, style.size, color, None)
            out.append(Run(match.group(0), font, style.size, ctx.link_color or color, link=url))
            pos = match.end()
        if pos < len(text):
            out += _covered_runs(text[pos:], font, fallback, style.size, color, None)
    elif text:
        out += _covered_runs(text, font, fallback, style.size, color, link)
    return out


def _link_runs(node: o.Link, style: TextStyle, ctx: RunContext, bold, italic, color, link) -> list[Run]:
    """Runs of a link's text, in the link colour (a link inside a link keeps the outer target)."""
    url = safe_url(node.url) if link is None else link
    kids = node.children or [o.Text(node.url)]
    return runs_for(kids, style, ctx, bold=bold, italic=italic,
                    color=(ctx.link_color or color) if url and link is None else color, link=url)


def _coloured_runs(node: o.Colored, style: TextStyle, ctx: RunContext, bold, italic, color, link) -> list[Run]:
    """Runs in the node's colour (an unusable colour keeps the surrounding one)."""
    safe = safe_color(node.color)
    from reportlab.lib.colors import HexColor

    return runs_for(node.children, style, ctx, bold=bold, italic=italic,
                    color=HexColor(safe) if safe else color, link=link)


def _note_run(node: o.Note, style: TextStyle, ctx: RunContext, bold, italic, color, link) -> list[Run]:
    """The note's number, raised and smaller; the context numbers it."""
    if ctx.on_note is None:
        raise TypeError("a Note is not allowed here (a note inside a note?)")
    number = ctx.on_note(node)
    size = style.size * 0.68
    return [Run(str(number), style.face.regular, size, ctx.link_color or color, rise=style.size * 0.36,
                note=number)]


_INLINE = Dispatch[list[Run]]("PDF", "inline", {
    o.Text: _text_runs,
    o.Strong: lambda node, style, ctx, bold, italic, color, link:
        runs_for(node.children, style, ctx, bold=True, italic=italic, color=color, link=link),
    o.Emph: lambda node, style, ctx, bold, italic, color, link:
        runs_for(node.children, style, ctx, bold=bold, italic=not italic, color=color, link=link),
    o.Link: _link_runs,
    o.Colored: _coloured_runs,
    o.Note: _note_run,
})


# ----------------------------------------------------------------------------- layout


@dataclass(slots=True)
class _Line:
    segs: list = field(default_factory=list)  # (run, text, width) triples
    width: float = 0.0
    x: float = 0.0  # start offset from the paragraph's left edge


def _break(runs: list[Run], width: float, first_extra: float) -> list[_Line]:
    """Greedy line breaking at whitespace (collapsed to single spaces); over-long words are cut."""
    lines: list[_Line] = []
    line = _Line()
    avail = width - first_extra
    word: list = []
    word_w = 0.0
    has_text = False
    sep = None  # the run whose whitespace precedes the current word

    def place():
        nonlocal line, avail, word, word_w, has_text
        sw = text_width(" ", sep.font, sep.size) if (sep is not None and line.segs) else 0.0
        if line.segs and line.width + sw + word_w > avail + 1e-6:
            lines.append(line)
            line = _Line()
            avail = width
            sw = 0.0
        if not line.segs and word_w > avail + 1e-6:
            _cut(word, lines, line, width, avail)
            line = lines.pop()
            avail = width if lines else avail
        else:
            if sw:
                line.segs.append((sep, " ", sw))
                line.width += sw
            line.segs.extend(word)
            line.width += word_w
        word = []
        word_w = 0.0
        has_text = False

    for run in runs:
        text = run.text
        if not text:
            word.append((run, "", 0.0))
            continue
        parts = text.split()
        if text[0].isspace() and has_text:
            place()
        if text[0].isspace():
            sep = run
        for i, part in enumerate(parts):
            if i:
                if has_text:
                    place()
                sep = run
            w = text_width(part, run.font, run.size)
            word.append((run, part, w))
            word_w += w
            has_text = True
        if text[-1].isspace() and parts:
            place()
            sep = run
    if has_text:
        place()
    elif word:  # anchors after the last word
        line.segs.extend(word)
    if line.segs:
        lines.append(line)
    return lines


_CUT_WINDOW = 4096  # far more characters than any line holds, even of the narrowest glyph


def _cut(word: list, lines: list[_Line], line: _Line, width: float, avail: float) -> None:
    """Put a word longer than the line on as many lines as it needs, character by character."""
    for run, text, _ in word:
        if not text:  # an anchor or note marker inside the word: keep it where it stands
            line.segs.append((run, "", 0.0))
            continue
        pos = 0
        while pos < len(text):
            room = avail - line.width
            # only the window that could fit is measured, so a huge word costs its length, not its square
            k = longest_prefix(text[pos:pos + _CUT_WINDOW], run.font, run.size, room)
            if k == 0 and line.segs:
                lines.append(line)
                line = _Line()
                avail = width
                continue
            piece = text[pos:pos + max(k, 1)]
            w = text_width(piece, run.font, run.size)
            line.segs.append((run, piece, w))
            line.width += w
            pos += len(piece)
            if pos < len(text):
                lines.append(line)
                line = _Line()
                avail = width
    lines.append(line)


class RichPara(Flowable):
    """A paragraph of runs; splits between lines; draws links, anchors and note markers."""

    def __init__(self, runs: list[Run], style: TextStyle, bullet: str = "", *, lines: list[_Line] | None = None,
                 note_cb: Callable | None = None, notes: list[int] | None = None, keep: int = 1,
                 whole: int = 0):
        super().__init__()
        self.runs = runs
        self.keep = keep  # lines a split leaves at least on each side (2: no widows or orphans)
        self.whole = whole  # a paragraph of at most this many lines never splits
        self.style = style
        self.bullet = bullet
        self._lines = lines
        self._lines_w = None if lines is None else -1.0  # a split-off part has no runs to break again
        self.note_cb = note_cb
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after
        self.width = 0.0
        self.height = 0.0
        if notes is not None:  # known from the paragraph this one was split from
            self._bg_notes = notes
        else:
            self._bg_notes = [r.note for r in (runs if lines is None else (sg[0] for ln in lines for sg in ln.segs))
                              if r.note]

    def _layout(self, aW: float) -> list[_Line]:
        if self._lines is not None and (self._lines_w == aW or self._lines_w == -1.0):
            return self._lines
        st = self.style
        width = aW - st.left_indent - st.right_indent
        self._lines = _break(self.runs, width, st.first_indent)
        self._lines_w = aW
        for i, line in enumerate(self._lines):
            x = st.left_indent + (st.first_indent if i == 0 else 0.0)
            room = width - (st.first_indent if i == 0 else 0.0)
            if st.align == "center":
                x += (room - line.width) / 2
            elif st.align == "right":
                x += room - line.width
            line.x = x
        return self._lines

    def wrap(self, aW, aH):
        """Lay out at width ``aW``; the height is lines × leading."""
        lines = self._layout(aW)
        self.width = aW
        self.height = len(lines) * self.style.leading
        return aW, self.height

    def split(self, aW, aH):
        """Two paragraphs: the lines that fit in ``aH`` and the rest; [] if not even one fits."""
        # As in platypus, a split cuts the lines of the last wrap: a table wraps a cell at its inner
        # width but asks it to split at the column's full width, and laying the text out again there
        # would both cost the whole remaining text at every page and cut lines the row never measured.
        lines = self._lines if self._lines is not None else self._layout(aW)
        n = int((aH + 1e-6) // self.style.leading)
        if n <= 0:
            return []
        if n >= len(lines):
            return [self]
        if len(lines) <= self.whole:
            return []
        n = min(n, len(lines) - self.keep)
        if n < self.keep:
            return []
        first = RichPara([], self.style.but(space_after=0.0), self.bullet, lines=lines[:n], note_cb=self.note_cb,
                         keep=self.keep)
        # the rest's notes follow the first part's: counting them keeps a long paragraph split over
        # many pages linear (rescanning every remaining line at each page break is quadratic)
        rest = RichPara([], self.style.but(space_before=0.0), "", lines=lines[n:], note_cb=self.note_cb,
                        notes=self._bg_notes[len(first._bg_notes):], keep=self.keep)
        return [first, rest]

    def plain(self) -> str:
        """The text as laid out (lines joined by spaces)."""
        return " ".join("".join(sg[1] for sg in ln.segs) for ln in (self._lines or []))

    def draw(self):
        """Draw the lines as one text object; define anchors, add links, report note markers."""
        canv = self.canv
        st = self.style
        lines = self._lines or []
        if not lines:
            return
        lead = st.leading
        descent = (lead - st.size) / 2 + st.size * 0.22
        doc = canv._doc
        code = ["BT"]
        cur_color = cur_sub = None
        cur_rise = 0.0
        links: list[tuple[str, tuple[float, float, float, float]]] = []
        for i, line in enumerate(lines):
            base = self.height - (i + 1) * lead + descent
            if i == 0 and self.bullet:
                code.append(f"1 0 0 1 {_n(st.bullet_indent)} {_n(base)} Tm")
                if st.color is not None:
                    code.append(_rgb(st.color))
                    cur_color = st.color
                cur_sub = _show(code, doc, st.face.regular, st.size, self.bullet, cur_sub)
            code.append(f"1 0 0 1 {_n(line.x)} {_n(base)} Tm")
            x = line.x
            j = 0
            segs = line.segs
            n = len(segs)
            while j < n:
                run, text, width = segs[j]
                if run.anchor:
                    canv.bookmarkHorizontal(run.anchor, x, base + st.size + 2)
                # one string for the following segments of the same run
                k = j + 1
                if k < n and segs[k][0] is run:
                    parts = [text]
                    while k < n and segs[k][0] is run:
                        parts.append(segs[k][1])
                        width += segs[k][2]
                        k += 1
                    text = "".join(parts)
                if text:
                    color = run.color if run.color is not None else st.color
                    if color is not None and color is not cur_color:
                        code.append(_rgb(color))
                        cur_color = color
                    if run.rise != cur_rise:
                        code.append(f"{_n(run.rise)} Ts")
                        cur_rise = run.rise
                    cur_sub = _show(code, doc, run.font, run.size, text, cur_sub)
                    if run.link or run.note:
                        links.append((run, (x, base + run.rise - run.size * 0.25, x + width,
                                            base + run.rise + run.size * 0.9)))
                x += width
                j = k
        if cur_rise:
            code.append("0 Ts")
        code.append("ET")
        canv._code.append(" ".join(code))
        for run, (x0, y0, x1, y1) in links:
            ax0, ay0 = canv.absolutePosition(x0, y0)
            ax1, ay1 = canv.absolutePosition(x1, y1)
            rect = (min(ax0, ax1), min(ay0, ay1), max(ax0, ax1), max(ay0, ay1))
            if run.note:
                if self.note_cb is not None:
                    self.note_cb(canv, run.note, rect)
            elif run.link.startswith("#"):
                canv.linkRect("", run.link[1:], rect, relative=0, thickness=0)
            else:
                canv._addAnnotation(FastLink(rect, uri=run.link))


_FONTS: dict[str, object] = {}


def _show(code: list[str], doc, font: str, size: float, text: str, cur):
    """Append the operators that show ``text`` in a TrueType ``font``; returns the current subset key."""
    f = _FONTS.get(font)
    if f is None:
        f = _FONTS[font] = getFont(font)
    for subset, data in f.splitString(text, doc):
        key = (font, subset, size)
        if key != cur:
            code.append(f"{f.getSubsetInternalName(subset, doc)} {_n(size)} Tf")
            cur = key
        code.append(f"<{data.hex()}> Tj")
    return cur


class FastLink(PDFObject):
    """A link annotation written in one step: to a URI, or to a point on an already known page."""

    def __init__(self, rect, uri: str | None = None, page_ref=None, x: float = 0.0, y: float = 0.0):
        self.rect = rect
        self.uri = uri
        self.page_ref = page_ref
        self.x, self.y = x, y

    def format(self, document) -> bytes:
        """The annotation dictionary."""
        r = " ".join(_n(v) for v in self.rect)
        if self.uri is not None:
            uri = quote(self.uri, safe=_URI_SAFE).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            target = f"/A << /S /URI /Type /Action /URI ({uri}) >>"
        else:
            ref = self.page_ref.format(document).decode("latin-1")
            target = f"/Dest [ {ref} /XYZ {_n(self.x)} {_n(self.y)} 0 ]"
        return f"<< {target} /Border [ 0 0 0 ] /Rect [ {r} ] /Subtype /Link /Type /Annot >>".encode("latin-1")


_URI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def _n(v: float) -> str:
    """A number for a content stream: at most three decimals, no trailing zeros."""
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return s if s not in ("-0", "") else "0"


_RGB: dict[tuple[float, float, float], str] = {}


def _rgb(color: Color) -> str:
    """The fill-colour operator for ``color`` (cached)."""
    key = (color.red, color.green, color.blue)
    op = _RGB.get(key)
    if op is None:
        op = f"{_n(key[0])} {_n(key[1])} {_n(key[2])} rg"
        if len(_RGB) < 10_000:
            _RGB[key] = op
    return op
