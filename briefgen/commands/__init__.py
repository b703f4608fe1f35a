"""One module per command; ``briefgen.cli`` loads them on demand."""

from __future__ import annotations

from typing import Any


def echo(message: Any = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a line the way every command does: control characters and escape sequences made visible.

    Briefs, sources and file names come from others; what they hold must never drive the terminal.
    """
    import click

    from briefgen.textsafe import for_terminal

    click.echo(for_terminal(str(message)), err=err, nl=nl)
