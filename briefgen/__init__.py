"""briefgen: sourced policy briefs from a folder of documents.

A small library API; the ``briefgen`` command line is built on the same functions::

    import briefgen

    brief = briefgen.load("inputs/ukraine-security-guarantees/brief.yaml")
    report = briefgen.check(brief)          # every quote checked against its source
    pdf = briefgen.render(brief, format="pdf", template="one-pager")

Each function imports the pipeline it needs when called, so ``import briefgen`` stays light.
Errors a caller can cause are ``briefgen.errors.BriefgenError`` subclasses.
"""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from briefgen.brief.check import Report
    from briefgen.brief.models import Brief

__version__ = "0.1.0"
__all__ = ["load", "check", "draft", "render", "__version__"]

PathLike = str | os.PathLike[str]


def load(path: PathLike, *, allow_outside: Sequence[PathLike] = ()) -> Brief:
    """Read and check a brief file (.yaml/.yml/.json); ValidationFailed lists its errors.

    The brief remembers its file (``brief.file``): its sources are read relative to that folder,
    and only inside it (symbolic links followed) unless under a path in ``allow_outside``.
    """
    from briefgen.brief.check import check_file
    from briefgen.build import refusal

    report = check_file(path, allow_outside)
    if report.brief is None or report.errors:
        raise refusal(report, f"cannot load {path}", "fix them and load it again")
    report.brief._file = Path(path)
    return report.brief


def check(brief: Brief, *, allow_outside: Sequence[PathLike] = ()) -> Report:
    """Check a brief: schema, references and every quote against its source; returns every problem.

    Sources are read relative to ``brief.file`` (the current folder for a brief built in memory),
    and only inside that folder's tree unless under a path in ``allow_outside``.
    """
    from briefgen.brief.briefio import BriefFile
    from briefgen.brief.check import check_data

    path = brief.file or Path.cwd() / "brief.yaml"
    return check_data(BriefFile(Path(path), brief.model_dump(mode="json", exclude_none=True)), allow_outside)


def draft(paths: Sequence[PathLike], *, title: str | None = None, question: str | None = None,
          gazetteer: PathLike | None = None, jobs: int = 1, engine: str = "offline",
          llm_url: str | None = None, llm_model: str | None = None, llm_key_env: str | None = None,
          llm_cache: PathLike | None = None, no_cache: bool = False) -> Brief:
    """Draft a grounded brief from source files or folders (.txt, .md, .html, .pdf, .docx).

    Source paths in the draft are relative to the current folder. To keep a draft whose sources
    include PDF or Word files (their text is saved beside it), write it with ``briefgen draft``.

    ``engine="offline"`` (the default) reads the sources with language analysis on this machine.
    ``engine="llm"`` asks an OpenAI-compatible chat-completions server you run (as
    ``briefgen draft --engine llm``): ``llm_url`` and ``llm_model``, the key read from the
    environment variable named ``llm_key_env`` (a name, never the key), answers stored in the
    folder ``llm_cache`` unless ``no_cache``; a setting not given comes from ``[llm]`` in the config
    file. Only items with a quote found verbatim in its source are kept; what was dropped or
    replaced is issued as ``BriefgenWarning``. A failed request raises ``DraftIncomplete`` (an
    ``LLMError``) whose ``partial`` is the brief verified so far, or None.
    """
    if engine not in ("offline", "llm"):
        from briefgen.errors import InputError

        raise InputError(f"engine must be 'offline' or 'llm', not {engine!r}")
    if engine == "llm":
        return _draft_llm(paths, title, question, gazetteer, llm_url, llm_model, llm_key_env, llm_cache, no_cache)
    given = [name for name, value in (("llm_url", llm_url), ("llm_model", llm_model), ("llm_key_env", llm_key_env),
                                      ("llm_cache", llm_cache), ("no_cache", no_cache)) if value]
    if given:
        from briefgen.errors import InputError

        raise InputError(f"{', '.join(given)} need engine='llm'")
    from briefgen.brief.models import Brief as BriefModel
    from briefgen.draft import draft_brief

    drafted = draft_brief([Path(p) for p in paths], title, question, gazetteer, jobs, Path.cwd())
    brief = BriefModel.model_validate(drafted.brief)
    brief._file = Path.cwd() / "brief.yaml"
    return brief


