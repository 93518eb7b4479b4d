"""HTTP middleware around gradio: a hardened file route (the originals in the
documents folder) and a friendly reply when the question queue is full."""
from __future__ import annotations

import re

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+\-.]*:/")
_FILE_ROUTES = ("/gradio_api/file=", "/gradio_api/file/")
# types a browser runs as a page (with script) when opened inline
_ACTIVE_TYPES = {"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml",
                 "application/xml", "text/xsl"}


class SafeFileRoute:
    """ASGI middleware for gradio's file route, which serves the originals in
    the documents folder (``/gradio_api/file=<path>``):

    * a URL instead of a path is refused, where gradio would fetch it from the
      internet: the app makes no network calls of its own;
    * a document a browser would run as a page (HTML, SVG, XML; shipped or
      uploaded) is sent as a sandboxed download, so its script cannot run with
      the app's origin and login cookie.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        route = next((r for r in _FILE_ROUTES if path.startswith(r)), None)
        if route is None:
            return await self.app(scope, receive, send)
        if _URL.match(path[len(route):].lstrip("/")):
            from starlette.responses import PlainTextResponse

            return await PlainTextResponse("File not allowed.", status_code=403)(
                scope, receive, send)

        async def send_safely(message):
            if message["type"] == "http.response.start":
                from starlette.datastructures import MutableHeaders

                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                kind = headers.get("content-type", "").split(";")[0].strip().lower()
                if kind in _ACTIVE_TYPES or kind.endswith("+xml"):
                    headers["Content-Security-Policy"] = "sandbox"
                    disposition = headers.get("content-disposition", "")
                    headers["Content-Disposition"] = "attachment" + (
                        disposition[len("inline"):] if disposition.startswith("inline") else "")
            await send(message)

        return await self.app(scope, receive, send_safely)


BUSY = {"detail": "Strategiassistenten har travlt lige nu. Prøv igen om lidt. / "
                  "The assistant is busy right now. Please try again in a moment."}


class FriendlyBusy:
    """ASGI middleware: when the question queue is full, gradio answers HTTP
    503 at once with "Queue is full. Max size is 64 ..."; the page and API
    callers get a plain Danish/English "busy, try again" instead (still 503,
    so clients can retry)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        held: dict = {}

        async def send_friendly(message):
            if message["type"] == "http.response.start" and message["status"] == 503:
                held["start"], held["body"] = message, b""
                return
            if "start" not in held:
                return await send(message)
            held["body"] += message.get("body", b"")
            if message.get("more_body"):
                return
            body = held["body"]
            if b"Queue is full" in body:
                import json

                body = json.dumps(BUSY, ensure_ascii=False).encode("utf-8")
            start = held["start"]
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        return await self.app(scope, receive, send_friendly)
