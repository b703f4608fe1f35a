"""Page-bottom footnotes for ReportLab platypus: a frame that reserves room for notes as it fills.

How it works (one layout pass):

1. ``notes_of`` lists the note markers a flowable draws: from the runs of the writer's own
   paragraphs (and of their split parts), from ``<a name="fnr<N>"/>`` anchors in ReportLab
   Paragraphs (nested frags after a split included), and from the cells of tables.
2. ``NoteFrame.add`` raises the frame's usable bottom (``_y1p``) by the height of the notes
   already on the page plus the flowable's new notes, then lets platypus place the flowable.
   ``NoteFrame.split`` does the same while splitting, growing the reservation until the first
   part's notes fit. Add and split therefore always agree.
3. If the notes cannot fit whole, the last one may start on this page (at least two lines) and
   continue on the next; the page is then closed. The rest is carried and drawn first on the
   next page, under a full-width rule, before that page's own notes.
4. ``draw_notes`` (page end) lays the notes out bottom-aligned in the reserved band, records the
   page of every note and links each marker of the page to its note; ``NotesFlush`` at the end
   of the story adds pages until the carry is empty, so no note is ever lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from reportlab.platypus import Paragraph
from reportlab.platypus.doctemplate import FrameBreak
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.frames import Frame
from reportlab.platypus.tables import Table

from briefgen.writers.pdf.text import FastLink

ANCHOR_PREFIX = "fnr"
_FUZZ = 0.5


def _walk_frags(obj, out: list[int]) -> None:
    if isinstance(obj, (list, tuple)):
        for item in obj:
            _walk_frags(item, out)
        return
    cb = getattr(obj, "cbDefn", None)
    if cb is not None and getattr(cb, "kind", None) == "anchor":
        name = getattr(cb, "name", "") or ""
        if name.startswith(ANCHOR_PREFIX) and name[len(ANCHOR_PREFIX):].isdigit():
            out.append(int(name[len(ANCHOR_PREFIX):]))


def notes_of(flowable) -> list[int]:
    """Note numbers whose markers ``flowable`` draws, in reading order (cached on the object)."""
    cached = flowable.__dict__.get("_bg_notes")
    if cached is not None:
        return cached
    out: list[int] = []
    if isinstance(flowable, Paragraph):
        _walk_frags(flowable.frags, out)
    elif isinstance(flowable, Table):
        for row in flowable._cellvalues:
            for cell in row:
                items = cell if isinstance(cell, (list, tuple)) else [cell]
                for item in items:
                    if isinstance(item, Flowable):
                        out.extend(notes_of(item))
    else:
        for attr in ("_content", "_flowables"):
            content = getattr(flowable, attr, None)
            if isinstance(content, (list, tuple)):
                for item in content:
                    if isinstance(item, Flowable):
                        out.extend(notes_of(item))
    flowable.__dict__["_bg_notes"] = out
    return out


@dataclass
class _Piece:
    """One flowable of the note stream: a note paragraph or the rest of a split one."""

    flowable: Flowable
    number: int
    first: bool  # the piece that begins note ``number`` (carries its number and anchor)
    gap: float  # space after the piece (between notes)
    height: float = -1.0


@dataclass
class NoteStyle:
    """Measures of the note band."""

    rule_gap_above: float = 8.0  # between body text and the separator rule
    rule_gap_below: float = 4.0  # between the rule and the first note
    note_gap: float = 1.5  # between two notes
    min_lines: int = 2  # lines a note must show on its page before it may continue
    leading: float = 9.5
    rule_color: object = None
    rule_width: float = 0.5


@dataclass
class NoteLog:
    """What the layout did: the page each note starts on and each marker was drawn on."""

    note_pages: dict[int, int] = field(default_factory=dict)
    marker_pages: dict[int, int] = field(default_factory=dict)
    continued: list[int] = field(default_factory=list)  # notes that ran onto a later page
    pending: list[tuple[int, tuple]] = field(default_factory=list)  # markers on this page: (note, rect)
    note_pos: dict[int, tuple] = field(default_factory=dict)  # note -> (page reference, x, y)
    deferred: set[int] = field(default_factory=set)  # notes linked by name before they were drawn


class NotesFlush(Flowable):
    """End-of-story marker: adds pages until every carried note has been drawn."""

    _ZEROSIZE = True

    def wrap(self, aW, aH):
        """Takes no room."""
        return (0, 0)

    def draw(self):
        """Draws nothing."""


# NoteFrame attributes a trial-wrap copy shares (read-only there) or copies one level deep
_SHARED_ON_COPY = frozenset({"make_note", "continued_label", "nstyle", "log", "_pieces", "_heights", "_planned"})
_COPIED_SHALLOW = frozenset({"placed", "page_notes", "carry"})


class NoteFrame(Frame):
    """A frame that keeps room at its bottom for the footnotes of what it has placed."""

    def __init__(self, *args, make_note: Callable[[int], list[Flowable]], continued_label: Callable[[], Flowable],
                 style: NoteStyle, log: NoteLog, **kw):
        self._bg_ready = False
        super().__init__(*args, **kw)
        self.make_note = make_note
        self.continued_label = continued_label
        self.nstyle = style
        self.log = log
        self.placed: set[int] = set()  # notes committed on any page so far
        self.page_notes: list[int] = []  # notes committed on this page
        self.carry: list[_Piece] = []  # pieces continued from the previous page
        self._pieces: dict[int, list[_Piece]] = {}
        self._heights: dict[int, float] = {}
        self._cont_h = 0.0
        self._bg_ready = True
        self._new_page()

    def __deepcopy__(self, memo):
        """A copy for platypus's trial wraps, sharing the notes.

        ``KeepTogether`` (a figure kept with its caption and legend) deep-copies the current frame
        before it measures its content, so that content generated while measuring stays off the
        real frame. A plain deep copy of this frame would copy every note built so far, the note
        builder's writer and the log, for each figure: work that grows with the notes already laid
        out. The copy never places anything, so the note caches, builders and log are shared, the
        per-page note lists are copied, and the frame's own geometry is deep-copied.
        """
        from copy import deepcopy

        clone = object.__new__(type(self))
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            if key in _SHARED_ON_COPY:
                clone.__dict__[key] = value
            elif key in _COPIED_SHALLOW:
                clone.__dict__[key] = value.copy()
            else:
                clone.__dict__[key] = deepcopy(value, memo)
        return clone

    # ------------------------------------------------------------------ page state

    def _reset(self):
        super()._reset()
        if getattr(self, "_bg_ready", False):
            self._new_page()

    def _new_page(self):
        self._base = self._y1 + self._bottomPadding
        self.page_notes = []
        self._bottom = self._y  # lowest point of body text drawn on this page
        self.closed = False  # a note continues from this page: nothing more goes on it
        self.blocked = False  # the carried text fills the band: no new notes on this page
        self._planned: tuple | None = None  # (first part, reservation) of the last split made here
        self._carry_h = sum(self._piece_h(p) for p in self.carry)
        cap = 0.6 * (self._y2 - self._topPadding - self._base)
        if self.carry and self._carry_h + self._sep() > cap:
            self.blocked = True
            self._y1p = self._base + cap
        else:
            self._y1p = self._base + (self._sep() + self._carry_h if self.carry else 0.0)

    def _sep(self) -> float:
        return self.nstyle.rule_gap_above + self.nstyle.rule_gap_below

    # ------------------------------------------------------------------ measuring

    def _note_w(self) -> float:
        return self._aW

    def _piece_h(self, piece: _Piece) -> float:
        if piece.height < 0:
            piece.height = piece.flowable.wrap(self._note_w(), 1e6)[1]
        return piece.height + piece.gap

    def pieces(self, number: int) -> list[_Piece]:
        """The flowables of note ``number`` (built on first use)."""
        got = self._pieces.get(number)
        if got is None:
            flows = self.make_note(number)
            got = [_Piece(f, number, i == 0, 0.0) for i, f in enumerate(flows)]
            got[-1].gap = self.nstyle.note_gap
            self._pieces[number] = got
        return got

    def note_height(self, number: int) -> float:
        """Full height of note ``number`` including the gap after it."""
        h = self._heights.get(number)
        if h is None:
            h = sum(self._piece_h(p) for p in self.pieces(number))
            self._heights[number] = h
        return h

    def _cont_height(self) -> float:
        if not self._cont_h:
            self._cont_h = self.continued_label().wrap(self._note_w(), 1e6)[1]
        return self._cont_h

    def _min_height(self, number: int) -> float:
        """Least room note ``number`` needs on its own page when it may continue."""
        full = self.note_height(number)
        first = self.pieces(number)[0]
        need = min(self._piece_h(first), self.nstyle.min_lines * self.nstyle.leading + 1.0)
        return min(full, need + self._cont_height() + 1.0)

    def need(self, new: list[int], partial: int = 0) -> float:
        """Band height for this page's notes plus ``new``.

        ``partial`` 0: every note whole; 1: the last new note may continue on the next page;
        2 (last resort on an empty page): only the start of the first new note must fit here.
        """
        numbers = self.page_notes + new
        if not numbers and not self.carry:
            return 0.0
        h = self._sep() + self._carry_h
        for n in self.page_notes:
            h += self.note_height(n)
        if partial == 2 and new:
            return h + self._min_height(new[0])
        for n in new:
            h += self.note_height(n)
        if partial and new:
            h += self._min_height(new[-1]) - self.note_height(new[-1])
        return h

    def _new_notes(self, flowable) -> list[int]:
        return [n for n in notes_of(flowable) if n not in self.placed]

    # ------------------------------------------------------------------ platypus hooks

    def add(self, flowable, canv, trySplit=0):
        """Place ``flowable`` if it fits together with the notes it brings to this page."""
        if isinstance(flowable, NotesFlush):
            return 1 if self._stream_height() <= self._bottom - self._base - self._sep() + _FUZZ else 0
        new = self._new_notes(flowable)
        if not new:
            if self.closed:
                return 0
            return self._place(flowable, canv, trySplit)
        if self.closed or self.blocked:
            return 0
        saved = self._y1p
        full = self.need(new)
        planned, self._planned = self._planned, None
        if planned is not None and planned[0] is flowable:
            # the first part ``split`` just made: place it with the reservation it was cut for, so
            # that add and split agree to the point (a part cut for 0.4 pt less room was refused)
            self._y1p = self._base + planned[1]
            if self._place(flowable, canv, trySplit):
                self._commit(new)
                if planned[1] < full - _FUZZ:  # its last note runs on: as in the modes below
                    if self._bottom - self._base >= full - _FUZZ:
                        self._y1p = self._base + full
                    else:
                        self.closed = True
                return 1
        self._y1p = self._base + full
        if self._place(flowable, canv, trySplit):
            self._commit(new)
            return 1
        for mode in ((1, 2) if self._atTop else (1,)):
            if mode == 2 and trySplit and self._splits(flowable, canv):
                break  # split() puts as much here as fits with its notes; mode 2 would push notes off the page
            partial = self.need(new, mode)
            if partial < full - _FUZZ:
                self._y1p = self._base + partial
                if self._place(flowable, canv, trySplit):
                    self._commit(new)
                    if self._bottom - self._base >= full - _FUZZ:
                        self._y1p = self._base + full
                    else:
                        self.closed = True
                    return 1
        self._y1p = saved
        return 0

    def split(self, flowable, canv):
        """Split ``flowable`` so that its first part and that part's notes fit on this page."""
        if isinstance(flowable, NotesFlush):
            return [FrameBreak, flowable]
        new = self._new_notes(flowable)
        if self.closed:
            return [FrameBreak, flowable]
        if not new:
            return Frame.split(self, flowable, canv)
        if self.blocked:
            # only a part without new notes may go here
            parts = Frame.split(self, flowable, canv)
            if parts and not self._new_notes(parts[0]):
                return parts
            return [FrameBreak, flowable]
        saved = self._y1p
        try:
            parts, reserve = self._choose_split(flowable, canv)
        finally:
            self._y1p = saved
        if parts and parts[0] is not FrameBreak:
            self._planned = (parts[0], reserve)
        return parts

    def _choose_split(self, flowable, canv) -> tuple[list, float]:
        """The split to use, with the note reservation its first part was cut for."""
        full, r_full = self._split_with(flowable, canv, partial=0)
        if full and self._new_notes(full[0]) and not self._wasteful(full[0]):
            return full, r_full
        part, r_part = self._split_with(flowable, canv, partial=1)
        part_notes = len(self._new_notes(part[0])) if part else 0
        if part_notes and part_notes > (len(self._new_notes(full[0])) if full else 0):
            return part, r_part
        if full:
            return full, r_full
        if not self._atTop:
            return [FrameBreak, flowable], 0.0
        # an empty page and still no room: let the notes run on over the next pages
        return self._split_with(flowable, canv, partial=2)

    def _splits(self, flowable, canv) -> bool:
        """True when ``split`` can put a first part of ``flowable`` on this page."""
        parts = self.split(flowable, canv)
        return bool(parts) and parts[0] is not FrameBreak

    def _wasteful(self, first) -> bool:
        """True when a first part leaves more than a third of the frame empty."""
        h = getattr(first, "height", 0) or first.wrap(self._aW, 1e6)[1]
        free = self._y - self._base - self.need(self._new_notes(first)) - h
        return free > (self._y2 - self._base) / 3

    def _split_with(self, flowable, canv, partial: int) -> tuple[list, float]:
        """The longest first part that fits together with its notes (reservation mode ``partial``),
        with the reservation it was cut for; ``([], 0.0)`` when none fits."""
        # 1. a valid split: grow the reservation until the first part's notes fit in it. A larger
        #    reservation never gives a longer first part, so never more notes: once valid, it stays
        #    valid as the reservation grows, for as long as any first part fits.
        reserve: list[int] = []
        best, r_ok = None, 0.0
        last = None  # the largest reservation seen that still left a first part
        for _ in range(12):
            r = self.need(reserve, partial)
            parts = self._split_at(flowable, canv, r)
            if not parts:
                if last is None:
                    return [], 0.0
                # the notes asked for more room than any first part leaves: try the most that does
                r, parts = self._most_reserved(flowable, canv, last, r)
                if self.need(self._new_notes(parts[0]), partial) <= r + _FUZZ:
                    best, r_ok = parts, r
                break
            got = self._new_notes(parts[0])
            if self.need(got, partial) <= r + _FUZZ:
                best, r_ok = parts, r
                break
            last = (r, parts)
            reserve = got
        if best is None:
            return [], 0.0
        # 2. shrink the reservation while the split stays valid: the first part gets longer
        lo = self.need([], partial)
        hi = r_ok
        for _ in range(8):
            if hi - lo < 1.0:
                break
            mid = (lo + hi) / 2
            parts = self._split_at(flowable, canv, mid)
            if parts and self.need(self._new_notes(parts[0]), partial) <= mid + _FUZZ:
                hi, best = mid, parts
            else:
                lo = mid
        return best, hi

    def _most_reserved(self, flowable, canv, last: tuple, too_much: float) -> tuple[float, list]:
        """The largest reservation (and its split) between ``last`` (which splits) and ``too_much``."""
        (lo, lo_parts), hi = last, too_much
        for _ in range(10):
            if hi - lo < 1.0:
                break
            mid = (lo + hi) / 2
            parts = self._split_at(flowable, canv, mid)
            if parts:
                lo, lo_parts = mid, parts
            else:
                hi = mid
        return lo, lo_parts

    def _split_at(self, flowable, canv, reserve: float):
        self._y1p = self._base + reserve
        return Frame.split(self, flowable, canv)

    def _place(self, flowable, canv, trySplit) -> int:
        if not Frame.add(self, flowable, canv, trySplit):
            return 0
        # platypus moves _y past the space after a flowable, which may dip below _y1p
        self._bottom = min(self._bottom, self._y + flowable.getSpaceAfter())
        return 1

    def _commit(self, new: list[int]) -> None:
        for n in new:
            self.placed.add(n)
            self.page_notes.append(n)

    # ------------------------------------------------------------------ drawing

    def _stream(self) -> list[_Piece]:
        out = list(self.carry)
        for n in self.page_notes:
            out.extend(self.pieces(n))
        return out

    def _stream_height(self) -> float:
        return sum(self._piece_h(p) for p in self._stream())

    def draw_notes(self, canv, page: int) -> None:
        """Draw this page's note band at the frame bottom, carry what does not fit, link markers."""
        self._draw_band(canv, page)
        log = self.log
        for n, rect in log.pending:
            pos = log.note_pos.get(n)
            if pos is not None:
                canv._addAnnotation(FastLink(rect, page_ref=pos[0], x=pos[1], y=pos[2]))
            else:  # the note starts on a later page: link by name, defined when it is drawn
                log.deferred.add(n)
                canv.linkRect("", f"fnn{n}", rect, relative=0, thickness=0)
        log.pending.clear()

    def _draw_band(self, canv, page: int) -> None:
        stream = self._stream()
        self.carry = []
        if not stream:
            return
        width = self._note_w()
        avail = self._bottom - self._base - self._sep()
        placed: list[_Piece] = []
        used = 0.0
        for i, piece in enumerate(stream):
            h = self._piece_h(piece)
            if used + h - piece.gap <= avail + _FUZZ:
                placed.append(piece)
                used += h
                continue
            room = avail - used - self._cont_height()
            parts = piece.flowable.split(width, room) if room >= self.nstyle.leading else []
            rest = stream[i + 1:]
            if len(parts) >= 2:
                head = _Piece(parts[0], piece.number, piece.first, 0.0)
                placed.append(head)
                used += self._piece_h(head)
                tail = [_Piece(p, piece.number, False, 0.0) for p in parts[1:]]
                tail[-1].gap = piece.gap
                self.carry = tail + rest
            else:
                self.carry = [piece] + rest
            if placed and placed[-1].number == self.carry[0].number:
                label = _Piece(self.continued_label(), placed[-1].number, False, 0.0)
                placed.append(label)
                used += self._piece_h(label)
                if self.carry[0].number not in self.log.continued:
                    self.log.continued.append(self.carry[0].number)
            break
        if not placed:
            return
        x = self._x1 + self._leftPadding
        top = self._base + used - (placed[-1].gap if placed else 0.0)
        continuing = not placed[0].first
        rule_y = top + self.nstyle.rule_gap_below
        canv.saveState()
        if self.nstyle.rule_color is not None:
            canv.setStrokeColor(self.nstyle.rule_color)
        canv.setLineWidth(self.nstyle.rule_width)
        canv.line(x, rule_y, x + (width if continuing else width / 3.0), rule_y)
        canv.restoreState()
        y = top
        page_ref = canv._doc.thisPageRef()
        for piece in placed:
            if piece.first and piece.number not in self.log.note_pos:
                self.log.note_pos[piece.number] = (page_ref, x, y + 2)
                if piece.number in self.log.deferred:
                    canv.bookmarkHorizontal(f"fnn{piece.number}", x, y + 2)
            y -= piece.height
            piece.flowable.drawOn(canv, x, y)
            y -= piece.gap
            if piece.first:
                self.log.note_pages.setdefault(piece.number, page)
