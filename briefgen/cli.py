"""The ``briefgen`` command line: a group whose commands load lazily so ``--help`` is instant."""

from __future__ import annotations

import importlib
import os

import click

from briefgen import __version__

# command name -> (module under briefgen.commands, attribute, one-line help shown in `briefgen --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("validate", "validate", "Check a brief: schema, references and every quote against its source."),
    "schema": ("schema", "schema", "Write the JSON Schema of brief files (for editor completion)."),
    "build": ("build", "build", "Render a brief to Word, PDF and Markdown with source footnotes."),
    "draft": ("draft", "draft", "Draft a grounded brief from a folder of source documents."),
    "templates": ("templates", "templates", "List, show and copy brief templates (layouts)."),
    "email": ("email", "email", "Package a brief's outputs as an email message and optionally send it."),
}


class ReportedError(click.ClickException):
    """A briefgen error as click reports it: ``Error: <message>`` on stderr, exit with the error's code."""

    def __init__(self, error: Exception):
        from briefgen.textsafe import for_terminal

        super().__init__(for_terminal(str(error)))  # messages quote files sent by others
        self.exit_code = getattr(error, "exit_code", 1)


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        try:
            mod = importlib.import_module(f"briefgen.commands.{module}")
        except ModuleNotFoundError as exc:  # a command not shipped in this build
            if exc.name != f"briefgen.commands.{module}":
                raise
            return None
        return getattr(mod, attr)

    def invoke(self, ctx: click.Context):
        """Run the command; every error becomes ``Error: …`` and an exit code here, never a traceback."""
        from briefgen.errors import BriefgenError, InternalError

        try:
            return super().invoke(ctx)
        except click.exceptions.ClickException as exc:
            from briefgen.textsafe import for_terminal

            exc.message = for_terminal(str(exc.message))  # a bad value is quoted back as typed
            raise  # bad usage (exit 2) keeps click's handling
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise  # click's own exits
        except BriefgenError as exc:
            raise ReportedError(exc) from exc
        except Exception as exc:
            if os.environ.get("BRIEFGEN_DEBUG"):
                raise
            raise ReportedError(InternalError(exc)) from exc

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefgen")
def main() -> None:
    """Turn source documents into a sourced policy brief (Word, PDF, Markdown, email).

    Every claim in a brief cites a verbatim quote from a named source; briefgen
    checks each quote against the source text before it renders anything.

    \b
    Example:
      briefgen validate inputs/ukraine-security-guarantees/brief.yaml
    """


def run() -> None:
    """The ``briefgen`` program: the command line, in a process of its own.

    briefgen uses no pydantic plugins, and looking them up scans the metadata of every installed
    package when the first model is built, a noticeable share of a sub-second command. The lookup
    is switched off here, for briefgen's own process only (a value the user set is kept), never on
    import: a program using briefgen as a library keeps its plugins.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    main()
