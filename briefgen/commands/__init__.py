"""One module per command; ``briefgen.cli`` loads them on demand."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence


def echo(message: Any = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a line the way every command does: control characters and escape sequences made visible.

    Briefs, sources and file names come from others; what they hold must never drive the terminal.
    """
    import click

    from briefgen.textsafe import for_terminal

    click.echo(for_terminal(str(message)), err=err, nl=nl)


def allow_hint(brief: Path, sources: Sequence[Path]) -> str:
    """The ``--allow-outside`` options a brief needs to read ``sources`` from outside its own folder."""
    from briefgen.fileio import is_inside

    outside = dict.fromkeys(str(s) for s in sources if not is_inside(s, Path(brief).parent))
    return "".join(f" --allow-outside {s}" for s in outside)
