"""A hearing response saved to PDF (or wrapped at a fixed width in a .txt) is
answered as well as its plain text.

The shipped Aalborg response is printed to an 8-page PDF the way a word
processor would (lines wrapped at the page width, no blank lines between
paragraphs in what pypdf extracts) and indexed with the real embedder in place
of the text file.  The PDF's lines are reflowed into paragraphs
(``assistant/reflow.py``); without that, sentences were cut at every wrap.
"""
from __future__ import annotations

import json
import re
import shutil

import pytest

from assistant import Assistant
from assistant.chunking import statement_spans
from assistant.config import Settings
from assistant.evaluation import evaluate, load_questions
from assistant.loaders import load_file
from assistant.reflow import hard_wrapped
from conftest import OWN_QUESTIONS, SHARED, SHIPPED_DOCS
from fixtures import make_pdf_from_text

AALBORG = "aalborg-magistraten-hoeringssvar-2015"
SECURITY = ("At sikkerhedsniveauet skal styrkes lyder selvfølgelig fornuftigt, men et af de "
            "basale spørgsmål er, hvordan det balanceres med risiko og økonomi.")


@pytest.fixture(scope="module")
def pdf_assistant(tmp_path_factory, real_embedder):
    root = tmp_path_factory.mktemp("pdf")
    docs = root / "documents"
    shutil.copytree(SHIPPED_DOCS, docs, ignore=shutil.ignore_patterns(f"{AALBORG}.txt"))
    text = (SHIPPED_DOCS / f"{AALBORG}.txt").read_text(encoding="utf-8")
    make_pdf_from_text(docs, f"{AALBORG}.pdf", text)
    bot = Assistant(Settings(index_dir=root / "index", docs_dir=docs, bulk_embed="never"),
                    embedder=real_embedder)
    assert bot.index(show_progress=False).failures == []
    return bot


def _as_pdf(path, tmp_path):
    """The question file with the Aalborg evidence pointing at the PDF."""
    out = tmp_path / path.name
    out.write_text(path.read_text(encoding="utf-8").replace(f"{AALBORG}.txt", f"{AALBORG}.pdf"),
                   encoding="utf-8")
    return load_questions(out)


def test_wrapped_lines_become_sentences_and_headings(pdf_assistant):
    doc = next(d for d in pdf_assistant.stored_index.documents.values()
               if d.doc_id.endswith(".pdf"))
    assert len(doc.page_starts) == 8
    statements = {doc.text[s:e] for c in pdf_assistant.stored_index.chunks
                  if c.doc_id == doc.doc_id for s, e in statement_spans(c)}
    assert SECURITY in statements      # one statement, though the PDF wraps it over 3 lines
    holding = next(c for c in pdf_assistant.stored_index.chunks
                   if c.doc_id == doc.doc_id and SECURITY in " ".join(c.text.split()))
    assert holding.section == "Sikkerhed og tilgængelighed skal gå hånd i hånd"


def test_the_answer_quotes_the_sentence_and_cites_its_page(pdf_assistant):
    answer = pdf_assistant.ask("Hvad siger Aalborg om sikkerhed?")
    assert f"«{SECURITY}»" in answer.answer.splitlines()[1], answer.answer
    cited = answer.passages[0]
    page_starts = (*cited.document.page_starts, len(cited.document.text))
    page_text = cited.document.text[page_starts[cited.chunk.page - 1]:page_starts[cited.chunk.page]]
    assert SECURITY in page_text


def test_a_quote_from_a_passage_over_a_page_break_names_its_page(pdf_assistant):
    """The passage is cited as "s. 5-6"; each quote says which page it is on."""
    paged = 0
    for question in ("Hvad siger Aalborg om telemedicin?", "Hvad siger Aalborg om sikkerhed?",
                     "Hvad siger Aalborg om data?", "Hvad mener Aalborg om digital ledelse?",
                     "What does Aalborg say about welfare technology?"):
        answer = pdf_assistant.ask(question)
        for quote, rank, page in re.findall(r"«(.+?)» \[(\d+)\] \((?:s|p)\. (\d+)\)",
                                            answer.answer):
            p = next(p for p in answer.passages if p.rank == int(rank))
            assert p.chunk.page != p.chunk.page_end          # only where the passage spans pages
            starts = (*p.document.page_starts, len(p.document.text))
            on_page = " ".join(p.document.text[starts[int(page) - 1]:starts[int(page)]].split())
            assert quote in on_page, (question, quote, page)
            paged += 1
    assert paged >= 1
    # in a comparison and its briefing table too
    from assistant.briefing import comparison_rows
    compared = pdf_assistant.ask("Hvad siger kommunerne om telemedicin?")
    spanning = [p for f in compared.comparison for p in f.passages if p.chunk.page != p.chunk.page_end]
    assert spanning
    for p in spanning:
        assert f"[{p.rank}] (s. {p.page_of()})" in compared.answer
        assert (p.document.meta.organisation, p.quote(), f"[{p.rank}] (s. {p.page_of()})") in \
            comparison_rows(compared)


