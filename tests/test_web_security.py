"""The real web app (``python app.py``) probed over HTTP as an attacker would.

Two instances are started, each on a temporary copy of two shipped
documents with a secret file lying *outside* the documents folder:

* ``open_app``: no login, the default host, a tiny upload limit;
* ``login_app``: ASSISTANT_USERNAME / ASSISTANT_PASSWORD set.

What is checked is what a client observes: status codes, bytes, headers,
what lands on disk, and which network connections the server process makes
(recorded by a ``sitecustomize`` put on the server's PYTHONPATH).
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from apprunner import free_port

from conftest import REPO, SHIPPED_DOCS

DOCS = ["aalborg-magistraten-hoeringssvar-2015.txt", "slagelse-oekonomiudvalget-2015-04-20.txt"]
SECRET = "HEMMELIG-7f3a9c: adgangskoden til serveren er blaabaergroed-4711"
SECRET_QUESTION = "Hvad er adgangskoden til serveren?"
QUESTION = "Hvad siger Aalborg om sikkerhed?"
USER, PASSWORD = "kommune", "k0rrekt-Hest-Batteri"
# text that only a document (or an answer quoting it) can contain
DOC_MARKERS = ("Magistraten godkender", "Aalborg Kommune", "Slagelse", '"doc_id"')
HTML_DOC = ("<html><head><title>Parkering</title></head><body><h1>Parkering i midtbyen</h1>"
            "<p>Kommunen vil indføre digitale parkeringsautomater i midtbyen.</p>"
            "<script>document.title = 'XSS'</script></body></html>")

SVG_DOC = ('<svg xmlns="http://www.w3.org/2000/svg"><script>document.title = "XSS"</script>'
           '<circle r="5"/></svg>')

NETAUDIT = '''
import os, socket
_log = os.environ.get("ASSISTANT_TEST_NETLOG")
if _log:
    def _note(kind, target):
        with open(_log, "a", encoding="utf-8") as f:
            f.write(f"{kind}\\t{target!r}\\n")
    _connect, _connect_ex, _gai = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
    def connect(self, address):
        _note("connect", address)
        return _connect(self, address)
    def connect_ex(self, address):
        _note("connect", address)
        return _connect_ex(self, address)
    def getaddrinfo(host, *args, **kwargs):
        _note("resolve", host)
        return _gai(host, *args, **kwargs)
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
'''


@dataclass
class App:
    port: int
    root: Path
    docs: Path
    index: Path
    secret: Path
    gradio_tmp: Path
    netlog: Path
    proc: subprocess.Popen
    output: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None, timeout: float = 10.0,
                limit: int = 2_000_000) -> tuple[int, dict, bytes]:
        """Send ``path`` exactly as written (no client-side normalisation of
        ``..`` or percent escapes); read at most ``limit`` bytes, and what
        arrives before ``timeout`` on streaming responses."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            chunks, size = [], 0
            try:
                while size < limit:
                    chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
            except (socket.timeout, TimeoutError, http.client.IncompleteRead, ConnectionError):
                pass
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, b"".join(chunks)
        finally:
            conn.close()


