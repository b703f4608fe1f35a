"""``briefgen email``: package a brief's outputs as an .eml message and optionally send it over SMTP."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from briefgen.commands import echo
from briefgen.errors import InputError, MailError, ValidationFailed

DEFAULT_ATTACH = "docx,pdf"
# The From address of a dry run when none is configured: a reserved domain (RFC 2606) that cannot deliver.
PLACEHOLDER_SENDER = "Sender not configured <sender@example.invalid>"
MAX_SIZE_MB = 10_240  # far above what any mail server accepts


class _Positive(click.ParamType):
    """A finite number above 0 and at most ``top`` (inf, nan and 1e400 are refused as usage errors)."""

    name = "number"

    def __init__(self, top: float):
        self.top = top

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        """The value as a float, or a usage error naming the option."""
        import math

        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or not 0 < number <= self.top:
            self.fail(f"{value!r} is not a number above 0 and at most {self.top:g}", param, ctx)
        return number


def _default_outputs(brief: Path) -> Path:
    """The build command's default output folder for this brief (decided in one place, briefgen.build)."""
    from briefgen.build import default_output_dir

    return default_output_dir(brief)


def _brief_name(brief: Path) -> str:
    """The name the build gives this brief's output files."""
    from briefgen.build import brief_name

    return brief_name(brief)


def _formats(attach: str) -> list[str]:
    from briefgen.writers import REGISTRY

    formats = [f.strip().lower().lstrip(".") for f in attach.split(",") if f.strip()]
    if not formats:
        raise click.BadParameter("name at least one format, e.g. docx,pdf", param_hint="--attach")
    for f in formats:
        if f not in REGISTRY:
            raise click.BadParameter(f"unknown format '{f}' (choose from {', '.join(REGISTRY)})",
                                     param_hint="--attach")
    return list(dict.fromkeys(formats))


def _ensure_outputs(brief: Path, report: Any, out_dir: Path, formats: list[str], echo,
                    allow_outside: tuple[Path, ...] = ()) -> tuple[list[Path], Any]:
    """The output files of ``brief`` in ``out_dir`` and their manifest; builds those not vouched for.

    An output is fresh when the manifest beside it names this brief, records the digest the brief
    and its sources have now, and the file still has the content the build wrote; file times do not
    count. Outputs of another brief with the same name are refused, never attached or replaced.
    """
    from briefgen import outputs as outs
    from briefgen.build import build_brief, settings_for
    from briefgen.fileio import read_capped
    from briefgen.limits import MAX_BRIEF_BYTES
    from briefgen.writers import suffix_for

    name = _brief_name(brief)
    paths = {f: out_dir / f"{name}{suffix_for(f)}" for f in formats}
    manifest = outs.refuse_foreign(out_dir, name, brief)
    digest = outs.inputs_digest(read_capped(brief, MAX_BRIEF_BYTES), report.texts)
    current = manifest is not None and manifest.is_for(brief) and manifest.inputs == digest
    stale = [f for f, p in paths.items() if not (current and manifest.vouches_for(p))]
    if stale:
        layout, options = settings_for(None)
        if manifest is not None and manifest.settings != outs.settings_digest(layout, options):
            stale = list(formats)  # built with another template: rebuild all, so the files match
        echo(f"Building {', '.join(stale)} from {brief} …")
        build_brief(brief, out_dir, formats=stale, layout=layout, options=options, allow_outside=allow_outside)
        manifest = outs.read_manifest(out_dir, name)
    return [paths[f] for f in formats], manifest


def _reproducible_date() -> dt.datetime | None:
    from briefgen.config import source_date_epoch

    epoch = source_date_epoch()
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc)


@click.command("email")
@click.argument("brief", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--to", "to", multiple=True, required=True, metavar="ADDR",
              help="Recipient; repeat the option or separate addresses with commas.")
@click.option("--cc", multiple=True, metavar="ADDR", help="Copy recipient (repeatable).")
@click.option("--bcc", multiple=True, metavar="ADDR",
              help="Blind-copy recipient (repeatable); used only when sending, never saved in the .eml.")
@click.option("--from", "sender", metavar="ADDR",
              help="Sender, e.g. 'Jane Analyst <jane@example.org>' (default: `from` in the config file).")
