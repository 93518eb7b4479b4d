"""The web app starts on the shipped documents and answers over HTTP."""
import json
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
def app_index(tmp_path_factory):
    return tmp_path_factory.mktemp("app") / "index"


@pytest.fixture(scope="module")
def app_url(app_index):
    port = _free_port()
    env = {**os.environ, "ASSISTANT_PORT": str(port), "PYTHONPATH": str(REPO),
           "ASSISTANT_DOCS_DIR": str(SHIPPED_DOCS), "ASSISTANT_INDEX_DIR": str(app_index)}
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


def test_app_api_gives_the_same_citations_as_the_cli(app_url, app_index):
    from gradio_client import Client

    assert app_url.startswith("http://127.0.0.1:")
    client = Client(app_url, verbose=False)
    for question in ("Hvad siger Aalborg om sikkerhed?", "What does Aalborg say about security?"):
        via_app = client.predict(question, api_name="/ask")
        cli = subprocess.run(
            [sys.executable, "-m", "assistant", "ask", question, "--json",
             "--index-dir", str(app_index)], cwd=REPO, capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
        via_cli = json.loads(cli.stdout)
        assert via_app["passages"], via_app
        assert [(p["doc_id"], p["start"], p["end"], p["rank"]) for p in via_app["passages"]] == \
            [(p["doc_id"], p["start"], p["end"], p["rank"]) for p in via_cli["passages"]]
        assert via_app["answer"] == via_cli["answer"]
        assert {p["organisation"] for p in via_app["passages"]} == {"Aalborg Kommune"}


def test_app_api_applies_filters(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    news = client.predict("Hvad sker der med strategien?", [], ["news"], api_name="/ask")
    assert news["passages"] and {p["doc_type"] for p in news["passages"]} == {"news"}