def _prepare(root: Path) -> tuple[Path, Path]:
    """docs/ with two documents, a symlink to the secret and an HTML page;
    the secret beside docs/ and in a sibling folder whose name starts with
    the documents folder's name."""
    docs = root / "docs"
    docs.mkdir()
    for name in DOCS:
        shutil.copy(SHIPPED_DOCS / name, docs / name)
    (docs / "parkering.html").write_text(HTML_DOC, encoding="utf-8")
    (docs / "logo.svg").write_text(SVG_DOC, encoding="utf-8")
    secret = root / "secret.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    (docs / "hemmelig.txt").symlink_to(secret)
    (docs / "link-dir").symlink_to(root, target_is_directory=True)
    sibling = root / "docs-evil"
    sibling.mkdir()
    (sibling / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    return docs, secret


def _launch(root: Path, **settings: str) -> App:
    """Start ``python app.py`` as users do; :func:`_wait` for it to answer."""
    docs, secret = _prepare(root)
    audit = root / "netaudit"
    audit.mkdir()
    (audit / "sitecustomize.py").write_text(NETAUDIT, encoding="utf-8")
    port = free_port()
    app = App(port=port, root=root, docs=docs, index=root / "index", secret=secret,
              gradio_tmp=root / "gradio-tmp", netlog=root / "net.log", proc=None)  # type: ignore
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ASSISTANT_", "GRADIO_")) and k != "HF_HUB_OFFLINE"}
    env.update({"PYTHONPATH": f"{audit}{os.pathsep}{REPO}", "ASSISTANT_PORT": str(port),
                "ASSISTANT_DOCS_DIR": str(docs), "ASSISTANT_INDEX_DIR": str(app.index),
                "GRADIO_TEMP_DIR": str(app.gradio_tmp), "ASSISTANT_TEST_NETLOG": str(app.netlog),
                "PYTHONUNBUFFERED": "1"})
    env.update({f"ASSISTANT_{k.upper()}": v for k, v in settings.items()})
    app.proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def pump():
        for line in app.proc.stdout:
            app.output.append(line)
    threading.Thread(target=pump, daemon=True).start()
    return app


def _wait(app: App) -> App:
    port = app.port
    deadline = time.time() + 120
    while time.time() < deadline:
        if app.proc.poll() is not None:
            time.sleep(0.2)
            pytest.fail("app exited early:\n" + "".join(app.output))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            status, _, _ = app.request("GET", "/gradio_api/startup-events")
            if status == 200:
                return app
        except OSError:
            pass
        time.sleep(0.3)
    app.proc.terminate()
    pytest.fail("app did not start within 120 s:\n" + "".join(app.output))


def _stop(app: App) -> None:
    app.proc.terminate()
    try:
        app.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        app.proc.kill()


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    """Both instances.  The first indexes its documents with the real
    embedder; the second starts from a copy of that index (the indexer reuses
    unchanged documents), which keeps this module quick."""
    started = []
    try:
        started.append(_wait(_launch(tmp_path_factory.mktemp("open"), max_upload_mb="0.05")))
        root = tmp_path_factory.mktemp("login")
        shutil.copytree(started[0].index, root / "index",
                        ignore=shutil.ignore_patterns("LOCK", "*.lock"))
        started.append(_wait(_launch(root, username=USER, password=PASSWORD)))
        yield started
    finally:
        for app in started:
            _stop(app)


@pytest.fixture(scope="module")
def open_app(apps):
    """No login, default host, a 0.05 MB upload limit."""
    return apps[0]


@pytest.fixture(scope="module")
def login_app(apps):
    """ASSISTANT_USERNAME and ASSISTANT_PASSWORD set."""
    return apps[1]


def _file(path: str) -> str:
    return "/gradio_api/file=" + path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


# --- 1. path traversal through the file route ---------------------------------


def test_a_document_in_the_documents_folder_is_downloadable(open_app):
    doc = open_app.docs / DOCS[0]
    status, headers, body = open_app.request("GET", _file(str(doc)))
    assert status == 200, body[:300]
    assert body == doc.read_bytes()


def _traversal_probes(app: App) -> dict[str, str]:
    docs, root = str(app.docs), str(app.root)
    quoted_docs = urllib.parse.quote(docs)
    return {
        "absolute path": str(app.secret),
        "dot-dot": f"{docs}/../secret.txt",
        "dot-dot twice": f"{docs}/uploads/../../secret.txt",
        "encoded dots": f"{docs}/%2e%2e/secret.txt",
        "encoded dots and slash": f"{docs}/%2e%2e%2fsecret.txt",
        "fully encoded": f"{quoted_docs}%2F%2E%2E%2Fsecret.txt",
        "double encoded": f"{docs}/%252e%252e%252fsecret.txt",
        "backslashes": f"{docs}\\..\\secret.txt",
        "encoded backslashes": f"{docs}%5c..%5csecret.txt",
        "overlong utf-8 dots": f"{docs}/%c0%ae%c0%ae/secret.txt",
        "sibling folder sharing the prefix": f"{root}/docs-evil/secret.txt",
        "dot-dot into sibling": f"{docs}/../docs-evil/secret.txt",
        "symlink in the documents folder": f"{docs}/hemmelig.txt",
        "symlinked folder in the documents folder": f"{docs}/link-dir/secret.txt",
        "double slash": f"/{root}//secret.txt",
        "null byte": f"{docs}/{DOCS[0]}%00/../../secret.txt",
        "relative to the server's cwd": "../" * 12 + str(app.secret).lstrip("/"),
    }


def test_the_secret_outside_the_documents_folder_cannot_be_fetched(open_app):
    leaks = {}
    for name, path in _traversal_probes(open_app).items():
        for method in ("GET", "HEAD"):
            for route in ("/gradio_api/file=", "/gradio_api/file/", "/file="):
                status, _, body = open_app.request(method, route + path)
                if status == 200 or SECRET.encode() in body:
                    leaks[f"{method} {route} {name}"] = (status, body[:120])
    assert not leaks, leaks


def test_the_app_source_system_files_and_index_cannot_be_fetched(open_app):
    index_files = [p for p in open_app.index.rglob("*") if p.is_file()]
    assert index_files, "the app built no index"
    targets = [REPO / "assistant" / "config.py", REPO / "app.py", REPO / "pyproject.toml",
               Path("/etc/passwd"), Path("/proc/self/environ"), *index_files]
    relative = ["assistant/config.py", "app.py", "./app.py", "pyproject.toml"]
    leaks = {}
    for target in [str(t) for t in targets] + relative:
        status, _, body = open_app.request("GET", _file(target))
        if status == 200:
            leaks[target] = body[:120]
    assert not leaks, leaks


def test_the_file_route_is_not_a_proxy_to_local_services(open_app):
    for url in (f"http://127.0.0.1:{open_app.port}/config",
                f"http://localhost:{open_app.port}/gradio_api/info",
                f"http://[::1]:{open_app.port}/config"):
        status, _, body = open_app.request("GET", _file(url))
        assert status != 200 and b"components" not in body, (url, status, body[:200])


def test_a_symlink_to_the_secret_is_neither_indexed_nor_answered(open_app):
    from gradio_client import Client

    answer = Client(open_app.url, verbose=False).predict(SECRET_QUESTION, api_name="/ask")
    assert "HEMMELIG" not in json.dumps(answer, ensure_ascii=False)
    assert "blaabaergroed" not in json.dumps(answer, ensure_ascii=False)


def test_html_documents_are_not_served_as_pages_on_the_apps_origin(open_app):
    """An HTML or SVG document (shipped or uploaded) opened from the sources
    list must not run its script with the app's origin and login cookie: it
    comes as a sandboxed download."""
    for name in ("parkering.html", "logo.svg"):
        status, headers, body = open_app.request("GET", _file(str(open_app.docs / name)))
        assert status == 200 and b"<script>" in body, (name, status)
        assert headers.get("content-disposition", "").startswith("attachment"), (name, headers)
        assert "sandbox" in headers.get("content-security-policy", ""), (name, headers)
        assert headers.get("x-content-type-options") == "nosniff", (name, headers)
    # plain documents still open in the browser
    status, headers, _ = open_app.request("GET", _file(str(open_app.docs / DOCS[0])))
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert "sandbox" not in headers.get("content-security-policy", "")


def test_the_file_route_fetches_no_urls(open_app):
    """gradio would fetch a URL given instead of a path (a request to the
    internet on a user's behalf); the app refuses it without a look-up."""
    logged = open_app.netlog.read_text(encoding="utf-8") if open_app.netlog.exists() else ""
    for url in ("https://example.com/hoering.pdf", "http://example.org/x.txt",
                "HTTPS://example.com/y.txt", "//example.com/z.txt"):
        status, _, body = open_app.request("GET", _file(url))
        assert status in (403, 404), (url, status, body[:200])
    time.sleep(0.3)
    now = open_app.netlog.read_text(encoding="utf-8") if open_app.netlog.exists() else ""
    assert not _outside(now[len(logged):]), _outside(now[len(logged):])


# --- 2. login -------------------------------------------------------------------


def _app_routes() -> list[tuple[str, str]]:
    """(method, path) of every route the app's FastAPI server has, read off
    the same Blocks built in-process (so a route added by a gradio upgrade is
    probed too)."""
    from gradio.routes import App as GradioApp

    from assistant import Assistant, Settings
    from assistant.ui import build_app

    root = Path(os.environ.get("TMPDIR", "/tmp")) / f"ws-routes-{uuid.uuid4().hex}"
    (root / "docs").mkdir(parents=True)
    analytics = os.environ.get("GRADIO_ANALYTICS_ENABLED")
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    try:
        blocks = build_app(Assistant(Settings(docs_dir=root / "docs", index_dir=root / "index")))
        blocks.auth = [(USER, PASSWORD)]
        server = GradioApp.create_app(blocks)
        found = []

        def walk(routes):
            for r in routes:
                if hasattr(r, "path"):
                    found.extend((m, r.path) for m in sorted(getattr(r, "methods", None) or ["GET"]))
                else:   # starlette's included router
                    walk(r.original_router.routes)
        walk(server.routes)
        return found
    finally:
        shutil.rmtree(root, ignore_errors=True)
        if analytics is None:
            os.environ.pop("GRADIO_ANALYTICS_ENABLED", None)
        else:
            os.environ["GRADIO_ANALYTICS_ENABLED"] = analytics


def _fill(path: str, doc: Path) -> str:
    def value(name: str) -> str:
        name = name.split(":")[0]
        return {"path_or_url": str(doc), "path": str(doc), "api_name": "ask",
                "url_path": f"http://127.0.0.1/{doc}"}.get(name, "x1")
    out = path
    while "{" in out:
        start, end = out.index("{"), out.index("}")
        out = out[:start] + urllib.parse.quote(value(out[start + 1:end]), safe="/") + out[end + 1:]
    return out


def _multipart(name: str, content: bytes) -> tuple[bytes, dict]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n").encode() + content + \
        f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _leaks(body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    return [m for m in DOC_MARKERS if m in text]


def _ask_body() -> bytes:
    return json.dumps({"data": [QUESTION, [], []]}).encode()


def test_without_login_the_important_routes_refuse(login_app):
    doc = login_app.docs / DOCS[0]
    upload_body, upload_headers = _multipart("x.txt", b"hello")
    json_h = {"Content-Type": "application/json"}
    queue = json.dumps({"data": [QUESTION], "fn_index": 0, "session_hash": "s1",
                        "event_data": None, "trigger_id": None}).encode()
    probes = [("GET", "/config", None, {}), ("GET", "/gradio_api/info", None, {}),
              ("GET", "/gradio_api/openapi.json", None, {}),
              ("POST", "/gradio_api/call/ask", _ask_body(), json_h),
              ("POST", "/gradio_api/run/ask", _ask_body(), json_h),
              ("POST", "/gradio_api/api/ask", _ask_body(), json_h),
              ("POST", "/gradio_api/call/v2/ask", _ask_body(), json_h),
              ("POST", "/gradio_api/queue/join", queue, json_h),
              ("GET", "/gradio_api/queue/data?session_hash=s1", None, {}),
              ("POST", "/gradio_api/upload", upload_body, upload_headers),
              ("GET", _file(str(doc)), None, {}), ("HEAD", _file(str(doc)), None, {}),
              ("GET", "/gradio_api/file/" + str(doc), None, {})]
    wrong = {}
    for method, path, body, headers in probes:
        status, _, got = login_app.request(method, path, body, headers, timeout=5)
        if status not in (401, 403) or _leaks(got) or doc.read_bytes()[:200] in got:
            wrong[f"{method} {path}"] = (status, got[:200])
    assert not wrong, wrong
    before = _snapshot(login_app.gradio_tmp) if login_app.gradio_tmp.exists() else {}
    assert not any(v == b"hello" for v in before.values()), "an upload was stored without login"

    status, headers, page = login_app.request("GET", "/")
    assert status == 200 and b"auth_required" in page, page[:300]
    assert not _leaks(page)


def test_without_login_no_route_of_the_app_leaks_documents_or_answers(login_app):
    doc = login_app.docs / DOCS[0]
    routes = _app_routes()
    assert ("POST", "/gradio_api/queue/join") in routes and len(routes) > 40
    json_h = {"Content-Type": "application/json"}
    leaks = {}
    for method, path in routes:
        if path in ("/login", "/login/"):
            continue
        url = _fill(path, doc)
        body = _ask_body() if method == "POST" else None
        status, _, got = login_app.request(method, url, body, json_h if body else {},
                                           timeout=2, limit=200_000)
        if _leaks(got) or doc.read_bytes()[:200] in got or (
                status == 200 and b"Magistraten" in got):
            leaks[f"{method} {url}"] = (status, got[:200])
    assert not leaks, leaks


def _login(app: App, user: str, password: str) -> tuple[int, str]:
    body = urllib.parse.urlencode({"username": user, "password": password}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=10)
    try:
        conn.request("POST", "/login", body=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        resp.read()
        cookies = [c.split(";")[0] for k, c in resp.getheaders() if k.lower() == "set-cookie"]
        return resp.status, "; ".join(cookies)
    finally:
        conn.close()


def _call_ask(app: App, cookie: str) -> tuple[int, object]:
    headers = {"Content-Type": "application/json", "Cookie": cookie}
    status, _, got = app.request("POST", "/gradio_api/call/ask", _ask_body(), headers)
    if status != 200:
        return status, got
    event_id = json.loads(got)["event_id"]
    status, _, stream = app.request("GET", f"/gradio_api/call/ask/{event_id}", None,
                                    {"Cookie": cookie}, timeout=60)
    lines = stream.decode().splitlines()
    assert "event: complete" in lines, stream[:500]
    data = lines[lines.index("event: complete") + 1].removeprefix("data: ")
    return status, json.loads(data)[0]


def test_with_login_the_api_answers_with_passages(login_app):
    status, cookie = _login(login_app, USER, PASSWORD)
    assert status == 200 and "access-token" in cookie
    status, answer = _call_ask(login_app, cookie)
    assert status == 200, answer
    assert answer["passages"] and {p["organisation"] for p in answer["passages"]} == \
        {"Aalborg Kommune"}
    doc = login_app.docs / DOCS[0]
    status, _, body = login_app.request("GET", _file(str(doc)), headers={"Cookie": cookie})
    assert status == 200 and body == doc.read_bytes()
    # logged in, the traversal rules still hold
    status, _, body = login_app.request("GET", _file(str(login_app.secret)),
                                        headers={"Cookie": cookie})
    assert status != 200 and SECRET.encode() not in body


def test_a_wrong_password_gives_no_session(login_app):
    for user, password in ((USER, "forkert"), (USER, ""), ("admin", PASSWORD),
                           (USER.upper(), PASSWORD), (USER, PASSWORD + " ")):
        status, cookie = _login(login_app, user, password)
        assert status != 200 and "access-token" not in cookie, (user, password, status)
    status, answer = _call_ask(login_app, "access-token-x=forged; access-token-unsecure-x=forged")
    assert status == 401 and not _leaks(answer if isinstance(answer, bytes) else b"")


def test_gradio_client_needs_the_right_password(login_app):
    from gradio_client import Client

    answer = Client(login_app.url, auth=(USER, PASSWORD), verbose=False).predict(
        QUESTION, api_name="/ask")
    assert answer["passages"]
    with pytest.raises(Exception):
        Client(login_app.url, auth=(USER, "forkert"), verbose=False).predict(
            QUESTION, api_name="/ask")
    with pytest.raises(Exception):
        Client(login_app.url, verbose=False).predict(QUESTION, api_name="/ask")


# --- 3. uploads -----------------------------------------------------------------


def test_an_upload_over_the_limit_is_refused_and_a_small_one_accepted(open_app):
    docs_before = _snapshot(open_app.docs)
    big = b"stor fil " * 22_300     # ~200 kB against a 0.05 MB limit
    body, headers = _multipart("stor.txt", big)
    status, _, got = open_app.request("POST", "/gradio_api/upload", body, headers)
    assert status == 413, (status, got[:300])
    assert _snapshot(open_app.docs) == docs_before
    stored = _snapshot(open_app.gradio_tmp) if open_app.gradio_tmp.exists() else {}
    assert not any(len(v) >= 50_000 for v in stored.values()), "the refused upload stayed on disk"

    small = "Kommunen vil udbygge cykelstierne langs havnefronten.\n".encode() * 10
    body, headers = _multipart("lille.txt", small)
    status, _, got = open_app.request("POST", "/gradio_api/upload", body, headers)
    assert status == 200, got[:300]
    (path,) = json.loads(got)
    assert Path(path).resolve().is_relative_to(open_app.gradio_tmp.resolve())
    assert Path(path).read_bytes() == small
    assert _snapshot(open_app.docs) == docs_before   # only the upload button saves into docs


def _config(app: App) -> dict:
    status, _, body = app.request("GET", "/config")
    assert status == 200
    return json.loads(body)


def _run_event(app: App, elem_id: str, event: str, data: list) -> dict:
    """Trigger a UI event the way the browser does: queue/join, then read the
    queue's event stream until the process_completed message."""
    config = _config(app)
    (component,) = [c["id"] for c in config["components"]
                    if c.get("props", {}).get("elem_id") == elem_id]
    (dep,) = [d for d in config["dependencies"] if [component, event] in d["targets"]]
    session = uuid.uuid4().hex
    body = json.dumps({"data": data, "fn_index": dep["id"], "trigger_id": component,
                       "session_hash": session, "event_data": None}).encode()
    status, _, got = app.request("POST", "/gradio_api/queue/join", body,
                                 {"Content-Type": "application/json"})
    assert status == 200, got[:300]
    status, _, stream = app.request("GET", f"/gradio_api/queue/data?session_hash={session}",
                                    timeout=60)
    for line in stream.decode().splitlines():
        if line.startswith("data: "):
            msg = json.loads(line[6:])
            if msg.get("msg") == "process_completed":
                return msg
    raise AssertionError(stream[-500:])


def _file_data(path: str, name: str) -> dict:
    return {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}


def test_the_upload_button_saves_only_uploaded_files_into_the_documents_folder(open_app):
    text = "Kommunen vil plante flere bytræer langs boulevarden i 2016.\n".encode()
    body, headers = _multipart("bytraeer.txt", text)
    status, _, got = open_app.request("POST", "/gradio_api/upload", body, headers)
    assert status == 200
    (uploaded,) = json.loads(got)
    msg = _run_event(open_app, "upload-btn", "click", [[_file_data(uploaded, "bytraeer.txt")], "da"])
    assert msg.get("success"), msg
    saved = open_app.docs / "uploads" / "bytraeer.txt"
    assert saved.read_bytes() == text

    # a crafted event naming a server file instead of an upload
    for path in (str(open_app.secret), f"{open_app.docs}/../secret.txt",
                 str(open_app.docs / "hemmelig.txt"), str(REPO / "assistant" / "config.py")):
        msg = _run_event(open_app, "upload-btn", "click", [[_file_data(path, "stjaalet.txt")], "da"])
        copied = [p for p in (open_app.docs / "uploads").iterdir()
                  if p.name != "bytraeer.txt"]
        assert not copied, (path, msg, copied)
    assert not [name for name, data in _snapshot(open_app.docs).items()
                if SECRET.encode() in data], "the secret was copied into the documents folder"


# --- 4. binding and network -----------------------------------------------------


def _non_loopback_ips() -> list[str]:
    ips = set()
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout
        ips.update(out.split())
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        ips.update(i[4][0] for i in socket.getaddrinfo(socket.gethostname(), None))
    except OSError:
        pass
    return sorted(ip for ip in ips if not ip.startswith("127.") and ip != "::1"
                  and not ip.startswith("fe80"))


def test_the_app_listens_on_loopback_only(open_app):
    with socket.create_connection(("127.0.0.1", open_app.port), timeout=2):
        pass
    ips = _non_loopback_ips()
    if not ips:
        pytest.skip("this machine has only a loopback address")
    reachable = []
    for ip in ips:
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            if s.connect_ex((ip, open_app.port)) == 0:
                reachable.append(ip)
    assert not reachable, f"the app answers on {reachable}"


def _outside(log: str) -> list[str]:
    outside = []
    for line in log.splitlines():
        kind, target = line.split("\t", 1)
        host = target.split("'")[1] if "'" in target else target.strip("()")
        if not (host in ("localhost", "::1", "0.0.0.0", "None", "")
                or host.startswith(("127.", "/"))):
            outside.append(line)
    return outside


def test_no_share_link_and_no_connections_off_the_machine(open_app, login_app):
    """Checked last: covers startup and every request the tests above made."""
    for app in (open_app, login_app):
        output = "".join(app.output)
        assert f"Running on local URL:  http://127.0.0.1:{app.port}" in output, output
        assert "gradio.live" not in output and "public URL" not in output, output
        time.sleep(0.5)   # background threads started at launch
        log = app.netlog.read_text(encoding="utf-8") if app.netlog.exists() else ""
        assert not _outside(log), _outside(log)