def _draft_llm(paths: Sequence[PathLike], title: str | None, question: str | None, gazetteer: PathLike | None,
               url: str | None, model: str | None, key_env: str | None, cache: PathLike | None,
               no_cache: bool) -> Brief:
    """``draft`` with the model server: verified items only, drops as warnings, failures raised with the partial brief."""
    import warnings

    from briefgen.brief.models import Brief as BriefModel
    from briefgen.config import load_config
    from briefgen.draft.llm import DraftIncomplete, llm_draft, resolve_settings
    from briefgen.errors import BriefgenWarning

    settings = resolve_settings(load_config(), url, model, use_cache=not no_cache, key_env=key_env, cache_dir=cache)
    data, _, result, sources = llm_draft([Path(p) for p in paths], settings, title, question, gazetteer=gazetteer)
    for line in [*(f"dropped: {d}" for d in result.drops), *(f"replaced: {r}" for r in result.replaced),
                 *(f"note: {n}" for n in result.notices)]:
        warnings.warn(line, BriefgenWarning, stacklevel=3)
    brief = None
    if data is not None:
        for s, row in zip(sources, data["sources"]):
            row["path"] = Path(os.path.relpath(s.doc.path.resolve(), Path.cwd())).as_posix()
        brief = BriefModel.model_validate(data)
        brief._file = Path.cwd() / "brief.yaml"
    summary = (f"{result.requests} request(s) to {settings.host} ({result.from_cache} answered from the cache); "
               f"{result.proposed} item(s) proposed, {result.kept} kept")
    if result.fatal or result.failures:
        problem = "; ".join([*result.failures, *([result.fatal] if result.fatal else [])])
        kept = ("the partial brief, verified so far, is this error's `partial`" if brief is not None
                else "nothing was verified")
        raise DraftIncomplete(f"{problem}; {kept} ({summary})", brief, result)
    if brief is None:
        raise DraftIncomplete(f"no proposed item had a quote found verbatim in its source ({summary})", None, result)
    return brief


def render(brief: Brief, format: str = "pdf", template: PathLike | None = None, *,
           allow_outside: Sequence[PathLike] = ()) -> bytes:
    """Render a checked brief to one format ('docx', 'pdf' or 'md') with a template (a name or a folder).

    The brief is checked first (sources confined as in ``check``): one that fails its check raises
    ValidationFailed, and nothing is rendered.
    """
    from briefgen.build import check_format, refusal, render_format, settings_for
    from briefgen.compose.composer import compose

    check_format([format])
    report = check(brief, allow_outside=allow_outside)
    if not report.ok() or report.brief is None:
        raise refusal(report, "refusing to render the brief", "nothing was rendered")
    layout, options = settings_for(template)
    return render_format(compose(report.brief, layout, report), format, options)


class _Package(types.ModuleType):
    """The type of the ``briefgen`` module: ``briefgen.draft`` stays the API function.

    The drafting pipeline is the subpackage ``briefgen.draft``; importing it makes Python set the
    package attribute ``draft`` to that subpackage, which would hide the function. This property
    keeps the function; ``from briefgen.draft import …`` still finds the subpackage by its full name.
    """

    @property
    def draft(self):  # noqa: D401 - a property standing for the function
        """The API function ``draft`` (see its own docstring)."""
        return self.__dict__["draft"]

    @draft.setter
    def draft(self, value: object) -> None:
        if not isinstance(value, types.ModuleType):
            self.__dict__["draft"] = value


sys.modules[__name__].__class__ = _Package
