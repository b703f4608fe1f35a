"""Email header text: RFC 2047 encoded words, folding, and parsing and writing addresses."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from briefgen.errors import MailError

# --------------------------------------------------------------------------- header text

_LINE_BREAKS = ("\r", "\n")
_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]*$")
# Characters a Q-encoded word may carry literally in any header position (RFC 2047 section 5(3)).
_Q_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")
_MAX_LINE = 78
_MAX_WORD = 75


# Characters no header may carry: C0 and C1 controls (NUL, ESC, …), DEL, line and paragraph separators,
# bidirectional overrides and isolates (they make a header read differently from what it says),
# noncharacters and lone surrogates (bytes that were not UTF-8).
_HEADER_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                            "\ufffe\uffff\ud800-\udfff]")
# What is removed from header text briefgen makes itself (a default subject from the brief's title).
_TAB = "\t"


def check_header_text(value: str, what: str) -> str:
    """Return ``value`` unchanged, or raise MailError when it holds a line break or a control character."""
    if any(ch in value for ch in _LINE_BREAKS):
        raise MailError(f"{what} must not contain a line break (CR or LF): {_shown(value)}")
    bad = _HEADER_UNSAFE.search(value)
    if bad is not None:
        ch = bad.group()
        if "\ud800" <= ch <= "\udfff":
            raise MailError(f"{what} is not valid UTF-8 text (it holds bytes that are not UTF-8): {_shown(value)}")
        raise MailError(f"{what} must not contain control characters (found U+{ord(ch):04X}): {_shown(value)}")
    return value


def header_safe(value: str) -> str:
    """``value`` without the characters ``check_header_text`` refuses (a tab becomes a space)."""
    return _HEADER_UNSAFE.sub("", value.replace(_TAB, " ").replace("\r", " ").replace("\n", " "))


def _shown(value: str, limit: int = 80) -> str:
    """A value quoted for a message: escapes for control characters, cut to ``limit`` characters."""
    text = ascii(value[:limit]) if not value.isprintable() else repr(value[:limit])
    return text + ("…" if len(value) > limit else "")


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


# RFC 5321 section 4.5.3.1: a local part of at most 64 octets, a domain of at most 255, and a path of
# at most 256 octets including the angle brackets, so an address of at most 254.
MAX_LOCAL = 64
MAX_DOMAIN = 255
MAX_ADDRESS = 254


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
        elif re.search(r"[<>@,;]", name):
            # an unquoted display name cannot hold these: 'A <a@x.org> B <b@x.org>' is two
            # addresses with the comma between them missing, not one mailbox named 'A <a@x.org> B'
            raise MailError(f"invalid {what} '{raw}': it looks like several addresses; separate them with "
                            "commas, or put a display name holding < > @ , ; in double quotes")
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
        raise MailError(f"invalid {what} '{_cut(raw)}' ({reason})")
    local, _, domain = addr.rpartition("@")
    if len(local) > MAX_LOCAL or len(domain) > MAX_DOMAIN or len(addr) > MAX_ADDRESS:
        raise MailError(f"invalid {what} '{_cut(raw)}': an address may have at most {MAX_LOCAL} characters "
                        f"before the @, {MAX_DOMAIN} after it and {MAX_ADDRESS} in all (RFC 5321); "
                        f"this one has {len(local)}, {len(domain)} and {len(addr)}")
    return Mailbox(addr=addr, name=name)


def _cut(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


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
