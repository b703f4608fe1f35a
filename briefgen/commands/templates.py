"""``briefgen templates``: list, show and copy the templates that shape a brief's look."""

from __future__ import annotations

from pathlib import Path

import click

from briefgen.commands import echo


@click.group("templates")
def templates() -> None:
    """List, show and copy brief templates (layouts).

    A template is a folder: template.toml (page, fonts, colours, logo,
    header and footer, sections and their headings, how notes read), a
    reference.docx for Word styles, and assets/. Use one with
    `briefgen build BRIEF --template NAME|DIR`.

    \b
    Example:
      briefgen templates list
      briefgen templates init my-house-style --from policy-brief
    """


@templates.command("list")
def list_() -> None:
    """List the built-in templates with their descriptions.

    \b
    Example:
      briefgen templates list
    """
    from briefgen.compose.templates import BUILTIN_DIR, builtin_names, load_template

    for name in builtin_names():
        spec = load_template(BUILTIN_DIR / name).spec
        echo(f"{name:16} {spec.description}")


@templates.command("show")
@click.argument("name")
def show(name: str) -> None:
    """Show a template (a built-in NAME or a folder): page, sections, notes, files.

    \b
    Example:
      briefgen templates show one-pager
    """
    from briefgen.compose.layout import default_heading
    from briefgen.compose.templates import find_template

    t = find_template(name)
    s = t.spec
    echo(f"name:        {s.name}")
    echo(f"folder:      {t.folder}")
    echo(f"description: {s.description}")
    size = s.page.size or "from reference.docx (Word), letter (PDF)"
    if s.page.margins_mm:
        top, right, bottom, left = s.page.margins_mm
        margins = f"margins {top:g}/{right:g}/{bottom:g}/{left:g} mm (top/right/bottom/left)"
    else:
        margins = "margins from reference.docx (Word), 24/22/24/22 mm (PDF)"
    echo(f"page:        {size}, {margins}")
    if s.page.text_size_pt:
        echo(f"text (PDF):  {s.page.text_size_pt:g} pt")
    echo(f"fonts (PDF): {', '.join(getattr(s.fonts, f) for f in ('regular', 'bold', 'italic', 'bolditalic')) if s.fonts else 'built-in'}")
    echo(f"logo:        {s.logo or 'none'}")
    echo(f"header:      {s.header}")
    echo(f"footer:      {s.footer}")
    echo(f"notes:       {s.citations.notes}, {s.citations.style}, quotes {'on' if s.citations.quotes else 'off'}")
    echo(f"colours:     {', '.join(f'{k} {v}' for k, v in s.colors.items()) or 'default'}")
    echo(f"reference:   {t.reference_docx or 'built-in reference.docx'}")
    if s.labels:
        echo(f"labels:      {', '.join(f'{k} = {v!r}' for k, v in s.labels.items())}")
    echo("sections:")
    for sec in s.sections:
        extra = [f"at most {sec.limit}"] if sec.limit else []
        if sec.variant != "full":
            extra.append(f"variant {sec.variant}")
        heading = default_heading(sec.key) if sec.heading is None else sec.heading
        echo(f"  - {sec.key:16} {heading}{' (' + ', '.join(extra) + ')' if extra else ''}")


@templates.command("init")
@click.argument("dest", type=click.Path(path_type=Path, file_okay=False))
@click.option("--from", "source", default="policy-brief", show_default=True,
              help="The built-in template (or a template folder) to copy.")
def init(dest: Path, source: str) -> None:
    """Copy a template into the new folder DEST, ready to edit.

    Edit DEST/template.toml (page, colours, logo, sections, headings), restyle
    DEST/reference.docx in Word (Modify Style on the named styles), put your
    logo and fonts in DEST/assets/, then build with --template DEST.

    \b
    Example:
      briefgen templates init acme --from one-pager
      briefgen build inputs/ukraine-security-guarantees/brief.yaml --template acme
    """
    from briefgen.compose.templates import init_template

    init_template(dest, source, warn=lambda text: echo(f"warning: {text}", err=True))
    echo(f"created {dest} from '{source}': edit {dest / 'template.toml'} and {dest / 'reference.docx'}")
