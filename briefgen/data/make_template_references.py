"""Generate the ``reference.docx`` of the built-in templates from the default reference document.

Run ``python -m briefgen.data.make_template_references`` after changing the default reference
document or a size here, and commit the results. policy-brief gets an unchanged copy; one-pager
gets small type and tight spacing (its example must fit one Word page); decision-memo a smaller
title. Page size and margins come from each template's ``template.toml``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import docx
from docx.shared import Pt

from briefgen.compose.templates import BUILTIN_DIR
from briefgen.writers.docx.writer import DEFAULT_REFERENCE, save_deterministic

# style name -> (size pt, space before pt, space after pt, line spacing); None keeps the default's value
ONE_PAGER: dict[str, tuple[float | None, float | None, float | None, float | None]] = {
    "Normal": (8.5, None, 0, 1.0),
    "Body Text": (None, None, 2, None),
    "Compact": (None, 0, 1, None),
    "Table Text": (7, 0, 0, None),
    "Title": (15, None, 2, None),
    "Subtitle": (9.5, None, 3, None),
    "Heading 1": (11, 6, 2, None),
    "Heading 2": (9.5, 4, 1, None),
    "Title Block": (7.5, None, 0, None),
    "Caption": (7.5, None, 2, None),
    "Table Caption": (None, 3, 2, None),
    "Small Print": (7, 1, 2, None),
    "Marking": (9, 2, 2, None),
    "Footnote Text": (6.5, None, 0, 1.0),
    "Header": (7, None, None, None),
    "Footer": (7, None, None, None),
}
DECISION_MEMO: dict[str, tuple[float | None, float | None, float | None, float | None]] = {
    "Title": (16, None, 6, None),
    "Body Text": (None, None, 4, None),
}


def derive(sizes: dict[str, tuple[float | None, float | None, float | None, float | None]]) -> bytes:
    """The default reference document with some styles' size and spacing changed."""
    word = docx.Document(str(DEFAULT_REFERENCE))
    by_name = {st.name.casefold(): st for st in word.styles}
    for name, (size, before, after, line) in sizes.items():
        st = by_name[name.casefold()]
        pf = st.paragraph_format
        if size is not None:
            st.font.size = Pt(size)
        if before is not None:
            pf.space_before = Pt(before)
        if after is not None:
            pf.space_after = Pt(after)
        if line is not None:
            pf.line_spacing = line
    cp = word.core_properties
    cp.created = cp.modified = cp.last_printed = dt.datetime(2025, 1, 1)
    return save_deterministic(word, "2025-01-01")


def main() -> None:
    """Write each built-in template's reference.docx."""
    shutil.copyfile(DEFAULT_REFERENCE, BUILTIN_DIR / "policy-brief" / "reference.docx")
    (BUILTIN_DIR / "one-pager" / "reference.docx").write_bytes(derive(ONE_PAGER))
    (BUILTIN_DIR / "decision-memo" / "reference.docx").write_bytes(derive(DECISION_MEMO))
    print(f"wrote the reference documents under {BUILTIN_DIR}", file=sys.stderr)


if __name__ == "__main__":
    main()
