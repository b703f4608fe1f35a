"""The user config file (``~/.config/briefgen/config.toml``): defaults for email, SMTP and the model server."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefgen.errors import InputError
from briefgen.fileio import ReadRefused, read_capped
from briefgen.limits import MAX_CONFIG_BYTES
from briefgen.outputs import source_date_epoch  # noqa: F401 - read by the commands with the config

CONFIG_ENV = "BRIEFGEN_CONFIG"
PASSWORD_ENV = "BRIEFGEN_SMTP_PASSWORD"


class _Section(BaseModel):
    """A config table: unknown keys are errors, so typos are caught."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SmtpConfig(_Section):
    """The ``[smtp]`` table: the mail server to send through."""

    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535, strict=True)
    security: Literal["starttls", "ssl", "none"] | None = None
    user: str | None = None
    password_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    cafile: Path | None = None
    timeout: float | None = Field(default=None, gt=0, le=600, strict=True, allow_inf_nan=False)
    helo: str | None = None


class EmailConfig(_Section):
    """The ``[email]`` table: message defaults."""

    sender: str | None = Field(default=None, alias="from")
    reply_to: list[str] = Field(default_factory=list)
    cc: list[str] = Field(default_factory=list)
    bcc: list[str] = Field(default_factory=list)
    max_size_mb: float | None = Field(default=None, gt=0, le=10_240, strict=True, allow_inf_nan=False)


class LlmConfig(_Section):
    """The ``[llm]`` table: the OpenAI-compatible model server `briefgen draft --engine llm` uses."""

    url: str | None = None
    model: str | None = None
    api_key_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    timeout: float | None = Field(default=None, gt=0, le=3600, strict=True, allow_inf_nan=False)
    retries: int | None = Field(default=None, ge=0, le=10, strict=True)
    backoff: float | None = Field(default=None, ge=0, le=600, strict=True, allow_inf_nan=False)
    context_tokens: int | None = Field(default=None, ge=1024, le=10_000_000, strict=True)
    max_tokens: int | None = Field(default=None, ge=256, le=1_000_000, strict=True)
    temperature: float | None = Field(default=None, ge=0, le=2, strict=True, allow_inf_nan=False)
    response_format: Literal["auto", "json_schema", "none"] | None = None
    cache_dir: Path | None = None


class UserConfig(_Section):
    """The whole config file."""

    email: EmailConfig = Field(default_factory=EmailConfig)
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
    llm: LlmConfig = Field(default_factory=LlmConfig)


_NO_HOME = Path("~/.config/briefgen/config.toml")  # shown in messages when no home folder is known


def _expand(path: Path) -> Path:
    """``path`` with ``~`` expanded; unchanged when there is no home folder (HOME unset, no passwd entry)."""
    try:
        return path.expanduser()
    except RuntimeError:
        return path


def config_path() -> Path:
    """``$BRIEFGEN_CONFIG``, else ``$XDG_CONFIG_HOME/briefgen/config.toml``, else ``~/.config/…``."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return _expand(Path(explicit))
    base = os.environ.get("XDG_CONFIG_HOME")
    if base:
        return _expand(Path(base)) / "briefgen" / "config.toml"
    return _expand(_NO_HOME)


def load_config(path: Path | None = None) -> UserConfig:
    """Read the config file; a missing default file gives defaults, a bad one an InputError."""
    explicit = path is not None or bool(os.environ.get(CONFIG_ENV))
    path = path or config_path()
    if not explicit and path == _NO_HOME:  # no home folder, so no config file in it: the defaults
        return UserConfig()
    try:
        raw = read_capped(path, MAX_CONFIG_BYTES)
    except ReadRefused as exc:
        if exc.kind == "missing":
            if explicit:
                raise InputError(f"config file not found: {path}") from None
            return UserConfig()
        if exc.kind == "too_large":
            raise InputError(f"config file {path} is larger than {MAX_CONFIG_BYTES // 1_000_000} MB; "
                             "a config file is a few lines") from None
        raise InputError(f"cannot read config file {path}: {exc.detail}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"config file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"config file {path}: {exc}") from None
    except RecursionError:
        raise InputError(f"config file {path}: arrays or tables nested too deeply") from None
    for table in ("smtp", "email"):
        section = data.get(table)
        if isinstance(section, dict) and "password" in section:
            raise InputError(
                f"config file {path}: [{table}] password is not allowed; keep the password out of files "
                f"and put it in an environment variable (default {PASSWORD_ENV}, or name one with "
                "`password_env`), or type it when asked"
            )
    llm = data.get("llm")
    if isinstance(llm, dict) and ({"api_key", "key", "token"} & set(llm)):
        raise InputError(
            f"config file {path}: [llm] keys are not allowed in the config file; put the key in an environment "
            "variable and name that variable with `api_key_env`"
        )
    try:
        config = UserConfig.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise InputError(f"config file {path}: {details}") from None
    if config.smtp.cafile is not None:
        cafile = _expand(config.smtp.cafile)
        config.smtp.cafile = cafile if cafile.is_absolute() else path.parent / cafile
    if config.llm.cache_dir is not None:
        cache_dir = config.llm.cache_dir.expanduser()
        config.llm.cache_dir = cache_dir if cache_dir.is_absolute() else path.parent / cache_dir
    return config
