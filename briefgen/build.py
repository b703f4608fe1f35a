"""The build pipeline: check a brief, compose it once, render every format, then write all files."""

from __future__ import annotations

import gc
import importlib.util
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Mapping, Sequence

from briefgen.errors import InputError, ValidationFailed
from briefgen.fileio import replace_all
from briefgen.compose.layout import Layout
from briefgen.parallel import PdfHelper, worth_forking
from briefgen.writers import REGISTRY, RenderOptions, suffix_for, writer_for

# The one place that decides what `briefgen build` writes when no --format is given.
DEFAULT_FORMATS: tuple[str, ...] = (
    ("docx", "pdf", "md") if importlib.util.find_spec("briefgen.writers.pdf") else ("docx", "md")
)
_GENERIC_STEMS = {"brief", "index", "main", "input"}
_MAX_LISTED = 20


def refusal(report: Any, what: str, consequence: str, strict: bool = False) -> ValidationFailed:
    """The error for a brief that failed its check: ``what``, the count, ``consequence``, then the problems."""
    problems = report.problems if strict else report.errors
    lines = [p.format() for p in problems[:_MAX_LISTED]]
    if len(problems) > _MAX_LISTED:
        lines.append(f"… and {len(problems) - _MAX_LISTED} more (run `briefgen validate {report.path}`)")
    kind = "problems" if strict else "errors"
    return ValidationFailed(f"{what}: the brief has {len(problems)} {kind}; {consequence}\n" + "\n".join(lines))


def settings_for(template: str | Path | None) -> tuple[Layout, RenderOptions]:
    """The compose layout and render options of a template (a built-in name or a folder; None: defaults)."""
    if template is None:
        # the default template, policy-brief, renders exactly as these defaults (a test holds it to
        # that), so the common case skips reading and validating template.toml
        return Layout(), RenderOptions()
    from briefgen.compose.templates import find_template

    found = find_template(template)
    return found.to_layout(), found.to_render_options()


def check_format(formats: Sequence[str]) -> None:
    """Refuse output formats no writer is registered for, before any work is done."""
    unknown = [f for f in formats if f not in REGISTRY]
    if unknown:
        raise InputError(f"unknown output format {', '.join(map(repr, unknown))}; "
                         f"choose from {', '.join(REGISTRY)}")


def render_format(doc: Any, fmt: str, options: RenderOptions) -> bytes:
    """One format's bytes from a composed document."""
    try:
        writer = writer_for(fmt)
    except ModuleNotFoundError as exc:
        raise InputError(f"the {fmt} writer is not available in this installation ({exc.name})") from None
    return writer(doc, options)


def brief_name(brief_path: Path) -> str:
    """The output file name of a brief: its file stem, or its folder's name for 'brief.yaml'."""
    brief_path = Path(brief_path)
    stem = brief_path.stem
    if stem.lower() in _GENERIC_STEMS:
        folder = brief_path.resolve().parent.name
        if folder:
            return folder
    return stem


def default_output_dir(brief_path: Path) -> Path:
    """Where outputs go when no folder is given: ./out/<brief name>/."""
    return Path("out") / brief_name(brief_path)


