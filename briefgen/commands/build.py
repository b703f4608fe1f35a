"""``briefgen build``: validate a brief, then render it to Word, Markdown (and PDF when available)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from briefgen.commands import allow_hint, echo

from briefgen.writers import REGISTRY


@click.command("build")
@click.argument("brief", type=click.Path(path_type=Path))
@click.option("-o", "--output-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the outputs [default: out/<brief name>/].")
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(sorted(REGISTRY)),
              help="Output format; repeat for several [default: every available format].")
@click.option("-t", "--template", "template_name", metavar="NAME|DIR", default=None,
              help="Layout: a built-in template (see `briefgen templates list`) or a template folder "
                   "[default: policy-brief].")
@click.option("--reference-docx", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Take Word styles, page size, margins, headers and footers from this .docx "
                   "(instead of the template's reference.docx).")
@click.option("--emit-outline", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the format-neutral document tree to this JSON file.")
@click.option("--endnotes", is_flag=True, help="Put the notes at the end of the document, not at the foot of each page.")
@click.option("--no-quotes", is_flag=True, help="Leave the quoted words out of the notes.")
@click.option("--full-notes", is_flag=True, help="Use the full note form every time (no short forms).")
@click.option("--strict", is_flag=True, help="Refuse to build when validation reports warnings too.")
@click.option("--allow-outside", "allow_outside", multiple=True, metavar="PATH", type=click.Path(path_type=Path),
              help="Also let the brief read sources under PATH (repeatable); by default a brief reads only "
                   "files in its own folder.")
def build(brief: Path, output_dir: Path | None, formats: tuple[str, ...], template_name: str | None,
          reference_docx: Path | None, emit_outline: Path | None, endnotes: bool, no_quotes: bool,
          full_notes: bool, strict: bool, allow_outside: tuple[Path, ...]) -> None:
    """Validate BRIEF, then render it with one footnote per cited statement.

    BRIEF may also be a folder of sources: briefgen then drafts a brief from
    them into OUTPUT_DIR/brief.yaml (or uses the one already there, so your
    edits are kept; delete it to draft again) and builds that. OUTPUT_DIR must
    lie outside the sources folder, and files a build wrote (listed in its
    .<name>.build.json manifest) are never read as sources.

    Nothing is written when the brief has errors (every quote must occur in its
    source) or the template is unusable. Outputs are written as
    <brief name>.<format>, where the brief name is the file's stem, or its
    folder's name for a file called brief.yaml; use -o to keep the outputs of
    different templates apart. Sections, headings, page, fonts, colours, logo and
    notes come from the template; --endnotes, --no-quotes and --full-notes
    override its notes settings. No output may replace a file the build reads,
    and the outputs of another brief with the same name are never replaced.

    \b
    Example:
      briefgen build inputs/ukraine-security-guarantees/brief.yaml -o out/ --format docx --format md
      briefgen build inputs/ukraine-security-guarantees/brief.yaml --template one-pager -o out/one-pager
      briefgen build inputs/ukraine-security-guarantees/sources -o out/draft
    """
    from briefgen.build import DEFAULT_FORMATS, default_output_dir
    from briefgen.parallel import start_pdf_helper

    formats = formats or DEFAULT_FORMATS
    helper = start_pdf_helper(list(formats))  # warms up the PDF writer while the rest loads
    try:
        drafted = None
        if os.path.isdir(brief):  # False for any name the system cannot look up
            if template_name is not None:  # an unusable template fails before anything is drafted
                from briefgen.compose.templates import find_template

                find_template(template_name)
            output_dir = output_dir or default_output_dir(brief)
            from briefgen.outputs import check_not_inside

            check_not_inside(output_dir, brief)  # outputs among the sources would be read back as sources
            allow_outside = (*allow_outside, brief)  # the folder named here is the draft's sources
            brief, drafted = _draft_for_build(brief, output_dir)
        try:
            written = _build(brief, output_dir, formats, template_name, reference_docx, emit_outline,
                             endnotes, no_quotes, full_notes, strict, helper, allow_outside)
        except BaseException:
            if drafted is not None:  # no partial output: a draft made for a failed build goes too
                import shutil

                shutil.rmtree(drafted.with_suffix(".sources"), ignore_errors=True)
                drafted.unlink(missing_ok=True)
            raise
    finally:
        if helper is not None:
            helper.close()
    for path in written.values():
        echo(str(path))
    if emit_outline:
        echo(str(emit_outline))


def _draft_for_build(sources: Path, output_dir: Path) -> tuple[Path, Path | None]:
    """The brief to build for a folder of sources: a draft made now (also returned second), or the one there."""
    from briefgen.draft import draft_to_file

    draft = output_dir / "brief.yaml"
    if draft.exists():
        echo(f"using the existing draft {draft} (delete it to draft again from {sources})", err=True)
        return draft, None
    draft_to_file(sources_to_draft([sources]), draft)
    echo(f"drafted {draft} from {sources}; check it, then build it again with `briefgen build {draft}"
         f"{allow_hint(draft, [sources])}`", err=True)
    return draft, draft


def sources_to_draft(paths: list[Path], output_folder: Path | None = None) -> list[Path]:
    """The source files in ``paths``, leaving out what briefgen built there (with a note saying so).

    An ``output_folder`` strictly inside a named sources folder is left out too: what briefgen
    writes there is never read back as a source.
    """
    from briefgen.sources.readers import expand_paths

    skipped: list[Path] = []
    files = expand_paths(paths, skipped)
    if output_folder is not None:
        out = output_folder.resolve()
        if any(p.is_dir() and p.resolve() in out.parents for p in paths):
            skipped += [f for f in files if out in f.resolve().parents]
            files = [f for f in files if out not in f.resolve().parents]
    if skipped:
        names = ", ".join(str(p) for p in skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        echo(f"note: not reading briefgen's own outputs as sources: {names}", err=True)
    return files


def _build(brief, output_dir, formats, template_name, reference_docx, emit_outline, endnotes, no_quotes,
           full_notes, strict, helper, allow_outside):
    """Resolve the template and options, build, and report any removed characters."""
    import warnings
    from dataclasses import replace

    from briefgen.build import build_brief, settings_for
    from briefgen.errors import BriefgenWarning

    layout, options = settings_for(template_name)
    if no_quotes:
        layout = layout.with_(quotes_in_notes=False)
    if full_notes:
        layout = layout.with_(citation_style="always-full")
    if reference_docx is not None:
        options = replace(options, reference_docx=reference_docx)
    if endnotes:
        options = replace(options, notes="endnotes")
    inputs = {}
    if template_name is not None and Path(template_name).is_dir():
        inputs["the template's template.toml"] = Path(template_name) / "template.toml"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BriefgenWarning)
        written = build_brief(brief, output_dir, formats, layout=layout, options=options,
                              emit_outline=emit_outline, strict=strict, pdf_helper=helper,
                              allow_outside=allow_outside, inputs=inputs)
    shown = set()
    for w in caught:
        if issubclass(w.category, BriefgenWarning) and str(w.message) not in shown:
            shown.add(str(w.message))
            echo(f"warning: {w.message}", err=True)
    return written
