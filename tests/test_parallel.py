"""The forked PDF helper gives the same bytes as rendering in-process, and falls back cleanly."""

from __future__ import annotations

import os
import warnings

import pytest

from briefgen import outline as o
from briefgen.build import build_brief
from briefgen.parallel import PdfHelper, worth_forking
from briefgen.writers import RenderOptions

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="this platform cannot fork")


def test_forked_and_in_process_builds_are_byte_identical(brief_dir):
    a = build_brief(brief_dir / "brief.yaml", brief_dir / "a", ("docx", "pdf"), parallel=True)
    b = build_brief(brief_dir / "brief.yaml", brief_dir / "b", ("docx", "pdf"), parallel=False)
    assert a["pdf"].read_bytes() == b["pdf"].read_bytes()
    assert a["docx"].read_bytes() == b["docx"].read_bytes()


def test_helper_returns_none_when_the_child_cannot_render():
    helper = PdfHelper(RenderOptions())
    bad = o.Document(o.DocMeta(title="t"), [object()])  # a node no writer knows
    assert helper.render(bad, RenderOptions()) is None  # the caller then renders in-process and reports


def test_helper_passes_the_childs_warnings_on():
    helper = PdfHelper(None)
    doc = o.Document(o.DocMeta(title="t"), [o.Para([o.T("bell \x07 here")])])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = helper.render(doc, RenderOptions())
    assert data.startswith(b"%PDF")
    assert any("U+0007" in str(w.message) for w in caught)


def test_a_brief_with_errors_stops_the_helper_and_writes_nothing(brief_dir):
    text = (brief_dir / "brief.yaml").read_text(encoding="utf-8")
    (brief_dir / "brief.yaml").write_text(text.replace("reliable guarantee", "reliable guarantor"), encoding="utf-8")
    with pytest.raises(Exception, match="refusing to build"):
        build_brief(brief_dir / "brief.yaml", brief_dir / "out", ("pdf",), parallel=True)
    assert not (brief_dir / "out").exists()


def test_no_fork_when_it_cannot_pay_off(monkeypatch):
    assert not worth_forking(["docx", "md"])
    monkeypatch.setenv("BRIEFGEN_NO_FORK", "1")
    assert not worth_forking(["pdf"])