def build_brief(
    brief_path: Path,
    out_dir: Path | None = None,
    formats: Sequence[str] = ("docx",),
    *,
    layout: Layout | None = None,
    options: RenderOptions | None = None,
    emit_outline: Path | None = None,
    strict: bool = False,
    parallel: bool | None = None,
    pdf_helper: PdfHelper | None = None,
    allow_outside: Sequence[Path | str] = (),
    inputs: Mapping[str, Path] | None = None,
) -> dict[str, Path]:
    """Build a brief into each format; return {format: path}. Nothing is written unless all succeed.

    No output may replace an input of the run: the brief, its sources, the files the options name,
    and ``inputs`` (role -> path, e.g. a template's ``template.toml``). A manifest beside the outputs
    records which brief, inputs and settings they were built from (see ``briefgen.outputs``).

    ``parallel`` renders the PDF in a forked helper that warms up while the brief is checked and
    composed (None: when it pays off and is safe, see ``briefgen.parallel.worth_forking``);
    ``pdf_helper`` is one the caller started earlier still (this function closes it).
    Sources must lie in the brief's folder tree unless under a path in ``allow_outside``.
    """
    from briefgen.outputs import source_date_epoch

    brief_path = Path(brief_path)
    # 1. refuse unknown formats and a bad SOURCE_DATE_EPOCH before doing any work
    formats = list(dict.fromkeys(formats))
    check_format(formats)
    source_date_epoch()
    options = options or RenderOptions()
    helper = pdf_helper
    wanted = worth_forking(formats) if parallel is None else parallel
    if helper is None and wanted and "pdf" in formats and hasattr(os, "fork"):
        helper = PdfHelper(options)
    try:
        with collector_paused():
            return _build(brief_path, formats, layout, options, emit_outline, strict, out_dir, helper,
                          dict(inputs or {}), allow_outside)
    finally:
        if helper is not None:
            helper.close()


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector for one build, then restore it as it was.

    A build allocates many small objects and frees them at the end; full collections along the way
    grow with the heap and make large builds superlinear; the objects are acyclic and freed by
    reference counting, so pausing costs no memory.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(brief_path: Path, formats: list[str], layout: Layout | None, options: RenderOptions,
           emit_outline: Path | None, strict: bool, out_dir: Path | None, helper: Any,
           inputs: dict[str, Path], allow_outside: Sequence[Path | str] = ()) -> dict[str, Path]:
    """Steps 2–4 of ``build_brief``."""
    from briefgen import outputs as outs
    from briefgen.brief.check import check_file
    from briefgen.compose.composer import compose
    from briefgen.outline import to_dict

    # 2. validate: an ungrounded or invalid brief is never rendered
    report = check_file(brief_path, allow_outside)
    if not report.ok(strict) or report.brief is None:
        raise refusal(report, f"refusing to build {brief_path}", "no file was written", strict)
    # 2b. where the outputs go: never over an input, never two outputs to one file, never over
    # the outputs of another brief with the same name
    folder = Path(out_dir) if out_dir is not None else default_output_dir(brief_path)
    name = brief_name(brief_path)
    targets = {fmt: folder / f"{name}{suffix_for(fmt)}" for fmt in formats}
    manifest_file = outs.manifest_path(folder, name)
    written = {f"the {fmt} output": path for fmt, path in targets.items()}
    if emit_outline is not None:
        written["the outline (--emit-outline)"] = Path(emit_outline)
    written["the build manifest"] = manifest_file
    outs.check_targets(written, {**_run_inputs(brief_path, report.brief, options), **inputs})
    previous = outs.refuse_foreign(folder, name, brief_path)
    # 3. compose once; every writer renders the same tree
    doc = compose(report.brief, layout or Layout(), report)
    rendered: dict[str, bytes] = {}
    if helper is not None and "pdf" in formats:
        helper.submit(doc, options)  # the child renders the PDF while this process does the rest
    # the helper's PDF is collected last, so that it renders while the other formats do
    for fmt in sorted(formats, key=lambda f: helper is not None and f == "pdf"):
        data = helper.result() if helper is not None and fmt == "pdf" else None
        if data is None:
            data = render_format(doc, fmt, options)
        rendered[fmt] = data
    outline_bytes = None
    if emit_outline is not None:
        outline_bytes = (json.dumps(to_dict(doc), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    # 4. write everything together, only now that every format rendered: all files or none
    pending = [(targets[f], rendered[f]) for f in formats]
    if outline_bytes is not None:
        pending.append((Path(emit_outline), outline_bytes))
    manifest = _manifest(folder, brief_path, report, layout, options, previous,
                         {targets[f].name: rendered[f] for f in formats})
    pending.append((manifest_file, manifest.to_bytes()))
    replace_all(pending)
    return targets


def _run_inputs(brief_path: Path, brief: Any, options: RenderOptions) -> dict[str, Path]:
    """Every file a build reads, by role: the brief, its sources and the files the options name."""
    found: dict[str, Path] = {"the brief": Path(brief_path)}
    for src in brief.sources:
        found[f"source '{src.id}'"] = Path(brief_path).parent / src.path
    if options.reference_docx is not None:
        found["the reference document"] = Path(options.reference_docx)
    if options.logo is not None:
        found["the template's logo"] = Path(options.logo)
    for face, font in options.fonts.items():
        found[f"the template's {face} font"] = Path(font)
    return found


def _manifest(folder: Path, brief_path: Path, report: Any, layout: Layout | None, options: RenderOptions,
              previous: Any, files: dict[str, bytes]) -> Any:
    """The manifest of this build; outputs of other formats from the same inputs and settings stay listed."""
    import hashlib

    from briefgen import outputs as outs
    from briefgen.fileio import read_capped
    from briefgen.limits import MAX_BRIEF_BYTES

    marking = report.brief.meta.marking
    manifest = outs.Manifest(
        folder=folder, brief=outs.brief_reference(folder, brief_path),
        inputs=outs.inputs_digest(read_capped(brief_path, MAX_BRIEF_BYTES), report.texts),
        settings=outs.settings_digest(layout or Layout(), options),
        tlp=marking.tlp.value if marking.tlp else None,
        banner=marking.banner.value if marking.banner else None,
    )
    if previous is not None and (previous.inputs, previous.settings) == (manifest.inputs, manifest.settings) \
            and previous.is_for(brief_path):
        manifest.outputs = {n: d for n, d in previous.outputs.items() if previous.vouches_for(folder / n)}
    manifest.outputs.update({n: hashlib.sha256(data).hexdigest() for n, data in files.items()})
    return manifest
