"""Briefing notes in Markdown and DOCX hold the question, answer and every citation."""
from __future__ import annotations

import docx

from assistant import messages
from assistant.briefing import briefing_docx, briefing_markdown


def test_briefing_note_holds_every_citation(shipped_assistant, tmp_path):
    answer = shipped_assistant.ask("Hvad er fristen for at sende høringssvar til KL?")
    assert answer.passages
    path = briefing_docx(answer, tmp_path / "notat.docx")
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    markdown = briefing_markdown(answer)
    for p in answer.passages:
        citation = messages.cite(p, "da")
        assert citation in text and citation in markdown
        assert p.chunk.text.strip()[:60] in text
        if p.document.meta.date:
            assert p.document.meta.date in citation
    assert answer.question in text and answer.question in markdown


def test_briefing_in_english_and_document_markup_stays_text(tmp_path, fake_embedder):
    from conftest import make_assistant

    docs = tmp_path / "documents"
    docs.mkdir()
    (docs / "x.md").write_text("# Parkering\n\nParkering koster <b>20 kr</b> i timen "
                               "<script>alert(1)</script> i midtbyen.\n", encoding="utf-8")
    bot = make_assistant(tmp_path, fake_embedder)
    bot.index(show_progress=False)
    answer = bot.ask("Hvad koster parkering i midtbyen?")
    path = briefing_docx(answer, tmp_path / "note.docx", "en")
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Briefing note" in text and "Sources" in text
    assert "<script>alert(1)</script>" in text  # literally, as document text
