"""A small OpenAI-compatible chat-completions client on the standard library: one endpoint, timeouts,
bounded retries with back-off, and a clear error for every way a model server can fail."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

from briefgen.errors import BriefgenError, InputError

MAX_ANSWER_BYTES = 16 * 1024 * 1024  # a chat answer is a few kilobytes; anything near this is not one
RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 120.0  # seconds; a server asking for longer is reported instead of waited for


class LLMError(BriefgenError):
    """The model server could not be reached or gave no usable answer."""


class LLMAnswerError(LLMError):
    """The server answered, but the answer cannot be used (malformed, truncated or empty)."""


@dataclass(frozen=True)
class Endpoint:
    """Where the chat-completions requests go: scheme, host, port and path, never credentials."""

    scheme: str
    host: str
    port: int
    path: str

    @property
    def label(self) -> str:
        """``host:port`` — what a draft records and messages name (never a path, query or key)."""
        return f"{self.host}:{self.port}"


def parse_endpoint(url: str) -> Endpoint:
    """The endpoint of a base URL (``http://127.0.0.1:11434/v1``) or a full ``…/chat/completions`` URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InputError(f"LLM URL {url!r} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"LLM URL {url!r} must start with http:// or https:// and name a host")
    if parts.username or parts.password:
        raise InputError("the LLM URL must not contain credentials; put the key in an environment variable "
                         "and name it with `api_key_env` under [llm] in the config file")
    if parts.fragment:
        raise InputError(f"LLM URL {url!r} must not have a #fragment")
    path = parts.path.rstrip("/")
    if not path.endswith("/chat/completions"):
        path += "/chat/completions"
    if parts.query:
        path += "?" + parts.query
    return Endpoint(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path)


@dataclass
class Reply:
    """One chat completion: the message text and why the model stopped."""

    content: str
    finish_reason: str | None
    model: str | None = None


@dataclass
class ChatClient:
    """Posts chat-completion requests to one endpoint, retrying rate limits, server errors and lost
    connections a bounded number of times with exponential back-off (``sleep`` is injectable)."""

    endpoint: Endpoint
    api_key: str | None = None
    timeout: float = 120.0
    retries: int = 3
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    log: Callable[[str], None] = lambda message: None
    schema_supported: bool | None = None  # None: not known yet; False once the server refused response_format
    attempts: int = field(default=0, init=False)
    _retry_after: float | None = field(default=None, init=False, repr=False)

    def complete(self, payload: dict[str, Any]) -> Reply:
        """Send one request (with ``response_format`` unless the server refused it) and return the reply."""
        if self.schema_supported is False:
            payload = {k: v for k, v in payload.items() if k != "response_format"}
        try:
            return self._with_retries(payload)
        except _Rejected as exc:
            if "response_format" in payload and exc.status in (400, 422) and self.schema_supported is None:
                # the server does not take structured output: ask again, the tolerant parser reads the text
                self.schema_supported = False
                self.log(f"{self.endpoint.label} refused `response_format` (HTTP {exc.status}); asking without it")
                payload = {k: v for k, v in payload.items() if k != "response_format"}
                try:
                    return self._with_retries(payload)
                except _Rejected as again:
                    raise again.error() from None
            raise exc.error() from None

    def _with_retries(self, payload: dict[str, Any]) -> Reply:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                wait = self._wait(attempt, last)
                self.log(f"{last}; retrying in {wait:.1f} s (attempt {attempt + 1} of {self.retries + 1})")
                self.sleep(wait)
            self.attempts += 1
            status, headers, raw, failure = self._post(body)
            if failure is not None:
                last = failure
                continue
            if status in RETRY_STATUS:
                last = f"{self.endpoint.label}: {_status_text(status, raw)}"
                self._retry_after = _retry_after(headers)
                if self._retry_after is not None and self._retry_after > MAX_RETRY_AFTER:
                    raise LLMError(f"{last}; the server asks to wait "
                                   f"{self._retry_after:.0f} s, more than {MAX_RETRY_AFTER:.0f} s — try again later")
                continue
            if 300 <= status < 400:
                raise LLMError(f"{self.endpoint.label}: HTTP {status} redirect to {headers.get('location', '?')!r}; "
                               "redirects are not followed — put the final URL in --llm-url")
            if status >= 400:
                raise _Rejected(self.endpoint, status, raw)
            if "response_format" in payload:
                self.schema_supported = True
            return _reply(self.endpoint, raw)
        raise LLMError(f"{last}; gave up after {self.retries + 1} attempts")

    def _wait(self, attempt: int, last: str) -> float:
        asked, self._retry_after = self._retry_after, None
        if asked is not None:
            return asked
        return min(self.backoff * 2 ** (attempt - 1), 60.0)

    def _post(self, body: bytes) -> tuple[int, dict[str, str], bytes, str | None]:
        """(status, headers, body, None) or (0, {}, b"", what went wrong) for a retryable network failure."""
        ep = self.endpoint
        if ep.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                ep.host, ep.port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(ep.host, ep.port, timeout=self.timeout)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        try:
            conn.request("POST", ep.path, body=body, headers=headers)
            resp = conn.getresponse()
            raw = resp.read(MAX_ANSWER_BYTES + 1)
            if len(raw) > MAX_ANSWER_BYTES:
                raise LLMAnswerError(f"{ep.label}: the answer is larger than {MAX_ANSWER_BYTES // 2**20} MB; "
                                     "refusing it")
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw, None
        except ConnectionRefusedError:
            return 0, {}, b"", (f"cannot connect to {ep.label} (connection refused): is the model server "
                                "running, and is --llm-url right?")
        except (socket.timeout, TimeoutError):
            return 0, {}, b"", f"no answer from {ep.label} within {self.timeout:g} s (timeout)"
        except ssl.SSLError as exc:
            raise LLMError(f"{ep.label}: TLS failed ({exc.reason or exc})") from None
        except socket.gaierror as exc:
            raise LLMError(f"cannot resolve the host {ep.host!r} of --llm-url ({exc.strerror})") from None
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            return 0, {}, b"", f"connection to {ep.label} failed ({type(exc).__name__}: {exc})"
        finally:
            conn.close()


class _Rejected(Exception):
    """A 4xx answer that retrying will not change."""

    def __init__(self, endpoint: Endpoint, status: int, raw: bytes):
        super().__init__(status)
        self.endpoint, self.status, self.raw = endpoint, status, raw

    def error(self) -> LLMError:
        hint = {401: " (check the key in the environment variable named by `api_key_env`)",
                403: " (the key is not allowed to use this model)",
                404: " (check --llm-url: it should end in /v1 for most servers, and --llm-model)"}.get(self.status, "")
        return LLMError(f"{self.endpoint.label}: {_status_text(self.status, self.raw)}{hint}")


def _status_text(status: int, raw: bytes) -> str:
    """``HTTP 429 (rate limited): <the server's message>``, the message clipped."""
    label = {429: "rate limited", 500: "server error", 502: "bad gateway", 503: "unavailable",
             504: "gateway timeout"}.get(status, http.client.responses.get(status, "error").lower())
    detail = ""
    try:
        data = json.loads(raw.decode("utf-8", "replace"))
        err = data.get("error") if isinstance(data, dict) else None
        detail = str(err.get("message") if isinstance(err, dict) else err or "")
    except (ValueError, AttributeError):
        detail = raw.decode("utf-8", "replace")
    detail = " ".join(detail.split())[:200]
    return f"HTTP {status} ({label})" + (f": {detail}" if detail else "")


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to our own back-off


def _reply(endpoint: Endpoint, raw: bytes) -> Reply:
    """The first choice's message of a chat-completions response; LLMAnswerError when it has none."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise LLMAnswerError(f"{endpoint.label}: the server's response is not JSON "
                             f"(starts {raw[:80].decode('utf-8', 'replace')!r}); is --llm-url a chat-completions "
                             "endpoint?") from None
    try:
        choice = data["choices"][0]
        content = choice["message"].get("content")
        finish = choice.get("finish_reason")
    except (KeyError, IndexError, TypeError, AttributeError):
        raise LLMAnswerError(f"{endpoint.label}: the response has no choices[0].message; is --llm-url a "
                             "chat-completions endpoint?") from None
    model = data.get("model") if isinstance(data.get("model"), str) else None
    return Reply(content if isinstance(content, str) else "", finish if isinstance(finish, str) else None, model)
