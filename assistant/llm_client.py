"""HTTP client for OpenAI-compatible chat-completions endpoints.

Split from :mod:`assistant.generate` so that module holds only the answer
logic (prompt, citation checks, fallback) and this one only the wire protocol:
one POST with a JSON body and a JSON or server-sent-events reply, every
failure translated into a :class:`~assistant.errors.GenerationError` that says
what to fix.

Only the standard library is used (``http.client``).  Environment proxy
variables are not consulted; the endpoint is reached directly.
"""
from __future__ import annotations

import http.client
import json
import ssl
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlsplit

from .config import Settings
from .errors import GenerationError

MAX_LINE_BYTES = 1 << 20        # one SSE line / the error body we read
MAX_BODY_BYTES = 16 << 20       # a whole non-streamed reply


def _display_url(url: str) -> str:
    """The URL without any user:password part, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class ChatClient:
    """A minimal OpenAI-compatible chat-completions client (standard library only).

    ``base_url`` is the API root, e.g. ``http://127.0.0.1:11434/v1`` (Ollama) or
    ``http://127.0.0.1:8000/v1`` (vLLM); ``/chat/completions`` is appended
    unless it is already there.  ``timeout`` bounds connecting and every wait
    for more data, not the whole generation.
    """

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout: float = 60.0):
        base = base_url.strip().rstrip("/")
        self.url = base if base.endswith("/chat/completions") else base + "/chat/completions"
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise GenerationError(base_url, "connection", "not an http(s) URL",
                                  "Set ASSISTANT_LLM_BASE_URL to e.g. http://127.0.0.1:11434/v1.")
        self._parts = parts
        self.endpoint = _display_url(self.url)
        self.model, self.api_key, self.timeout = model, api_key, float(timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> "ChatClient":
        return cls(settings.llm_base_url, settings.llm_model, settings.llm_api_key,
                   settings.llm_timeout_s)

    def __repr__(self) -> str:  # never shows the key
        return f"ChatClient({self.endpoint!r}, model={self.model!r})"

    # -- errors ------------------------------------------------------------
    def _error(self, kind: str, detail: str, status: int | None = None) -> GenerationError:
        fixes = {
            "connection": ("Start the server (for Ollama: ollama serve) or correct "
                           "ASSISTANT_LLM_BASE_URL; unset it to use extractive answers only."),
            "timeout": (f"Raise ASSISTANT_LLM_TIMEOUT_S (now {self.timeout:g} s), use a smaller "
                        f"model, or unset ASSISTANT_LLM_BASE_URL."),
            "http": "Check the server's log, or unset ASSISTANT_LLM_BASE_URL.",
            "protocol": ("Check that ASSISTANT_LLM_BASE_URL points at an OpenAI-compatible API "
                         "root (usually ending in /v1)."),
        }
        if status in (401, 403):
            fix = "Check ASSISTANT_LLM_API_KEY."
        elif status == 404:
            fix = (f"Check ASSISTANT_LLM_BASE_URL (usually ending in /v1) and that model "
                   f"'{self.model}' exists on the server (ASSISTANT_LLM_MODEL).")
        elif status is not None and 400 <= status < 500:
            fix = f"Check ASSISTANT_LLM_MODEL ('{self.model}') and the server's log."
        elif status is not None:
            fix = "The server failed; check its log, or unset ASSISTANT_LLM_BASE_URL."
        else:
            fix = fixes[kind]
        return GenerationError(self.endpoint, kind, detail, fix, status)

    # -- the request -------------------------------------------------------
    def _open(self, messages_: list[dict], stream: bool, params: dict):
        body = json.dumps({"model": self.model, "messages": messages_, "stream": stream,
                           "temperature": 0, **params}).encode("utf-8")
        headers = {"Content-Type": "application/json",
                   "Accept": "text/event-stream" if stream else "application/json",
                   "User-Agent": "strategy-assistant"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        p = self._parts
        path = p.path + (f"?{p.query}" if p.query else "")
        if p.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                p.hostname, p.port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(p.hostname, p.port, timeout=self.timeout)
        try:
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            if not 200 <= resp.status < 300:
                raw = resp.read(MAX_LINE_BYTES)
                raise self._error("http", f"HTTP {resp.status} {resp.reason}"
                                  + _error_text(raw), resp.status)
            return conn, resp
        except GenerationError:
            conn.close()
            raise
        except _FAILURES as exc:
            conn.close()
            raise self._translate(exc) from exc
        except BaseException:
            conn.close()
            raise

    def _translate(self, exc: BaseException) -> GenerationError:
        if isinstance(exc, GenerationError):
            return exc
        if isinstance(exc, TimeoutError):
            return self._error("timeout", f"no reply within {self.timeout:g} s")
        if isinstance(exc, OSError):
            return self._error("connection", f"connection failed ({exc})")
        return self._error("protocol", f"invalid reply ({type(exc).__name__}: {exc})")

    def complete(self, messages_: list[dict], **params) -> str:
        """The whole reply text (``stream: false``)."""
        conn, resp = self._open(messages_, False, params)
        with self._reading(conn):
            raw = resp.read(MAX_BODY_BYTES + 1)
            if len(raw) > MAX_BODY_BYTES:
                raise self._error("protocol", "reply larger than 16 MB")
            return self._message_content(raw)

    def stream(self, messages_: list[dict], **params) -> Iterator[str]:
        """Text deltas as the model writes them (``stream: true``, server-sent
        events: ``data: {json}`` lines ending with ``data: [DONE]``).  Closing
        the generator early closes the connection."""
        conn, resp = self._open(messages_, True, params)
        with self._reading(conn):
            ctype = (resp.getheader("Content-Type") or "").lower()
            if ctype.startswith("application/json"):   # the server ignored stream=true
                content = self._message_content(resp.read(MAX_BODY_BYTES))
                if content:
                    yield content
                return
            finished = False
            while True:
                line = resp.readline(MAX_LINE_BYTES + 1)
                if not line:
                    break
                if len(line) > MAX_LINE_BYTES:
                    raise self._error("protocol", "stream line longer than 1 MB")
                text = line.decode("utf-8").strip()
                if not text or text.startswith(":") or text.split(":", 1)[0] in (
                        "event", "id", "retry"):
                    continue
                if not text.startswith("data:"):
                    raise self._error("protocol", f"unexpected stream line {text[:80]!r}")
                data = text[5:].strip()
                if data == "[DONE]":
                    finished = True
                    break
                delta, done = self._delta(data)
                finished = finished or done
                if delta:
                    yield delta
            if not finished:
                raise self._error("protocol", "the stream ended before the reply was complete")

    @contextmanager
    def _reading(self, conn):
        """Reading a reply: transport and parsing failures become GenerationError;
        the connection is closed whatever happens."""
        try:
            yield
        except GenerationError:
            raise
        except _FAILURES as exc:
            raise self._translate(exc) from exc
        finally:
            conn.close()

    # -- parsing -----------------------------------------------------------
    def _json(self, raw: bytes | str) -> dict:
        try:
            obj = json.loads(raw)
        except ValueError as exc:
            raise self._error("protocol", f"reply is not JSON ({exc})") from None
        if not isinstance(obj, dict):
            raise self._error("protocol", "reply is not a JSON object")
        if obj.get("error"):
            raise self._error("http", "the server reported an error" + _error_text(obj))
        return obj

    def _message_content(self, raw: bytes) -> str:
        obj = self._json(raw)
        try:
            content = obj["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise self._error("protocol", "reply has no choices[0].message.content") from None
        if content is not None and not isinstance(content, str):
            raise self._error("protocol", "choices[0].message.content is not text")
        return content or ""

    def _delta(self, data: str) -> tuple[str, bool]:
        obj = self._json(data)
        choices = obj.get("choices")
        if not isinstance(choices, list):
            raise self._error("protocol", "stream event has no choices list")
        if not choices:                 # e.g. a final usage-only event
            return "", False
        choice = choices[0]
        if not isinstance(choice, dict):
            raise self._error("protocol", "stream event choice is not an object")
        delta = choice.get("delta") or {}
        content = delta.get("content") if isinstance(delta, dict) else None
        if content is not None and not isinstance(content, str):
            raise self._error("protocol", "stream delta content is not text")
        return content or "", bool(choice.get("finish_reason"))


# what a failed exchange raises: OSError covers refused, reset and timed-out
# sockets and TLS errors; ValueError covers bad UTF-8 and JSON
_FAILURES = (OSError, http.client.HTTPException, ValueError)


def _error_text(raw: bytes | dict) -> str:
    """': <server's message>' from an error body, short, or ''."""
    if isinstance(raw, dict):
        obj: object = raw
    else:
        text = raw.decode("utf-8", "replace").strip()
        try:
            obj = json.loads(text)
        except ValueError:
            return f": {text[:300]}" if text else ""
    if isinstance(obj, dict):
        err = obj.get("error", obj)
        msg = err.get("message") if isinstance(err, dict) else err
        return f": {str(msg)[:300]}" if msg else ""
    return ""
