"""The strategy's themes as a filter, a query and an overview (themes x organisations)."""
from __future__ import annotations

import csv
import re

from assistant.ui_logic import AppLogic


def test_a_theme_named_in_the_question_filters_to_its_passages(shipped_assistant):
    tagged = set(shipped_assistant.theme_rows([4]).tolist())
    index = shipped_assistant.stored_index
    rows = {(c.doc_id, c.start): i for i, c in enumerate(index.chunks)}
    for question in ("Hvad siger Aalborg om tema 4?", "What does the security theme say about staff?"):
        answer = shipped_assistant.ask(question)
        assert answer.passages and answer.filters["themes"] == [4], question
        assert all(rows[(p.chunk.doc_id, p.chunk.start)] in tagged for p in answer.passages)
    staff = shipped_assistant.ask("What does the security theme say about staff?")
    assert any("medarbejder" in p.chunk.text for p in staff.passages)


def test_theme_filter_from_the_api_combines_with_organisations(shipped_assistant):
    answer = shipped_assistant.ask("Hvad siger de om data?", themes=[3],
                                   organisations=["Aalborg Kommune"])
    tagged = set(shipped_assistant.theme_rows([3]).tolist())
    index = shipped_assistant.stored_index
    assert answer.passages
    for p in answer.passages:
        assert p.document.meta.organisation == "Aalborg Kommune"
        assert index.chunks.index(p.chunk) in tagged
    none = shipped_assistant.ask("Hvad siger de om data?", themes=[3], organisations=["KL"])
    assert not none.passages


def test_overview_matches_the_tagged_chunks_and_exports_csv(shipped_assistant):
    index = shipped_assistant.stored_index
    tags = shipped_assistant.theme_tagger().tags(index)
    overview = shipped_assistant.theme_overview()
    for theme, cells in overview.items():
        for org, passages in cells.items():
            expected = [c for c, t in zip(index.chunks, tags) if theme in t
                        and index.documents[c.doc_id].meta.organisation == org]
            assert [p.chunk for p in passages] == expected
    assert overview[4]["Aalborg Kommune"]
    # Fredensborg's channel strategy addresses none of the ten themes (hand
    # labels agree): its column is all zeros, not missing
    assert all(cells["Fredensborg Kommune"] == [] for cells in overview.values())

    logic = AppLogic(shipped_assistant)
    headers, rows, path = logic.theme_overview("da")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh, delimiter=";"))
    assert table[0] == headers and [r[1:] for r in table[1:]] == [[str(v) for v in r[1:]] for r in rows]
    assert len(rows) == 10 and rows[3][0].startswith("Tema 4: Sikkerhed og tilgængelighed")
    assert [r[headers.index("Fredensborg Kommune")] for r in rows] == [0] * 10
    col = headers.index("Aalborg Kommune")
    assert rows[3][col] == len(overview[4]["Aalborg Kommune"])
    cell = logic.theme_cell(3, col, "da")
    assert cell.count("class='source'") == rows[3][col]
    assert re.search(r"Tema 4: Sikkerhed.*Aalborg Kommune", cell)


def test_cli_themes_table_and_theme_filter(shipped_assistant, tmp_path):
    import json
    import os
    import subprocess
    import sys

    from conftest import REPO

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    index_dir = str(shipped_assistant.settings.index_dir)

    def run(*args):
        return subprocess.run([sys.executable, "-m", "assistant", *args, "--index-dir", index_dir],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=180)

    out = run("themes", "--csv", str(tmp_path / "t.csv"))
    assert out.returncode == 0, out.stderr
    assert "Tema 4: Sikkerhed og tilgængelighed skal gå hånd i hånd" in out.stdout
    with open(tmp_path / "t.csv", encoding="utf-8-sig") as fh:
        table = list(csv.reader(fh, delimiter=";"))
    assert table[0][0] == "Tema" and "Aalborg Kommune" in table[0] and len(table) == 11

    asked = run("ask", "Hvad siger de om data?", "--theme", "3", "--json")
    tagged = set(shipped_assistant.theme_rows([3]).tolist())
    rows = {(c.doc_id, c.start): i for i, c in enumerate(shipped_assistant.stored_index.chunks)}
    passages = json.loads(asked.stdout)["passages"]
    assert passages and all(rows[(p["doc_id"], p["start"])] in tagged for p in passages)
    assert run("ask", "x", "--theme", "11").returncode == 2


def test_a_theme_named_in_the_question_that_no_passage_treats_is_explained(shipped_assistant):
    """Slagelse's case lists all ten themes and treats none: "Hvad siger
    Slagelse om tema 2?" said "Ingen dokumenter passer til de valgte filtre."
    though no filter was chosen."""
    answer = shipped_assistant.ask("Hvad siger Slagelse om tema 2?")
    assert answer.answer == ("Ingen afsnit fra Slagelse Kommune handler om tema 2: "
                             "Borgerbetjening 3.0. Spørg uden temanummeret for at søge i hele "
                             "teksten.")
    assert not answer.passages
    # a theme chosen as a filter is a filter: the plain message
    chosen = shipped_assistant.ask("Hvad siger Slagelse om borgerbetjening?", themes=[2])
    assert chosen.answer == "Ingen dokumenter passer til de valgte filtre."
