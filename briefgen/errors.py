"""Domain errors, independent of any user interface: the command line turns them into ``Error: …`` and
an exit code in one place (``briefgen.cli``); a library caller catches them like any exception."""

from __future__ import annotations


class BriefgenWarning(UserWarning):
    """Something briefgen changed or left out of an input; the command line shows it as ``warning: …``."""


class BriefgenError(Exception):
    """Base class of every error a user can cause with bad input; ``exit_code`` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(BriefgenError):
    """A brief file, source file or option value cannot be read or is malformed."""


class ValidationFailed(BriefgenError):
    """The brief failed validation; the problems have already been reported."""


class TemplateError(BriefgenError):
    """A template folder or its ``template.toml`` is unusable."""


class OutputError(BriefgenError):
    """An output file could not be written."""


class MailError(BriefgenError):
    """An email message could not be built or sent."""


class InternalError(BriefgenError):
    """A fault in briefgen itself (not in the user's input), reported in one line."""

    exit_code = 70  # EX_SOFTWARE

    def __init__(self, exc: BaseException):
        super().__init__(f"internal error ({type(exc).__name__}: {exc}). This is a bug in briefgen, not in "
                         "your input; please report it with the command you ran "
                         "(set BRIEFGEN_DEBUG=1 to see the traceback)")
