"""``briefgen validate``: schema, cross-references and grounding together."""

from __future__ import annotations

import json
from pathlib import Path

import click

from briefgen.commands import echo

from briefgen.errors import ValidationFailed


@click.command("validate")
@click.argument("brief", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report as lines (path:line:col: item: message) or as JSON for machines.")
@click.option("--allow-outside", "allow_outside", multiple=True, metavar="PATH", type=click.Path(path_type=Path),
              help="Also let the brief read sources under PATH (repeatable); by default a brief reads only "
                   "files in its own folder.")
def validate(brief: Path, strict: bool, fmt: str, allow_outside: tuple[Path, ...]) -> None:
    """Check BRIEF (a .yaml or .json brief file) and report every problem in one run.

    Checks the schema, that every id is unique and every reference resolves,
    and that every quote occurs verbatim in its source's text (forgiving only
    whitespace, quote-mark and dash variants). A missing quote is reported with
    the closest passage in the source and a similarity score. Exits 1 on errors
    (and on warnings with --strict).

    \b
    Example:
      briefgen validate inputs/ukraine-security-guarantees/brief.yaml --strict
    """
    from briefgen.brief.check import check_file

    report = check_file(brief, allow_outside)
    failed = not report.ok(strict)
    if fmt == "json":
        from briefgen.textsafe import json_for_terminal

        click.echo(json_for_terminal(json.dumps({
            "file": str(brief),
            "ok": not failed,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "problems": [p.as_dict() for p in report.problems],
        }, indent=2, ensure_ascii=False)))
    else:
        for p in report.problems:
            echo(p.format(), err=True)
        n_cit = len(report.matches)
        if not failed:
            echo(f"{brief}: OK ({n_cit} citations grounded, {len(report.warnings)} warnings)")
    if failed:
        raise ValidationFailed(
            f"{brief}: {len(report.errors)} errors, {len(report.warnings)} warnings"
            + (" (warnings count as errors with --strict)" if strict and report.warnings else "")
        )
