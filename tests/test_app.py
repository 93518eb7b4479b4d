"""The web app starts on the shipped documents and answers over HTTP."""
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import REPO, SHIPPED_DOCS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "ASSISTANT_PORT": str(port), "PYTHONPATH": str(REPO),
           "ASSISTANT_DOCS_DIR": str(SHIPPED_DOCS),
           "ASSISTANT_INDEX_DIR": str(tmp_path_factory.mktemp("app") / "index")}
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    try:
        while time.time() < deadline:
            if proc.poll() is not None:
                pytest.fail("app exited early:\n" + proc.stdout.read())
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("app did not start within 120 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_app_serves_on_loopback_and_answers_with_citations(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    markdown = client.predict("Hvad siger Aalborg om sikkerhed?", api_name="/ask")
    assert "Aalborg Kommune" in markdown
    assert "Kilder" in markdown
    assert "aalborg-magistraten-hoeringssvar-2015.txt" in markdown
    assert "\\[1\\]" in markdown
    assert app_url.startswith("http://127.0.0.1:")
