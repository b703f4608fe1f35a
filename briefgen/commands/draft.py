"""``briefgen draft``: read source articles and write a grounded draft brief."""

from __future__ import annotations

import os
from pathlib import Path

import click


def usable_cores() -> int:
    """The CPU cores this process may run on (1 to 64)."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on every platform
        n = os.cpu_count() or 1
    return max(1, min(64, n))


@click.command("draft")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(path_type=Path, dir_okay=False), default=Path("brief.yaml"),
              show_default=True, help="The brief file to write.")
@click.option("--title", help="Title of the brief (default: made from the main option).")
@click.option("--question", help="The key question the brief answers.")
@click.option("--gazetteer", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="A YAML file of extra states, organisations, titles and role words.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=usable_cores, show_default="usable cores",
              help="Read and analyse sources in this many processes.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists (your edits in it are lost).")
def draft(sources: tuple[Path, ...], output: Path, title: str | None, question: str | None,
          gazetteer: Path | None, jobs: int, quiet: bool, force: bool) -> None:
    """Draft a brief from SOURCES (files or folders of .txt, .md, .html, .pdf, .docx).

    Every actor, position, option, risk and open question in the draft cites
    verbatim quotes from the sources; a comment above each item gives its
    confidence and the reason, so you know what to check first. The draft
    passes `briefgen validate --strict` as written.

    \b
    Example:
      briefgen draft inputs/ukraine-security-guarantees/sources -o brief.yaml
    """
    from briefgen.draft import draft_to_file
    from briefgen.errors import OutputError
    from briefgen.sources.readers import expand_paths

    if output.exists() and not force:  # a brief an analyst has been editing is never overwritten
        raise OutputError(f"{output} already exists; choose another -o or pass --force to replace it")

    files = expand_paths(list(sources))
    progress = None
    if not quiet and len(files) >= 20:
        def progress(items):
            """Show a progress bar on stderr while sources are read."""
            with click.progressbar(items, length=len(files), label="Reading sources", file=click.get_text_stream("stderr")) as bar:
                yield from bar
    out = draft_to_file(files, output, title=title, question=question, gazetteer=gazetteer, jobs=jobs,
                        progress=progress)
    if not quiet:
        click.echo(f"{out}: draft written from {len(files)} source(s); check items marked LOW first, "
                   f"then run `briefgen validate --strict {out}`")
