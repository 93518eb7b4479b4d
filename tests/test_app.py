"""The web app starts on the shipped documents and answers over HTTP."""
import json
import os
import subprocess
import sys

import pytest

from apprunner import running_app
from conftest import REPO, SHIPPED_DOCS


@pytest.fixture(scope="module")
def app_index(tmp_path_factory):
    return tmp_path_factory.mktemp("app") / "index"


@pytest.fixture(scope="module")
def app_url(app_index):
    with running_app(SHIPPED_DOCS, app_index, app_index.parent / "app.log") as url:
        yield url


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


def test_app_with_a_damaged_index_says_how_to_fix_it(tmp_path):
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    (index_dir / "CURRENT").write_text("v20260101T000000-deadbeef\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "ASSISTANT_DOCS_DIR": str(SHIPPED_DOCS),
           "ASSISTANT_INDEX_DIR": str(index_dir)}
    out = subprocess.run([sys.executable, "app.py"], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2
    assert "--rebuild" in out.stderr and "Traceback" not in out.stderr
