"""Email packaging and sending: a brief's outputs as a MIME message (.eml), sent over SMTP."""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import hashlib
import html
import re
import smtplib
import socket
import ssl
import textwrap
import uuid
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, MIMEPart
from pathlib import Path
from typing import Iterable, Sequence
from urllib.parse import quote

from briefgen.brief import models as m
from briefgen.errors import MailError
from briefgen.fileio import ReadRefused, read_capped
from briefgen.limits import MAX_ATTACHMENT_BYTES

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0
TOP_RISKS = 3

# Saved and sent as RFC 5322 text with CRLF line ends. Headers are encoded and folded here (lines of
# at most 78 characters where a break is allowed), so the library must not fold them again.
EML_POLICY = policy.SMTP.clone(refold_source="none")

MIME_TYPES: dict[str, tuple[str, str, str]] = {
    # suffix -> (maintype, subtype, what a reader calls it)
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"),
    ".pdf": ("application", "pdf", "PDF document"),
    ".md": ("text", "markdown", "Markdown text"),
    ".html": ("text", "html", "web page"),
    ".json": ("application", "json", "JSON data"),
}

# What each TLP 2.0 label allows a recipient to do, in one line (shown in the message body).
TLP_MEANING: dict[m.TLP, str] = {
    m.TLP.clear: "disclosure is not limited.",
    m.TLP.green: "recipients may share it within their community, not through public channels.",
    m.TLP.amber: "recipients may share it on a need-to-know basis within their organisation and its clients.",
    m.TLP.amber_strict: "recipients may share it on a need-to-know basis within their own organisation only.",
    m.TLP.red: "for the named recipients only; no further disclosure.",
}
TLP_COLOURS: dict[m.TLP, str] = {
    m.TLP.clear: "#FFFFFF",
    m.TLP.green: "#33FF00",
    m.TLP.amber: "#FFC000",
    m.TLP.amber_strict: "#FFC000",
    m.TLP.red: "#FF2B2B",
}
# Markings that must not leave by email without the sender saying so explicitly.
RESTRICTED_TLP = frozenset({m.TLP.red, m.TLP.amber_strict})


# --------------------------------------------------------------------------- header text

_LINE_BREAKS = ("\r", "\n")
_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]*$")
# Characters a Q-encoded word may carry literally in any header position (RFC 2047 section 5(3)).
_Q_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")
_MAX_LINE = 78
_MAX_WORD = 75


def check_header_text(value: str, what: str) -> str:
    """Return ``value`` unchanged, or raise MailError when it holds a CR or LF (header injection)."""
    if any(ch in value for ch in _LINE_BREAKS):
        raise MailError(f"{what} must not contain a line break (CR or LF): {value!r}")
    return value


def _q_encode_char(ch: str) -> str:
    out = []
    for byte in ch.encode("utf-8"):
        if byte in _Q_SAFE:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("_")
        else:
            out.append(f"={byte:02X}")
    return "".join(out)