@click.option("--reply-to", multiple=True, metavar="ADDR", help="Reply-To address (repeatable).")
@click.option("--subject", help="Subject line (default: '[TLP:…] <title> — <date>').")
@click.option("--attach", default=DEFAULT_ATTACH, show_default=True, metavar="FORMATS",
              help="Outputs to attach, comma-separated: docx, pdf, md.")
@click.option("--outputs", "outputs", type=click.Path(path_type=Path, file_okay=False),
              help="Folder with the built outputs (default: the build command's, out/<brief name>/).")
@click.option("-o", "--output", "eml", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to save the message (default: <outputs>/<brief name>.eml).")
@click.option("--max-size", type=_Positive(MAX_SIZE_MB), metavar="MB",
              help="Refuse attachments larger than this in total (default 20 MB).")
@click.option("--send", is_flag=True, help="Send the message over SMTP after saving it.")
@click.option("--dry-run", is_flag=True,
              help="Do everything --send does (build, save the .eml) but connect to no server; "
                   "show what would be sent. Needs no server and no sender: a placeholder From "
                   "address stands in when none is configured.")
@click.option("--yes", is_flag=True, help="Confirm sending a brief marked TLP:RED or TLP:AMBER+STRICT.")
@click.option("--smtp-host", metavar="HOST", help="SMTP server (default: [smtp] host in the config file).")
@click.option("--smtp-port", type=click.IntRange(1, 65535), metavar="PORT",
              help="SMTP port (default 587 with STARTTLS, 465 with --ssl, 25 with --no-tls).")
@click.option("--starttls", is_flag=True, help="Upgrade the connection with STARTTLS (the default).")
@click.option("--ssl", "use_ssl", is_flag=True, help="Use TLS from the start (SMTPS, usually port 465).")
@click.option("--no-tls", is_flag=True,
              help="No encryption (only for a relay on your own machine); refused together with a login.")
@click.option("--smtp-user", metavar="USER", help="Log in as USER; the password comes from "
              "$BRIEFGEN_SMTP_PASSWORD (or the config's password_env) or is asked for.")
@click.option("--smtp-cafile", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Also trust the certificates in this PEM file (a private mail server's CA).")
@click.option("--smtp-timeout", type=_Positive(600), metavar="SECONDS",
              help="Give up on an unresponsive server after this long (default 30).")
@click.option("--allow-outside", "allow_outside", multiple=True, metavar="PATH", type=click.Path(path_type=Path),
              help="Also let the brief read sources under PATH (repeatable); by default a brief reads only "
                   "files in its own folder.")
def email(brief: Path, to: tuple[str, ...], cc: tuple[str, ...], bcc: tuple[str, ...], sender: str | None,
          reply_to: tuple[str, ...], subject: str | None, attach: str, outputs: Path | None,
          eml: Path | None, max_size: float | None, send: bool, dry_run: bool, yes: bool,
          smtp_host: str | None, smtp_port: int | None, starttls: bool, use_ssl: bool, no_tls: bool,
          smtp_user: str | None, smtp_cafile: Path | None, smtp_timeout: float | None,
          allow_outside: tuple[Path, ...]) -> None:
    """Package BRIEF's outputs as an email message (.eml) and optionally send it.

    The message has a short summary in the body (marking, title, key
    judgments, top risks, one line per attachment) as plain text and HTML, with
    the .docx and .pdf attached. Outputs missing or older than the brief are
    built first. The .eml opens in Outlook, Thunderbird and Apple Mail.

    With --send it goes out through your SMTP server. Server, port, login and
    sender can be set once in ~/.config/briefgen/config.toml (or the file named
    by $BRIEFGEN_CONFIG). The password is never an option: it is read from
    $BRIEFGEN_SMTP_PASSWORD or asked for. A brief marked TLP:RED or
    TLP:AMBER+STRICT is sent only with --yes. If sending fails, the .eml stays
    on disk. Set SOURCE_DATE_EPOCH for a reproducible Date and Message-ID.

    \b
    Examples:
      briefgen email brief.yaml --to colleague@example.org -o brief.eml
      briefgen email brief.yaml --to a@example.org --cc b@example.org \\
          --from "Jane Analyst <jane@example.org>" \\
          --send --smtp-host smtp.example.org --smtp-user jane --starttls
    """
    import warnings

    from briefgen.errors import BriefgenWarning

    # the project's own warnings become "warning: …" lines; a dependency's are not shown raw
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", BriefgenWarning)
        try:
            _email(brief, to, cc, bcc, sender, reply_to, subject, attach, outputs, eml, max_size, send, dry_run,
                   yes, smtp_host, smtp_port, starttls, use_ssl, no_tls, smtp_user, smtp_cafile, smtp_timeout,
                   allow_outside)
        finally:
            shown = set()
            for w in caught:
                if issubclass(w.category, BriefgenWarning) and str(w.message) not in shown:
                    shown.add(str(w.message))
                    echo(f"warning: {w.message}", err=True)


def _email(brief, to, cc, bcc, sender, reply_to, subject, attach, outputs, eml, max_size, send, dry_run, yes,
           smtp_host, smtp_port, starttls, use_ssl, no_tls, smtp_user, smtp_cafile, smtp_timeout,
           allow_outside) -> None:
    """The steps of ``briefgen email``."""
    from briefgen.config import load_config

    # 1. Settings: options first, then the config file; everything is checked before any work.
    chosen = [name for name, on in (("starttls", starttls), ("ssl", use_ssl), ("none", no_tls)) if on]
    if len(chosen) > 1:
        raise click.UsageError("--starttls, --ssl and --no-tls exclude each other; give one")
    config = load_config()
    send = send or dry_run
    formats = _formats(attach)
    placeholder = dry_run and not (sender or config.email.sender)
    addresses = _addresses(config, PLACEHOLDER_SENDER if placeholder else sender, to, cc, bcc, reply_to, subject)
    server = None
    if send:
        server = _server(config, smtp_host, smtp_port, chosen[0] if chosen else None, smtp_user, smtp_cafile,
                         smtp_timeout)
        if server is not None and server.user and server.security == "none" and not dry_run:
            raise MailError(f"refusing to log in as '{server.user}' over an unencrypted connection (--no-tls or "
                            "security = \"none\"): the password would cross the network readable; use "
                            "--starttls or --ssl, or send without a login through a relay on this machine; "
                            "nothing was written or sent")
    max_bytes = _max_bytes(max_size, config)
    # 2. The brief: it must check cleanly before it goes to anyone.
    report = _checked_brief(brief, allow_outside)
    model = report.brief
    tlp = model.meta.marking.tlp
    _refuse_restricted(brief, tlp, send and not yes and not dry_run)
    # 3. Outputs (built unless their manifest vouches for them) and the message, saved as .eml.
    out_dir = outputs or _default_outputs(brief)
    eml = eml or out_dir / f"{_brief_name(brief)}.eml"
    _check_eml_target(eml, brief, report, out_dir, formats)
    message, data, eml, tlp = _write_message(brief, report, out_dir, formats, addresses, subject, eml, max_bytes,
                                             refuse_restricted=send and not yes and not dry_run,
                                             allow_outside=allow_outside)
    if placeholder:
        click.echo(f"Note: no sender is configured; the .eml says From: {PLACEHOLDER_SENDER}. Pass --from, or set "
                   "`from` under [email] in the config file, before sending.")
    if not send:
        if addresses.bcc:
            click.echo("Note: Bcc recipients are not stored in the .eml; they are used only with --send.")
        return
    # 4. Sending (or saying what would be sent).
    if dry_run:
        _report_dry_run(config, server, message, data, addresses, tlp, restricted=_restricted(tlp) and not yes)
        return
    if server is None:
        from briefgen.config import config_path

        raise MailError(f"no SMTP server: pass --smtp-host, or set `host` under [smtp] in {config_path()}; "
                        f"the message is saved in {eml}")
    _send(config, server, message, data, addresses, eml)


@dataclass
class _Addresses:
    """The message's addresses, parsed and checked."""

    sender: Any
    to: list
    cc: list
    bcc: list
    reply_to: list


def _addresses(config: Any, sender: str | None, to: tuple[str, ...], cc: tuple[str, ...], bcc: tuple[str, ...],
               reply_to: tuple[str, ...], subject: str | None) -> _Addresses:
    """The addresses from options and the config file; MailError for a missing sender or a bad address."""
    from briefgen import mail
    from briefgen.config import config_path

    sender = sender or config.email.sender
    if not sender:
        raise MailError(f"no sender: pass --from, or set `from` under [email] in {config_path()}")
    addresses = _Addresses(
        sender=mail.parse_mailbox(sender, "From address"),
        to=mail.parse_mailboxes(to, "To address"),
        cc=mail.parse_mailboxes([*config.email.cc, *cc], "Cc address"),
        bcc=mail.parse_mailboxes([*config.email.bcc, *bcc], "Bcc address"),
        reply_to=mail.parse_mailboxes(list(reply_to) or config.email.reply_to, "Reply-To address"),
    )
    if subject is not None:
        mail.check_header_text(subject, "the subject")
    return addresses


def _max_bytes(max_size: float | None, config: Any) -> int:
    """The largest message allowed, in bytes (option, then config file, then the default)."""
    from briefgen import mail

    return int((max_size or config.email.max_size_mb or mail.DEFAULT_MAX_BYTES / 2**20) * 2**20)


def _checked_brief(brief: Path, allow_outside: tuple[Path, ...] = ()) -> Any:
    """The brief's check report when it has no errors; else its errors on stderr and ValidationFailed."""
    from briefgen.brief.check import check_file

    report = check_file(brief, allow_outside)
    if report.brief is None or report.errors:
        for problem in report.problems:
            if problem.severity == "error":
                echo(problem.format(), err=True)
        raise ValidationFailed(f"{brief}: {len(report.errors)} errors; fix them (see `briefgen validate "
                               f"{brief}`) before emailing the brief")
    return report


def _restricted(tlp: Any) -> bool:
    from briefgen import mail

    return tlp in mail.RESTRICTED_TLP


def _refuse_restricted(brief: Path, tlp: Any, sending_without_yes: bool) -> None:
    """A brief marked TLP:RED or TLP:AMBER+STRICT is sent only with --yes."""
    from briefgen import mail

    if sending_without_yes and _restricted(tlp):
        raise MailError(f"{brief} is marked {tlp.value} ({mail.TLP_MEANING[tlp]}); it is not sent "
                        "without --yes. Check the recipients, then add --yes")


def _write_message(brief: Path, report: Any, out_dir: Path, formats: list[str], addresses: _Addresses,
                   subject: str | None, eml: Path, max_bytes: int,
                   refuse_restricted: bool, allow_outside: tuple[Path, ...] = ()) -> tuple[Any, bytes, Path, Any]:
    """Build the outputs if needed, package them and save the .eml; (message, bytes, .eml path, marking).

    The marking that decides the TLP:RED refusal is the one recorded with the very files attached.
    """
    import hashlib

    from briefgen import mail
    from briefgen.brief.models import TLP
    from briefgen.errors import OutputError
    from briefgen.fileio import replace_all

    model = report.brief
    files, manifest = _ensure_outputs(brief, report, out_dir, formats, lambda text: echo(text, err=True),
                                      allow_outside)
    attachments = [mail.Attachment.from_path(p) for p in files]
    for path, att in zip(files, attachments):  # what is attached is exactly what this brief's build wrote
        recorded = manifest.outputs.get(path.name) if manifest is not None else None
        if recorded != hashlib.sha256(att.data).hexdigest():
            raise OutputError(f"{path} is not the output the build of {brief} recorded (it changed while "
                              "being attached, or its manifest is missing); build again and retry")
    tlp = model.meta.marking.tlp
    try:
        built_tlp = TLP(manifest.tlp) if manifest is not None and manifest.tlp else None
    except ValueError:
        built_tlp = None
    if built_tlp in mail.RESTRICTED_TLP and tlp not in mail.RESTRICTED_TLP:
        tlp = built_tlp
    _refuse_restricted(brief, tlp, refuse_restricted)
    date = _reproducible_date()
    message = mail.package(
        model, attachments, sender=addresses.sender, to=addresses.to, cc=addresses.cc,
        reply_to=addresses.reply_to, subject=subject, date=date, reproducible=date is not None, max_bytes=max_bytes,
    )
    data = mail.as_bytes(message)
    _check_eml_target(eml, brief, report, out_dir, formats)
    replace_all([(eml, data)])  # readable like the built outputs it carries
    sizes = ", ".join(f"{a.filename} {mail.human_size(len(a.data))}" for a in attachments)
    click.echo(f"Wrote {eml} ({mail.human_size(len(data))}; attached: {sizes})")
    return message, data, eml, tlp


def _check_eml_target(eml: Path, brief: Path, report: Any, out_dir: Path, formats: list[str]) -> None:
    """Refuse an .eml path that is an input of the run (brief, source, config) or one of the attachments."""
    from briefgen import outputs as outs
    from briefgen.config import config_path
    from briefgen.writers import suffix_for

    name = _brief_name(brief)
    roles = {"the brief": brief, "the config file": config_path(),
             **{f"source '{src.id}'": brief.parent / src.path for src in report.brief.sources},
             **{f"the attached {f} output": out_dir / f"{name}{suffix_for(f)}" for f in formats},
             "the build manifest": outs.manifest_path(out_dir, name)}
    outs.check_targets({"the message (.eml)": eml}, roles)


def _server(config: Any, host: str | None, port: int | None, security: str | None, user: str | None,
            cafile: Path | None, timeout: float | None) -> Any:
    """The SMTP server from options, then the config file; None when no host is known."""
    from briefgen import mail

    smtp = config.smtp
    host = host or smtp.host
    if not host:
        return None
    return mail.SmtpServer(
        host=host, port=port or smtp.port, security=security or smtp.security or "starttls",
        user=user or smtp.user, cafile=cafile or smtp.cafile,
        timeout=timeout or smtp.timeout or mail.DEFAULT_TIMEOUT, helo=smtp.helo,
    )


def _report_dry_run(config: Any, server: Any, message: Any, data: bytes, addresses: _Addresses, tlp: Any,
                    restricted: bool) -> None:
    """What --send would do, and nothing sent."""
    from briefgen import mail
    from briefgen.config import PASSWORD_ENV

    env_name = config.smtp.password_env or PASSWORD_ENV
    sender_addr, recipients = mail.envelope(message, addresses.bcc)
    if server is None:
        click.echo("Dry run: no SMTP server is configured (pass --smtp-host, or set `host` under [smtp] "
                   "in the config file, to send)")
    else:
        click.echo(f"Dry run: would send through {server.describe()}"
                   + (f" as user '{server.user}'" if server.user else " without login"))
    if server is not None and server.user:
        source = f"${env_name}" if os.environ.get(env_name) else "a prompt"
        click.echo(f"  password:  from {source}")
    click.echo(f"  from:      {sender_addr}")
    click.echo(f"  to:        {', '.join(str(b) for b in addresses.to)}")
    if addresses.cc:
        click.echo(f"  cc:        {', '.join(str(b) for b in addresses.cc)}")
    if addresses.bcc:
        click.echo(f"  bcc:       {', '.join(str(b) for b in addresses.bcc)}")
    click.echo(f"  envelope:  {len(recipients)} recipients: {', '.join(recipients)}")
    click.echo(f"  subject:   {message['Subject']}")
    click.echo(f"  size:      {mail.human_size(len(data))}")
    if restricted:
        click.echo(f"  note:      marked {tlp.value}; sending would be refused without --yes")
    if server is not None and server.user and server.security == "none":
        click.echo("  note:      a login over an unencrypted connection would be refused")
    click.echo("Nothing was sent.")


def _send(config: Any, server: Any, message: Any, data: bytes, addresses: _Addresses, eml: Path) -> None:
    """Send the message (asking for the password when none is in the environment) and report the outcome."""
    from briefgen import mail
    from briefgen.config import PASSWORD_ENV

    env_name = config.smtp.password_env or PASSWORD_ENV
    sender_addr, recipients = mail.envelope(message, addresses.bcc)
    password = None
    if server.user:
        password = os.environ.get(env_name)
        if password is None:
            password = click.prompt(f"SMTP password for {server.user}@{server.host}", hide_input=True,
                                    default="", show_default=False, err=True)
    try:
        result = mail.send(data, sender_addr, recipients, server, password=password)
    except mail.UnconfirmedSend as exc:
        raise MailError(f"{exc.message}\nThe message may have been sent; it is saved in {eml}") from None
    except MailError as exc:
        raise MailError(f"{exc.message}\nThe message was NOT sent; it is saved in {eml}") from None
    click.echo(f"Sent to {len(result.accepted)} recipients through {server.describe()}.")
    for rcpt, reason in result.refused.items():
        click.echo(f"Warning: the server refused {rcpt}: {reason}", err=True)