def test_the_pdf_answers_about_as_well_as_the_text(pdf_assistant, shipped_assistant, tmp_path):
    """Dev + own questions: the PDF index within 0.025 MRR@10 and 3 quoted
    answers of the text index (before reflowing: 0.043 and 11 behind)."""
    text_qs = [*load_questions(SHARED / "eval" / "questions.jsonl"), *load_questions(OWN_QUESTIONS)]
    pdf_qs = [*_as_pdf(SHARED / "eval" / "questions.jsonl", tmp_path), *_as_pdf(OWN_QUESTIONS, tmp_path)]
    hybrid = {"hybrid": ("hybrid", {})}
    text, pdf = evaluate(shipped_assistant, text_qs, hybrid), evaluate(pdf_assistant, pdf_qs, hybrid)
    summary = json.dumps({"text": text["answer_quotes_evidence"]["all"],
                          "pdf": pdf["answer_quotes_evidence"]["all"]})
    assert pdf["modes"]["hybrid"]["all"]["recall@5"] >= 0.95
    assert pdf["modes"]["hybrid"]["all"]["mrr@10"] >= text["modes"]["hybrid"]["all"]["mrr@10"] - 0.025
    assert pdf["answer_quotes_evidence"]["all"]["hits"] >= \
        text["answer_quotes_evidence"]["all"]["hits"] - 3, summary


def test_a_line_ending_mid_sentence_joins_a_capitalised_next_line():
    """A full line ending mid-sentence carries on to the next, even when that
    one is short and capitalised ("Open Data Lab Aalborg og Smart Aalborg"):
    it is the end of the sentence, not a heading."""
    from assistant.reflow import reflow_page
    page = ("I arbejdet med åbne data har Aalborg Kommune allerede et tæt samarbejde med\n"
            "Open Data Lab Aalborg og Smart Aalborg\n"
            "Sikkerhed og tilgængelighed\n"
            "Målet er at skabe tryghed for borgerne om håndtering af deres oplysninger.")
    assert reflow_page(page) == (
        "I arbejdet med åbne data har Aalborg Kommune allerede et tæt samarbejde med Open Data "
        "Lab Aalborg og Smart Aalborg\n\n"
        "Sikkerhed og tilgængelighed\n\n"
        "Målet er at skabe tryghed for borgerne om håndtering af deres oplysninger.")


def test_a_title_near_the_page_width_is_not_wrapped_onto_the_text_under_it():
    """A hearing response's title runs nearly the width of its text; it ends on
    no word a sentence goes on from, so it stays a heading of its own."""
    from assistant.reflow import reflow_page
    page = ("Horsens Kommune\n"
            "Høringssvar vedrørende fælleskommunal digitaliseringsstrategi 2016-2020\n"
            "Horsens Kommune takker for muligheden for at afgive høringssvar. Kommunen\n"
            "støtter strategiens vision og de ti temaer.")
    assert reflow_page(page) == (
        "Horsens Kommune\n\n"
        "Høringssvar vedrørende fælleskommunal digitaliseringsstrategi 2016-2020\n\n"
        "Horsens Kommune takker for muligheden for at afgive høringssvar. Kommunen støtter "
        "strategiens vision og de ti temaer.")


def test_a_page_of_short_lines_is_left_as_it_is(tmp_path):
    """A list or a table: nothing long enough to have wrapped, nothing joined."""
    from fixtures import make_pdf
    rows = "Navn\nAdresse\nTelefon\nAalborg\nBoulevarden 13\n99 31 31 31"
    doc = load_file(make_pdf(tmp_path, "tabel.pdf", [rows]))
    assert doc.text == rows


def test_running_headers_and_page_numbers_are_not_text(tmp_path):
    """A header on every page looks like a heading and would become the
    section each page's first passage is cited under; page numbers would cut
    into the text."""
    from fixtures import make_pdf
    header = "Aalborg Kommune · Høringssvar om digitalisering"
    bodies = ["Sikkerhed\nKommunen vil styrke sikkerheden i alle forvaltninger i de kommende år.",
              "Data\nKommunen vil dele flere data med borgere og virksomheder.",
              "Ledelse\nKommunen savner et tema om digital ledelse i strategien.",
              "Økonomi\nKommunen forventer ingen merudgifter til strategien."]
    filler = " Det sker i samarbejde med de andre kommuner og KL, og det følges op hvert år." * 5
    pages = [f"{header}\n{body}{filler}\nSide {n} af 4" for n, body in enumerate(bodies, 1)]
    doc = load_file(make_pdf(tmp_path, "svar.pdf", pages))
    assert header not in doc.text and "Side 2 af 4" not in doc.text
    assert doc.text[doc.page_starts[2]:].startswith("Ledelse\n")
    from assistant.chunking import chunk_document
    sections = {c.section for c in chunk_document("svar.pdf", doc)}
    assert sections == {"Sikkerhed", "Data", "Ledelse", "Økonomi"}, sections


@pytest.mark.parametrize("name", ["svar.txt", "svar.md"])
def test_a_file_wrapped_at_72_columns_reads_as_whole_sentences(tmp_path, name):
    """An e-mail or a case system's export wraps its lines; like a PDF page, it
    is reflowed, so the wrapped sentence is one statement again.  Markdown
    joins a paragraph's lines itself, and so does the loader for a .md file."""
    import textwrap

    from assistant.chunking import chunk_document
    text = (SHIPPED_DOCS / f"{AALBORG}.txt").read_text(encoding="utf-8")
    wrapped = "\n".join(textwrap.fill(line, 72, break_on_hyphens=False) for line in text.split("\n"))
    (tmp_path / name).write_text(wrapped, encoding="utf-8")
    doc = load_file(tmp_path / name)
    statements = {doc.text[s:e] for c in chunk_document(name, doc) for s, e in statement_spans(c)}
    assert SECURITY in statements


def test_only_a_text_wrapped_at_a_fixed_width_counts_as_wrapped():
    """A text with a paragraph per line (the shipped files) is left as it is."""
    import textwrap
    text = (SHIPPED_DOCS / f"{AALBORG}.txt").read_text(encoding="utf-8")
    assert hard_wrapped("\n".join(textwrap.fill(line, 72) for line in text.split("\n")))
    assert not any(hard_wrapped(p.read_text(encoding="utf-8")) for p in SHIPPED_DOCS.glob("*.txt"))