def encode_words(text: str, first_budget: int) -> list[str]:
    """Split ``text`` into RFC 2047 encoded words; the first fits ``first_budget`` columns, the rest 75.

    Whitespace between adjacent encoded words is ignored by decoders, so the
    words decode back to exactly ``text`` (every space and control character is
    inside a word). Q encoding keeps mostly-Latin text readable; B is shorter
    for other scripts.
    """
    raw = text.encode("utf-8")
    unsafe = sum(1 for b in raw if b not in _Q_SAFE and b != 0x20)
    use_b = unsafe * 3 > len(raw)
    prefix, suffix = ("=?utf-8?b?", "?=") if use_b else ("=?utf-8?q?", "?=")
    words: list[str] = []
    budget = min(_MAX_WORD, max(first_budget, len(prefix) + len(suffix) + 12))
    chunk = ""
    for ch in text:
        trial = chunk + ch
        size = len(prefix) + len(suffix) + (
            4 * ((len(trial.encode("utf-8")) + 2) // 3) if use_b else len(_q_encode_char_run(trial))
        )
        if chunk and size > budget:
            words.append(_encode_word(chunk, use_b))
            chunk = ch
            budget = _MAX_WORD
        else:
            chunk = trial
    if chunk or not words:
        words.append(_encode_word(chunk, use_b))
    return words


def _q_encode_char_run(text: str) -> str:
    return "".join(_q_encode_char(ch) for ch in text)


def _encode_word(text: str, use_b: bool) -> str:
    if use_b:
        return "=?utf-8?b?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="
    return "=?utf-8?q?" + _q_encode_char_run(text) + "?="


def _fold(name: str, tokens: Sequence[str], separators: Sequence[str] | None = None) -> str:
    """Join tokens with single spaces (or the given separators), breaking lines before a space."""
    lines: list[str] = []
    line = ""
    used = len(name) + 2
    for i, token in enumerate(tokens):
        sep = "" if i == 0 else (separators[i - 1] if separators else "")
        if i == 0:
            line = token
            continue
        candidate = line + sep + " " + token
        if used + len(candidate) > _MAX_LINE and line:
            lines.append(line + sep)
            line = " " + token
            used = 0
        else:
            line = candidate
    lines.append(line)
    return "\n".join(lines)


def unstructured_header(name: str, value: str) -> str:
    """The folded, ASCII-only value of an unstructured header (Subject) that decodes back to ``value``.

    Plain ASCII words stay readable; each run of other words becomes encoded words
    (a single space between a plain word and an encoded word is kept by decoders,
    the space between two encoded words is not, so runs carry their own spaces).
    """
    check_header_text(value, name)
    words = value.split(" ")
    if "" in words and value:  # leading, trailing or repeated spaces: encode everything, exactly
        return _fold(name, encode_words(value, _MAX_LINE - len(name) - 3))
    tokens: list[str] = []
    run: list[str] = []

    def flush() -> None:
        """Encode the pending run of words that are not plain ASCII."""
        if run:
            budget = _MAX_LINE - len(name) - 3 if not tokens else _MAX_WORD
            tokens.extend(encode_words(" ".join(run), budget))
            run.clear()

    for word in words:
        if _PRINTABLE_ASCII.match(word) and "=?" not in word and len(word) <= _MAX_LINE - len(name) - 3:
            flush()
            tokens.append(word)
        else:
            run.append(word)
    flush()
    return _fold(name, tokens)


# --------------------------------------------------------------------------- addresses

_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDR_SPEC = re.compile(rf"^({_LOCAL})@((?:{_LABEL}\.)+{_LABEL}|localhost|\[\d{{1,3}}(?:\.\d{{1,3}}){{3}}\])$")
_ATEXT_PHRASE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


@dataclass(frozen=True)
class Mailbox:
    """One address with an optional display name."""

    addr: str
    name: str = ""

    def __post_init__(self) -> None:
        check_header_text(self.name, "a display name")
        check_header_text(self.addr, "an address")

    def header(self) -> list[str]:
        """Header tokens for this mailbox, ASCII only, to be folded between tokens.

        A plain or quoted ASCII name is kept readable; anything else becomes RFC 2047
        encoded words that carry every character, spaces included, so an RFC-conforming
        reader decodes exactly the name given.
        """
        if not self.name:
            return [self.addr]
        name = self.name
        if _PRINTABLE_ASCII.match(name) and "=?" not in name and name == name.strip() and len(name) < 900:
            if _ATEXT_PHRASE.match(name) and all(len(t) <= _MAX_LINE - 12 for t in name.split(" ")):
                return [*name.split(" "), f"<{self.addr}>"]
            return ['"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"', f"<{self.addr}>"]
        return [*encode_words(name, _MAX_WORD), f"<{self.addr}>"]

    def __str__(self) -> str:
        return f"{self.name} <{self.addr}>" if self.name else self.addr

    @property
    def domain(self) -> str:
        """The part after the @."""
        return self.addr.rpartition("@")[2].strip("[]")


def _split_list(text: str) -> list[str]:
    """Split an address list at commas outside quotes, angle brackets and comments."""
    parts, cur, quoted, angle, depth, escape = [], [], False, False, 0, False
    for ch in text:
        if escape:
            cur.append(ch)
            escape = False
            continue
        if ch == "\\" and (quoted or depth):
            escape = True
        elif ch == '"' and not depth:
            quoted = not quoted
        elif not quoted:
            if ch == "(":
                depth += 1
            elif ch == ")" and depth:
                depth -= 1
            elif ch == "<" and not depth:
                angle = True
            elif ch == ">" and not depth:
                angle = False
            elif ch == "," and not (angle or depth):
                parts.append("".join(cur))
                cur = []
                continue
        cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def parse_mailbox(text: str, what: str = "address") -> Mailbox:
    """Parse ``Name <addr@example.org>`` or ``addr@example.org``; raise MailError naming a bad address."""
    check_header_text(text, what)
    raw = text.strip()
    name = ""
    addr = raw
    match = re.match(r"^(.*)<([^<>]*)>$", raw, re.S)
    if match:
        name, addr = match.group(1).strip(), match.group(2).strip()
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = re.sub(r"\\(.)", r"\1", name[1:-1])
    local, at, domain = addr.rpartition("@")
    if at and domain and not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise MailError(f"invalid {what} '{raw}': the domain '{domain}' is not a valid host name") from None
        addr = f"{local}@{domain}"
    if not addr.isascii():
        raise MailError(f"invalid {what} '{raw}': non-ASCII mailbox names are not supported")
    if not _ADDR_SPEC.match(addr):
        reason = "missing '@'" if not at else "expected name@domain.tld"
        raise MailError(f"invalid {what} '{raw}' ({reason})")
    return Mailbox(addr=addr, name=name)


def parse_mailboxes(values: Iterable[str], what: str) -> list[Mailbox]:
    """Parse repeated and comma-separated address options into mailboxes, naming any bad one."""
    out: list[Mailbox] = []
    for value in values:
        check_header_text(value, what)
        for piece in _split_list(value):
            box = parse_mailbox(piece, what)
            if box.addr.lower() not in {b.addr.lower() for b in out}:
                out.append(box)
    return out


def address_header(name: str, boxes: Sequence[Mailbox]) -> str:
    """The folded, ASCII-only value of an address header."""
    tokens: list[str] = []
    seps: list[str] = []
    for i, box in enumerate(boxes):
        toks = box.header()
        if i:
            seps[-1] = ","
        tokens.extend(toks)
        seps.extend([""] * len(toks))
    return _fold(name, tokens, seps[:-1] if seps else None)


# --------------------------------------------------------------------------- attachments


@dataclass(frozen=True)
class Attachment:
    """A file to attach: its name in the message, its bytes and its MIME type."""

    filename: str
    data: bytes
    maintype: str
    subtype: str

    @classmethod
    def from_path(cls, path: Path | str, filename: str | None = None) -> Attachment:
        """Read a file and pick its MIME type from its suffix."""
        path = Path(path)
        try:
            data = read_capped(path, MAX_ATTACHMENT_BYTES)
        except ReadRefused as exc:
            raise MailError(f"cannot read attachment {path}: {exc.detail}") from None
        maintype, subtype, _ = MIME_TYPES.get(path.suffix.lower(), ("application", "octet-stream", "file"))
        return cls(filename or path.name, data, maintype, subtype)

    @property
    def content_type(self) -> str:
        """``maintype/subtype``."""
        return f"{self.maintype}/{self.subtype}"

    @property
    def kind(self) -> str:
        """What a reader calls this kind of file, e.g. 'PDF document'."""
        for maintype, subtype, label in MIME_TYPES.values():
            if (maintype, subtype) == (self.maintype, self.subtype):
                return label
        return "file"


def human_size(n: int) -> str:
    """A byte count for people: '812 bytes', '38.2 KB', '4.1 MB' (1 KB = 1024 bytes)."""
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def check_size(attachments: Sequence[Attachment], max_bytes: int) -> None:
    """Refuse attachments whose total size is over ``max_bytes``, listing each size."""
    total = sum(len(a.data) for a in attachments)
    if total > max_bytes:
        sizes = ", ".join(f"{a.filename} {human_size(len(a.data))}" for a in attachments)
        raise MailError(
            f"attachments total {human_size(total)} ({sizes}), over the limit of {human_size(max_bytes)}; "
            "raise it with --max-size (in MB) if the receiving servers accept larger messages"
        )


_ATTR_CHAR = "!#$&+-.^_`|~"
# File names written as a plain quoted string; anything else uses RFC 2231 percent-encoding.
_PLAIN_FILENAME = re.compile(r"^[A-Za-z0-9 ._()\[\]+,&'!#$%^@=~{}-]+$")


def rfc2231_param(key: str, value: str) -> list[str]:
    """``key="value"``, or ``key*=utf-8''…`` split into ``key*0*``, ``key*1*``… lines when needed."""
    check_header_text(value, f"the file name {value!r}")
    if _PLAIN_FILENAME.match(value) and value == value.strip() and len(value) < 60 and "=?" not in value:
        return [f'{key}="{value}"']
    encoded = quote(value.encode("utf-8"), safe=_ATTR_CHAR)
    if len(encoded) + len(key) + 12 <= 70:
        return [f"{key}*=utf-8''{encoded}"]
    units = re.findall(r"%[0-9A-F]{2}|.", encoded)  # never split a %XX escape
    pieces: list[str] = [""]
    for unit in units:
        if len(pieces[-1]) + len(unit) > 50:
            pieces.append("")
        pieces[-1] += unit
    return [
        f"{key}*{n}*=" + ("utf-8''" if n == 0 else "") + piece for n, piece in enumerate(pieces)
    ]


def _attachment_part(att: Attachment) -> MIMEPart:
    part = MIMEPart(policy=EML_POLICY)
    part.set_content(att.data, maintype=att.maintype, subtype=att.subtype, cte="base64")
    del part["Content-Type"]
    del part["Content-Disposition"]
    params = "".join(f";\n {p}" for p in rfc2231_param("name", att.filename))
    charset = '; charset="utf-8"' if att.maintype == "text" else ""  # the writers' text is UTF-8
    part.set_raw("Content-Type", att.content_type + charset + params)
    params = "".join(f";\n {p}" for p in rfc2231_param("filename", att.filename))
    part.set_raw("Content-Disposition", "attachment" + params)
    del part["Content-Transfer-Encoding"]  # conventional order: type, disposition, encoding
    part.set_raw("Content-Transfer-Encoding", "base64")
    return part


# --------------------------------------------------------------------------- body


def default_subject(brief: m.Brief) -> str:
    """``[TLP:AMBER] <title> — <date>``; the banner stands in when there is no TLP label."""
    meta = brief.meta
    mark = meta.marking.tlp or meta.marking.banner
    prefix = f"[{mark.value}] " if mark is not None else ""
    title = " ".join(meta.title.split())  # a title typed over several lines is one line here
    return f"{prefix}{title} — {meta.date.isoformat()}"


def top_risks(brief: m.Brief, n: int = TOP_RISKS) -> list[m.Risk]:
    """The ``n`` highest-scoring risks, ties kept in file order."""
    return sorted(brief.risks, key=lambda r: -r.score)[:n]


def risk_level(score: int) -> str:
    """Low (1–4), medium (5–10) or high (12 and more)."""
    return "low" if score <= 4 else "medium" if score <= 10 else "high"


def _judgment_note(kj: m.KeyJudgment) -> str:
    parts = []
    if kj.likelihood is not None:
        parts.append(f"Likelihood: {kj.likelihood.value} ({kj.likelihood.probability}).")
    parts.append(f"Confidence: {kj.confidence.value}.")
    return " ".join(parts)


def _risk_line(r: m.Risk) -> str:
    return (f"{r.title} — {r.likelihood.value}, impact {r.impact}/5, "
            f"score {r.score} ({risk_level(r.score)})")


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    """Wrap one paragraph at 76 columns (plain-text mail readers do not all wrap)."""
    return textwrap.wrap(" ".join(text.split()), 76, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()]


def body_text(brief: m.Brief, attachments: Sequence[Attachment]) -> str:
    """The plain-text body: marking, title, key judgments, top risks and one line per attachment."""
    meta = brief.meta
    lines: list[str] = []
    label = meta.marking.label()
    if label:
        lines += [label, ""]
    lines += [*_wrap(meta.title), "", *_wrap(meta.question, "Key question: ", "  ")]
    info = [f"Date: {meta.date.isoformat()}", f"version {meta.version}", meta.status.value]
    if meta.authors:
        info.insert(1, "by " + ", ".join(meta.authors))
    lines += [*_wrap(" · ".join(info)), ""]
    if brief.key_judgments:
        lines += ["KEY JUDGMENTS", ""]
        for i, kj in enumerate(brief.key_judgments, 1):
            lines += [*_wrap(kj.text, f"{i}. ", "   "), *_wrap(_judgment_note(kj), "   ", "   "), ""]
    risks = top_risks(brief)
    if risks:
        lines += ["TOP RISKS", ""]
        for r in risks:
            lines += _wrap(_risk_line(r), "- ", "  ")
        lines.append("")
    if attachments:
        lines += ["ATTACHED", ""]
        for a in attachments:
            lines += _wrap(f"{a.filename} ({a.kind}, {human_size(len(a.data))})", "- ", "  ")
        lines.append("")
    if meta.marking.tlp is not None:
        lines += [*_wrap(f"Handling: {meta.marking.tlp.value} — {TLP_MEANING[meta.marking.tlp]}"), ""]
    return "\n".join(lines)


def body_html(brief: m.Brief, attachments: Sequence[Attachment]) -> str:
    """The HTML body: the same content as the text body, with the marking in its TLP colours."""
    e = html.escape
    meta = brief.meta
    out = ['<!DOCTYPE html>', f'<html lang="{e(meta.language)}">', "<head>",
           '<meta charset="utf-8">', f"<title>{e(meta.title)}</title>", "</head>",
           '<body style="font-family: Calibri, Arial, sans-serif; font-size: 11pt; color: #1a1a1a;">']
    if meta.marking.banner is not None:
        out.append(f'<p style="text-align: center; font-weight: bold; margin: 0 0 8px;">'
                   f"{e(meta.marking.banner.value)}</p>")
    if meta.marking.tlp is not None:
        colour = TLP_COLOURS[meta.marking.tlp]
        out.append(f'<p style="text-align: right; margin: 0 0 8px;"><span style="background: #000000; '
                   f'color: {colour}; font-weight: bold; font-size: 12pt; padding: 2px 6px;">'
                   f"{e(meta.marking.tlp.value)}</span></p>")
    out.append(f'<h1 style="font-size: 16pt; margin: 0 0 6px;">{e(meta.title)}</h1>')
    out.append(f"<p><strong>Key question:</strong> {e(meta.question)}</p>")
    info = [f"Date: {meta.date.isoformat()}", f"version {meta.version}", meta.status.value]
    if meta.authors:
        info.insert(1, "by " + ", ".join(meta.authors))
    out.append(f'<p style="color: #555555;">{e(" · ".join(info))}</p>')
    if brief.key_judgments:
        out.append('<h2 style="font-size: 13pt;">Key judgments</h2>')
        out.append("<ol>")
        for kj in brief.key_judgments:
            out.append(f"<li><p>{e(kj.text)}<br>"
                       f'<span style="color: #555555;">{e(_judgment_note(kj))}</span></p></li>')
        out.append("</ol>")
    risks = top_risks(brief)
    if risks:
        out.append('<h2 style="font-size: 13pt;">Top risks</h2>')
        out.append('<table style="border-collapse: collapse;">')
        out.append("<tr>" + "".join(
            f'<th style="text-align: left; border-bottom: 1px solid #999999; padding: 2px 8px;">{h}</th>'
            for h in ("Risk", "Likelihood", "Impact", "Score")) + "</tr>")
        for r in risks:
            cells = (r.title, r.likelihood.value, f"{r.impact}/5", f"{r.score} ({risk_level(r.score)})")
            out.append("<tr>" + "".join(f'<td style="padding: 2px 8px;">{e(c)}</td>' for c in cells) + "</tr>")
        out.append("</table>")
    if attachments:
        out.append('<h2 style="font-size: 13pt;">Attached</h2>')
        out.append("<ul>")
        for a in attachments:
            out.append(f"<li>{e(a.filename)} ({e(a.kind)}, {e(human_size(len(a.data)))})</li>")
        out.append("</ul>")
    if meta.marking.tlp is not None:
        out.append(f'<p style="color: #555555;"><strong>Handling:</strong> {e(meta.marking.tlp.value)} — '
                   f"{e(TLP_MEANING[meta.marking.tlp])}</p>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- the message


def format_date(when: dt.datetime) -> str:
    """An RFC 5322 date; a naive datetime is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return email.utils.format_datetime(when)


def _boundary(kind: str, seed: bytes) -> str:
    return f"=_briefgen_{kind}_{hashlib.sha256(kind.encode() + seed).hexdigest()[:24]}"


def package(
    brief: m.Brief,
    attachments: Sequence[Attachment],
    *,
    sender: str | Mailbox,
    to: Sequence[str | Mailbox],
    cc: Sequence[str | Mailbox] = (),
    reply_to: Sequence[str | Mailbox] = (),
    subject: str | None = None,
    date: dt.datetime | None = None,
    message_id: str | None = None,
    reproducible: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> EmailMessage:
    """Build the message: text and HTML summary of ``brief`` with the attachments (Bcc never included).

    ``reproducible`` makes the Message-ID a digest of the content, so the same
    inputs and ``date`` give byte-identical output; otherwise it is random.
    """
    # 1. Addresses and header text: refuse line breaks and bad addresses, naming them.
    from_box = sender if isinstance(sender, Mailbox) else parse_mailbox(sender, "From address")
    to_boxes = _boxes(to, "To address")
    if not to_boxes:
        raise MailError("no recipient: give at least one --to address")
    cc_boxes = _boxes(cc, "Cc address")
    reply_boxes = _boxes(reply_to, "Reply-To address")
    subject = default_subject(brief) if subject is None else subject
    check_header_text(subject, "the subject")
    for att in attachments:
        check_header_text(att.filename, "an attachment file name")
        if not att.filename.strip() or att.filename != att.filename.strip():
            raise MailError(f"attachment file name {att.filename!r} is empty or starts or ends with a space")
    check_size(attachments, max_bytes)

    # 2. Headers, written pre-encoded so every client decodes exactly what was given.
    msg = EmailMessage(policy=EML_POLICY)
    msg.set_raw("From", address_header("From", [from_box]))
    msg.set_raw("To", address_header("To", to_boxes))
    if cc_boxes:
        msg.set_raw("Cc", address_header("Cc", cc_boxes))
    if reply_boxes:
        msg.set_raw("Reply-To", address_header("Reply-To", reply_boxes))
    msg.set_raw("Subject", unstructured_header("Subject", subject))
    msg.set_raw("Date", format_date(date or dt.datetime.now().astimezone()))
    if brief.meta.language:
        msg.set_raw("Content-Language", brief.meta.language)

    # 3. Body: text and HTML alternatives, then the files.
    msg.set_content(body_text(brief, attachments), subtype="plain", cte="quoted-printable")
    msg.add_alternative(body_html(brief, attachments), subtype="html", cte="quoted-printable")
    msg.make_mixed()
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]
    for att in attachments:
        msg.attach(_attachment_part(att))

    # 4. Boundaries and Message-ID from the content, so reproducible output is byte-identical.
    digest = hashlib.sha256()
    for part in msg.walk():
        for key, value in part.raw_items():
            digest.update(f"{key}: {value}\n".encode("utf-8", "surrogateescape"))
        if not part.is_multipart():
            digest.update(str(part.get_payload()).encode("utf-8", "surrogateescape"))
    seed = digest.digest()
    msg.set_boundary(_boundary("mixed", seed))
    for part in msg.iter_parts():
        if part.is_multipart():
            part.set_boundary(_boundary("alt", seed))
    if message_id is None:
        token = hashlib.sha256(msg.as_bytes(policy=EML_POLICY)).hexdigest()[:32] if reproducible \
            else uuid.uuid4().hex
        message_id = f"<{token}.briefgen@{from_box.domain or 'localhost'}>"
    check_header_text(message_id, "the Message-ID")
    msg.set_raw("Message-ID", message_id)
    # Keep the conventional order: Message-ID beside Date, before the MIME headers.
    _move_before(msg, "Message-ID", "MIME-Version")
    return msg


def _boxes(values: Sequence[str | Mailbox], what: str) -> list[Mailbox]:
    out: list[Mailbox] = []
    for value in values:
        for box in [value] if isinstance(value, Mailbox) else parse_mailboxes([value], what):
            if box.addr.lower() not in {b.addr.lower() for b in out}:
                out.append(box)
    return out


def _move_before(msg: EmailMessage, name: str, before: str) -> None:
    items = msg.raw_items()
    headers = list(items)
    moving = [h for h in headers if h[0].lower() == name.lower()]
    rest = [h for h in headers if h[0].lower() != name.lower()]
    idx = next((i for i, h in enumerate(rest) if h[0].lower() == before.lower()), len(rest))
    for key in {h[0] for h in headers}:
        del msg[key]
    for key, value in rest[:idx] + moving + rest[idx:]:
        msg.set_raw(key, value)


def as_bytes(msg: EmailMessage) -> bytes:
    """The message as the bytes of an .eml file (CRLF line ends)."""
    return msg.as_bytes(policy=EML_POLICY)


def envelope(msg: EmailMessage, bcc: Sequence[str | Mailbox] = ()) -> tuple[str, list[str]]:
    """The SMTP envelope: sender and every recipient (To, Cc and Bcc), without duplicates."""
    parsed = policy.default.header_factory("From", str(msg["From"]))
    sender = parsed.addresses[0].addr_spec if parsed.addresses else ""
    seen: dict[str, str] = {}
    for header in ("To", "Cc"):
        if msg[header] is None:
            continue
        h = policy.default.header_factory(header, str(msg[header]))
        for a in h.addresses:
            seen.setdefault(a.addr_spec.lower(), a.addr_spec)
    for box in _boxes(bcc, "Bcc address"):
        seen.setdefault(box.addr.lower(), box.addr)
    return sender, list(seen.values())


# --------------------------------------------------------------------------- sending


@dataclass
class SmtpServer:
    """Where and how to send: host, port, transport security, login and trusted certificates."""

    host: str
    port: int | None = None
    security: str = "starttls"  # 'starttls' | 'ssl' | 'none'
    user: str | None = None
    cafile: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    helo: str | None = None

    def __post_init__(self) -> None:
        if self.security not in ("starttls", "ssl", "none"):
            raise MailError(f"unknown SMTP security '{self.security}' (use starttls, ssl or none)")
        check_header_text(self.host, "the SMTP host")

    @property
    def effective_port(self) -> int:
        """The port, defaulting to 465 for SSL, 587 for STARTTLS and 25 for plain SMTP."""
        return self.port or {"ssl": 465, "starttls": 587, "none": 25}[self.security]

    def describe(self) -> str:
        """``host:port (STARTTLS)`` for reports."""
        sec = {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "no encryption"}[self.security]
        return f"{self.host}:{self.effective_port} ({sec})"


@dataclass
class SendResult:
    """What the server accepted."""

    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def tls_context(cafile: Path | None = None) -> ssl.SSLContext:
    """A verifying TLS context; ``cafile`` adds certificates to trust (a private mail server's CA)."""
    try:
        return ssl.create_default_context(cafile=str(cafile) if cafile else None)
    except (OSError, ssl.SSLError) as exc:
        raise MailError(f"cannot load the certificates in {cafile}: {exc}") from None


def send(
    data: bytes,
    sender: str,
    recipients: Sequence[str],
    server: SmtpServer,
    password: str | None = None,
) -> SendResult:
    """Send the message bytes to ``recipients``; raise MailError with a plain reason on any failure."""
    if not recipients:
        raise MailError("no recipients to send to")
    if server.user and server.security == "none":
        raise MailError("refusing to send a password over an unencrypted connection; use --starttls or --ssl")
    where = f"{server.host}:{server.effective_port}"
    context = tls_context(server.cafile) if server.security != "none" else None
    helo = server.helo or socket.gethostname() or "localhost"
    stage = "connecting to"
    client: smtplib.SMTP | None = None
    try:
        if server.security == "ssl":
            client = smtplib.SMTP_SSL(server.host, server.effective_port, local_hostname=helo,
                                      timeout=server.timeout, context=context)
        else:
            client = smtplib.SMTP(server.host, server.effective_port, local_hostname=helo,
                                  timeout=server.timeout)
        client.ehlo()
        if server.security == "starttls":
            stage = "starting TLS with"
            if not client.has_extn("starttls"):
                raise MailError(f"the server {where} does not offer STARTTLS; try --ssl, or "
                                "--no-tls for a relay on your own machine")
            client.starttls(context=context)
            client.ehlo()
        if server.user:
            stage = "logging in to"
            if not client.has_extn("auth"):
                raise MailError(f"the server {where} does not offer login (AUTH)")
            _login(client, server.user, password or "")
        stage = "sending through"
        refused = client.sendmail(sender, list(recipients), data)
        try:  # the message is accepted; a server that hangs up instead of saying goodbye is no failure
            client.quit()
        except (smtplib.SMTPException, OSError):
            pass
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"the server {where} refused the login for user '{server.user}': "
                        f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        names = ", ".join(f"{r} ({c} {_text(t)})" for r, (c, t) in exc.recipients.items())
        raise MailError(f"the server {where} refused every recipient: {names}") from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(f"the server {where} refused the sender {exc.sender}: "
                        f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"error {stage} {where}: {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except smtplib.SMTPServerDisconnected as exc:
        if "timed out" in str(exc):
            raise MailError(f"timed out {stage} {where} after {server.timeout:g} s") from None
        raise MailError(f"the server {where} closed the connection while {stage.split()[0]} "
                        f"({exc or 'no reason given'})") from None
    except ssl.SSLCertVerificationError as exc:
        raise MailError(f"TLS failed with {where}: the server's certificate could not be verified "
                        f"({exc.verify_message or exc.reason}); if the server uses a private certificate "
                        "authority, pass its certificate with --smtp-cafile") from None
    except ssl.SSLError as exc:
        raise MailError(f"TLS failed with {where}: {exc.reason or exc}; check --ssl/--starttls "
                        "and the port") from None
    except (socket.timeout, TimeoutError):
        raise MailError(f"timed out {stage} {where} after {server.timeout:g} s") from None
    except socket.gaierror as exc:
        raise MailError(f"cannot find the SMTP host '{server.host}': {exc.strerror or exc}") from None
    except ConnectionRefusedError:
        raise MailError(f"cannot connect to {where}: connection refused (is the host and port right?)") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"error {stage} {where}: {getattr(exc, 'strerror', None) or exc}") from None
    finally:
        if client is not None:
            client.close()
    result = SendResult()
    result.refused = {r: f"{c} {_text(t)}" for r, (c, t) in refused.items()}
    result.accepted = [r for r in recipients if r not in result.refused]
    return result


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """Log in with AUTH PLAIN or LOGIN, sending user name and password as UTF-8 (RFC 4616).

    smtplib encodes credentials as ASCII, which fails for a password such as 'pässword';
    other mechanisms fall back to smtplib's own login.
    """
    advertised = (client.esmtp_features.get("auth") or "").upper().split()
    b64 = lambda text: base64.b64encode(text.encode("utf-8")).decode("ascii")  # noqa: E731
    if "PLAIN" in advertised:
        code, resp = client.docmd("AUTH", "PLAIN " + b64(f"\0{user}\0{password}"))
    elif "LOGIN" in advertised:
        code, resp = client.docmd("AUTH", "LOGIN " + b64(user))
        if code == 334:
            code, resp = client.docmd(b64(password))
    else:
        client.login(user, password)
        return
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, resp)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
