"""Rendering the PDF in a forked helper while the main process checks, composes and writes Word.

The PDF writer's fixed costs (importing ReportLab, parsing the TTF fonts) take about as long as
checking and composing the brief. On a machine with more than one core, ``PdfHelper`` forks at the
start of a build; the child pays those costs while the parent works, then renders the tree it is
sent and returns the bytes. Any failure in the child makes ``render`` return None, and the caller
renders in-process as usual, so errors surface exactly as without the helper.
"""

from __future__ import annotations

import gc
import os
import pickle
import struct
import sys
import threading
import warnings
from typing import Any

_HEADER = struct.Struct("!cQ")  # kind (b"D" data, b"E" error), length


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _send(fd: int, kind: bytes, payload: bytes) -> None:
    _write_all(fd, _HEADER.pack(kind, len(payload)) + payload)


def _receive(fd: int) -> tuple[bytes, bytes] | None:
    head = _read_exact(fd, _HEADER.size)
    if head is None:
        return None
    kind, length = _HEADER.unpack(head)
    payload = _read_exact(fd, length)
    return None if payload is None else (kind, payload)


def worth_forking(formats: list[str]) -> bool:
    """True when a forked PDF helper would save time and is safe here."""
    return (
        "pdf" in formats
        and hasattr(os, "fork")
        and (os.cpu_count() or 1) > 1
        and threading.active_count() == 1  # forking a threaded process can deadlock the child
        and "briefgen.writers.pdf.writer" not in sys.modules  # already warm: nothing to gain
        and not os.environ.get("BRIEFGEN_NO_FORK")
    )


def start_pdf_helper(formats: list[str], options: Any = None) -> PdfHelper | None:
    """A warming-up PDF helper when ``worth_forking(formats)``, else None."""
    return PdfHelper(options) if worth_forking(formats) else None


class PdfHelper:
    """A forked child that warms up the PDF writer, then renders one document on request."""

    def __init__(self, options: Any):
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # child
            os.close(self._to_child)
            os.close(self._from_child)
            _child(to_child_r, from_child_w, options)
        os.close(to_child_r)
        os.close(from_child_w)

    def submit(self, doc: Any, options: Any) -> None:
        """Hand the child the tree to render; collect the bytes later with ``result``."""
        try:
            _send(self._to_child, b"D", pickle.dumps((doc, options), protocol=pickle.HIGHEST_PROTOCOL))
            os.close(self._to_child)
        except OSError:
            pass
        self._to_child = -1

    def result(self) -> bytes | None:
        """The PDF bytes of the submitted tree, or None when the helper could not produce them."""
        try:
            answer = _receive(self._from_child) if self._from_child >= 0 else None
        except OSError:
            answer = None
        self.close()
        if answer is None or answer[0] != b"D":
            return None
        data, notes = pickle.loads(answer[1])
        for message, category in notes:  # the child's warnings, shown as if rendered here
            warnings.warn(message, category, stacklevel=2)
        return data

    def render(self, doc: Any, options: Any) -> bytes | None:
        """``submit`` then ``result``."""
        self.submit(doc, options)
        return self.result()

    def close(self) -> None:
        """Stop the child (if it still waits) and reap it."""
        for fd in (self._to_child, self._from_child):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._to_child = self._from_child = -1
        if self._pid:
            try:
                os.waitpid(self._pid, 0)
            except ChildProcessError:
                pass
            self._pid = 0


def _child(inbox: int, outbox: int, options: Any) -> None:
    """Warm up, render what the parent sends, answer, and leave without running the parent's exit code."""
    status = 0
    gc.disable()  # a short-lived child: the cyclic collector would only slow a long render down
    try:
        from briefgen.writers.pdf import writer as pdf

        try:
            pdf.warm_up(options)
        except Exception:  # the parent will hit the same problem in-process and report it
            pass
        request = _receive(inbox)
        if request is None:  # the parent gave up (e.g. the brief did not validate)
            return
        doc, render_options = pickle.loads(request[1])
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                data = pdf.write(doc, render_options)
            notes = [(str(w.message), w.category) for w in caught]
            reply = pickle.dumps((data, notes), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which re-renders
            _send(outbox, b"E", repr(exc).encode("utf-8", "replace"))
            return
        _send(outbox, b"D", reply)
    except BaseException:  # noqa: BLE001 - never let the child run the parent's code paths
        status = 1
    finally:
        os._exit(status)
