"""A shared drive full of odd files: each bad one is reported by name with its
own reason, the rest is indexed, nothing crashes, hangs or stays running.

The files come from :mod:`badfiles` (generated, nothing binary committed).
The folder test indexes all of them at once with small limits; the unit tests
below check one defence each.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from badfiles import (
    CP1252_TEXT, DUPLICATE_NAME, DUPLICATE_TEXT, EXPECTED, FOLDER_LIMITS, GOOD_NAMES,
    HIDDEN_DOCX_TEXT, HIDDEN_PDF_TEXTS, HTML_HIDDEN, HTML_SHOWN_DESPITE_RULES, HTML_VISIBLE,
    INDEXED_ODD, UTF16_TEXT,
    VISIBLE_DOCX_TEXT, VISIBLE_PDF_TEXT, WHITE_ON_BOX_TEXT, make_bad_folder, make_binary,
    make_circular_pdf, make_docx_bomb, make_docx_declared_huge, make_hidden_text_docx,
    make_invisible_text_pdf, make_locked_pdf, make_many_pages_pdf, make_memory_hungry_pdf,
    make_open_encrypted_pdf, make_outside_link, make_pdf_bomb, make_png_named,
    make_scanned_pdf, make_slow_pdf, make_tricky_html, make_truncated_pdf, write_text,
    write_utf16,
)
from conftest import FakeEmbedder, make_assistant
from fixtures import make_empty, make_pdf

from assistant import Settings
from assistant.errors import (
    ConfigError, CorruptDocument, EmptyDocument, EncryptedDocument, NotADocument, ParseCrashed,
    ParseTimeout, ParseTooLarge, ScannedDocument,
)
from assistant.isolation import IsolatedLoader, load_isolated
from assistant.loaders import Limits, discover, load_file
from assistant.messages import describe_failure
from assistant.store import read_index

LINUX = sys.platform.startswith("linux")


def _children() -> set[int]:
    """Live (or zombie) child processes of this process, from /proc; not the
    stdlib's multiprocessing resource tracker, which the first spawned process
    starts once and which lives, idle, as long as this process does."""
    me, found = str(os.getpid()), set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if f"\nPPid:\t{me}\n" in status and b"resource_tracker" not in command:
                found.add(int(entry.name))
    return found


@pytest.fixture
def worker_pids(monkeypatch):
    """Every worker process started while the test runs, by pid."""
    pids: list[int] = []
    real_start = IsolatedLoader._start

    def start(self):
        ok = real_start(self)
        if self.pid is not None:
            pids.append(self.pid)
        return ok

    monkeypatch.setattr(IsolatedLoader, "_start", start)
    return pids


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


# --- the whole folder at once -------------------------------------------------------------

def test_folder_of_bad_files(tmp_path, worker_pids):
    docs = tmp_path / "documents"
    docs.mkdir()
    outside = tmp_path / "udenfor"
    outside.mkdir()
    make_bad_folder(docs, outside)
    children_before = _children() if LINUX else set()
    bot = make_assistant(tmp_path, FakeEmbedder(), **FOLDER_LIMITS)

    began = time.monotonic()
    report = bot.index(show_progress=False)
    elapsed = time.monotonic() - began

    # Bounded: one file hits the 10 s timeout, everything else is quick.
    assert elapsed < 45, elapsed
    # Each refused file: by name, with its own reason code and words.
    failed = {Path(f.path).name: f for f in report.failures}
    assert set(failed) == set(EXPECTED), sorted(failed)
    for name, (code, words) in EXPECTED.items():
        failure = failed[name]
        assert failure.reason_code == code, (name, failure)
        assert failure.reason.startswith(f"{name}: "), failure.reason
        for word in words:
            assert word in failure.reason, (name, word, failure.reason)
    # The rest is indexed, the duplicate once.
    assert sorted(report.added) == sorted(GOOD_NAMES + INDEXED_ODD)
    assert report.duplicates == {DUPLICATE_NAME: "dagsorden.txt"}
    assert any(DUPLICATE_NAME in w and "dagsorden.txt" in w for w in report.warnings)
    flagged = {w.split(": ")[0] for w in report.warnings}
    assert {"usynlig tekst.pdf", "skjult.docx", "skjult.html"} <= flagged

    # The good documents are searchable.
    assert bot.search("saltning af cykelstier i november")[0].chunk.doc_id == GOOD_NAMES[0]
    assert bot.search("træer langs vandløbene regnvandsbassiner")[0].chunk.doc_id == GOOD_NAMES[1]
    assert bot.search("bredbånd yderområderne mobildækning")[0].chunk.doc_id \
        == "rapport..endelig v2 (kopi).md"
    stored = read_index(tmp_path / "index")
    texts = {doc_id: d.text for doc_id, d in stored.documents.items()}
    assert texts["gammel ærø.txt"] == CP1252_TEXT.strip()
    assert texts["notat utf16.txt"] == UTF16_TEXT.strip()
    assert texts["dagsorden.txt"] == DUPLICATE_TEXT
    # Hidden text reached no document, visible text did.
    everything = "\n".join(texts.values())
    for hidden in (*HIDDEN_PDF_TEXTS, HIDDEN_DOCX_TEXT, *HTML_HIDDEN):
        assert hidden.split()[0] not in everything, hidden
    for visible in (VISIBLE_PDF_TEXT, WHITE_ON_BOX_TEXT, VISIBLE_DOCX_TEXT, HTML_VISIBLE):
        assert visible in everything, visible
    assert "lønninger" not in everything   # the symlink's target outside the folder

    # Nothing is left running: the workers (the first was killed at the timeout)
    # are gone and reaped.
    assert len(worker_pids) == 2, worker_pids
    assert all(_gone(pid) for pid in worker_pids)
    if LINUX:
        assert _children() <= children_before

    # A second run re-reads nothing that was indexed and still knows the duplicate.
    again = bot.index(show_progress=False)
    assert again.duplicates == {DUPLICATE_NAME: "dagsorden.txt"}
    assert {Path(f.path).name for f in again.failures} == set(EXPECTED)
    assert again.added == again.changed == []
    # The hidden-text flags outlive the run that found them: the index keeps
    # them, and the app's index panel lists them (as text) with the refusals.
    notes = dict(n.split(": ", 1) for n in bot.summary()["notes"])
    for name in ("usynlig tekst.pdf", "skjult.docx", "skjult.html"):
        assert " text dropped: " in notes.get(name, ""), (name, notes)
    from assistant.ui_logic import AppLogic
    panel = AppLogic(bot).index_info("en")
    assert "**Note:**" in panel and "- skjult.docx: hidden text dropped: 52 characters" in panel
    assert "**Not indexed:**" in panel


# --- discovery and duplicates -----------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_outside_is_not_followed(tmp_path):
    docs = tmp_path / "documents"
    docs.mkdir()
    make_outside_link(docs, "genvej.txt", tmp_path / "privat.txt")
    files, failures = discover(docs)
    assert files == []
    assert [(Path(f.path).name, f.reason_code) for f in failures] == [("genvej.txt", "outside")]
    assert "genvej.txt: symbolic link points outside the documents folder" in failures[0].reason


def test_duplicates_indexed_once_under_the_first_name(tmp_path):
    docs = tmp_path / "documents"
    docs.mkdir()
    write_text(docs, "b-kopi.txt", DUPLICATE_TEXT)
    write_text(docs, "a.txt", DUPLICATE_TEXT)
    bot = make_assistant(tmp_path, FakeEmbedder())
    report = bot.index(show_progress=False)
    assert report.added == ["a.txt"] and report.duplicates == {"b-kopi.txt": "a.txt"}
    assert report.warnings == ["b-kopi.txt: same content as a.txt, indexed once (as a.txt)"]
    # Without the first name the copy is indexed, its vectors reused.
    (docs / "a.txt").unlink()
    report = bot.index(show_progress=False)
    assert report.added == ["b-kopi.txt"] and report.removed == ["a.txt"]
    assert report.duplicates == {} and report.embedded == 0


# --- text and binary ------------------------------------------------------------------------

def test_zero_byte_file(tmp_path):
    with pytest.raises(EmptyDocument, match=r"tom\.pdf: file is empty \(0 bytes\)"):
        load_file(make_empty(tmp_path, "tom.pdf"))


@pytest.mark.parametrize("name", ["billede.pdf", "data.txt", "data.md", "side.html", "brev.docx"])
def test_binary_with_a_document_name_is_not_a_document(tmp_path, name):
    with pytest.raises(NotADocument, match=rf"{name}: not a document") as err:
        load_file(make_binary(tmp_path, name))
    assert err.value.reason_code == "not_document"


def test_png_named_pdf_says_what_it_is(tmp_path):
    with pytest.raises(NotADocument, match=r"foto\.pdf: .*PNG image"):
        load_file(make_png_named(tmp_path, "foto.pdf"))


def test_oversized_file_is_refused_naming_the_limit(tmp_path):
    path = write_text(tmp_path, "stor.txt", "Lang tekst. " * 2000)   # 24 kB
    with pytest.raises(ParseTooLarge, match=r"stor\.txt: file is .* the limit is 0\.01 MB "
                                            r"\(setting max_file_mb"):
        load_file(path, Limits(max_file_mb=0.01))
    assert load_file(path, Limits(max_file_mb=1)).text.startswith("Lang tekst.")


def test_legacy_encodings(tmp_path):
    (tmp_path / "gammel.txt").write_bytes(CP1252_TEXT.replace("\n", "\r\n").encode("cp1252"))
    assert load_file(tmp_path / "gammel.txt").text == CP1252_TEXT.strip()
    assert load_file(write_utf16(tmp_path, "notat.txt", UTF16_TEXT)).text == UTF16_TEXT.strip()


def test_odd_file_names(tmp_path):
    docs = tmp_path / "documents"
    docs.mkdir()
    names = ["mødereferat 3. kvartal.txt", "referat..endelig..txt", "æ ø å (kopi) [2].md",
             "ÆØÅ STORE.TXT", "navn med ..\\ og ~ tegn.md"]
    for i, name in enumerate(names):
        write_text(docs, name, f"Dokument nummer {i} om vandløb og cykelstier, sag {i}.")
    bot = make_assistant(tmp_path, FakeEmbedder())
    report = bot.index(show_progress=False)
    assert sorted(report.added) == sorted(names) and report.failures == []
    # Names starting with a dot are hidden files, skipped like .git (not failures).
    write_text(docs, "..skjult.txt", "Skjult fil.")
    assert bot.index(show_progress=False).failures == []


# --- PDF -------------------------------------------------------------------------------------

def test_truncated_pdf(tmp_path):
    with pytest.raises(CorruptDocument, match=r"afkortet\.pdf: damaged PDF"):
        load_file(make_truncated_pdf(tmp_path, "afkortet.pdf"))


def test_circular_references_pdf(tmp_path):
    began = time.monotonic()
    with pytest.raises(CorruptDocument, match=r"løkke\.pdf: damaged PDF.*cyclic"):
        load_file(make_circular_pdf(tmp_path, "løkke.pdf"))
    assert time.monotonic() - began < 5


def test_compression_bomb_pdf(tmp_path):
    path = make_pdf_bomb(tmp_path, "bombe.pdf")      # 1 GB of zeros in ~1 MB
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(ParseTooLarge, match=r"bombe\.pdf: .*compression bomb"):
        load_file(path)


def test_many_streams_each_under_the_cap_pdf(tmp_path):
    with pytest.raises(ParseTooLarge, match=r"strømme\.pdf: .*compression bomb"):
        load_file(make_memory_hungry_pdf(tmp_path, "strømme.pdf"))


def test_password_protected_pdf(tmp_path):
    with pytest.raises(EncryptedDocument, match=r"låst\.pdf: password protected"):
        load_file(make_locked_pdf(tmp_path, "låst.pdf"))


def test_encrypted_pdf_with_empty_password_opens(tmp_path):
    doc = load_file(make_open_encrypted_pdf(tmp_path, "åben.pdf"))
    assert doc.text == "Budgettet for ældreområdet er åbent for alle."


def test_scanned_pdf(tmp_path):
    with pytest.raises(ScannedDocument, match=r"scannet\.pdf: scanned PDF without text.*OCR") \
            as err:
        load_file(make_scanned_pdf(tmp_path, "scannet.pdf"))
    assert err.value.reason_code == "no_text"
    assert isinstance(err.value, EmptyDocument)   # callers catching "empty" still do


def test_invisible_pdf_text_is_dropped_and_flagged(tmp_path):
    doc = load_file(make_invisible_text_pdf(tmp_path, "usynlig.pdf"))
    assert VISIBLE_PDF_TEXT in doc.text
    assert WHITE_ON_BOX_TEXT in doc.text           # white on a painted box: kept
    for hidden in HIDDEN_PDF_TEXTS:                # white on the bare page, Tr 3, 0 pt, 0.1 pt
        assert hidden.split()[0] not in doc.text, hidden
    assert len(doc.warnings) == 1 and "invisible text dropped" in doc.warnings[0]
    assert doc.page_at(doc.text.index(WHITE_ON_BOX_TEXT)) == 2


def test_ordinary_pdf_has_no_warnings(tmp_path):
    doc = load_file(make_pdf(tmp_path, "ok.pdf", ["Helt almindelig tekst.", "Side to."]))
    assert doc.warnings == ()


def test_pdf_page_cap(tmp_path):
    path = make_many_pages_pdf(tmp_path, "mange.pdf", pages=4)
    with pytest.raises(ParseTooLarge, match=r"mange\.pdf: PDF has 4 pages; the limit is 3 "
                                            r"\(setting max_pdf_pages"):
        load_file(path, Limits(max_pdf_pages=3))
    assert len(load_file(path, Limits(max_pdf_pages=4)).page_starts) == 4


# --- DOCX ------------------------------------------------------------------------------------

def test_docx_zip_bomb_streamed(tmp_path):
    path = make_docx_bomb(tmp_path, "bombe.docx", megabytes=500)
    assert path.stat().st_size < 5 * 1024 * 1024
    with pytest.raises(ParseTooLarge, match=r"bombe\.docx: DOCX would unpack to 5\d\d\.\d MB.*"
                                            r"100 MB limit.*zip bomb"):
        load_file(path)


def test_docx_high_ratio_part(tmp_path):
    """Under the size limit, but one part packed over 100:1."""
    path = make_docx_bomb(tmp_path, "tæt.docx", megabytes=20)
    with pytest.raises(ParseTooLarge, match=r"tæt\.docx: DOCX part word/media/bombe\.bin would "
                                            r"unpack [\d,]+:1.*zip bomb"):
        load_file(path)


def test_docx_with_absurd_declared_size(tmp_path):
    with pytest.raises(ParseTooLarge, match=r"falsk\.docx: DOCX would unpack to 4,09\d\.\d MB"):
        load_file(make_docx_declared_huge(tmp_path, "falsk.docx"))


def test_docx_hidden_runs_are_dropped_and_flagged(tmp_path):
    doc = load_file(make_hidden_text_docx(tmp_path, "skjult.docx"))
    assert VISIBLE_DOCX_TEXT in doc.text and "Teamene starter i foråret." in doc.text
    assert "SKJULTRUN" not in doc.text
    assert doc.warnings == (f"hidden text dropped: {len(HIDDEN_DOCX_TEXT)} characters "
                            f"formatted as hidden in Word",)


def test_docx_hidden_character_style(tmp_path):
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    style = document.styles.add_style("Hemmelig", WD_STYLE_TYPE.CHARACTER)
    style.font.hidden = True
    para = document.add_paragraph("Synligt. ")
    para.add_run("STILSKJULT tekst", style="Hemmelig")
    unhidden = document.add_paragraph("Også synligt, ").add_run("trods stilen")
    unhidden.style = "Hemmelig"
    unhidden.font.hidden = False                   # direct formatting wins over the style
    document.save(str(tmp_path / "stil.docx"))
    doc = load_file(tmp_path / "stil.docx")
    assert doc.text == "Synligt.\n\nOgså synligt, trods stilen"
    assert doc.warnings


# --- HTML ------------------------------------------------------------------------------------

def test_html_scripts_entities_and_hidden_elements(tmp_path):
    doc = load_file(make_tricky_html(tmp_path, "side.html"))
    assert HTML_VISIBLE in doc.text
    assert "Næste skridt: <b>høring</b> i efteråret!" in doc.text   # entities, once
    for hidden in HTML_HIDDEN:
        assert hidden not in doc.text, hidden
    for shown in HTML_SHOWN_DESPITE_RULES:
        assert shown in doc.text, shown
    assert len(doc.warnings) == 1 and "hidden text dropped" in doc.warnings[0]
    assert doc.title == "Cykelstier" and doc.headings == ("Cykelstier",)


# --- the worker process --------------------------------------------------------------------------

def test_timeout_kills_and_replaces_the_worker(tmp_path, worker_pids):
    slow = make_slow_pdf(tmp_path, "langsom.pdf")
    good = make_pdf(tmp_path, "god.pdf", ["Alt er i orden."])
    with IsolatedLoader(Settings(parse_timeout_s=2)) as loader:
        began = time.monotonic()
        with pytest.raises(ParseTimeout, match=r"langsom\.pdf: reading took longer than 2 s "
                                               r"\(setting parse_timeout_s"):
            loader.load(slow)
        assert time.monotonic() - began < 2 + 5   # the start-up, then at most the limit
        assert _gone(worker_pids[0])
        assert loader.load(good).text == "Alt er i orden."
        assert loader.started == 2
    assert all(_gone(pid) for pid in worker_pids)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
def test_worker_that_dies_is_reported_and_replaced(tmp_path):
    slow = make_slow_pdf(tmp_path, "langsom.pdf")
    good = make_pdf(tmp_path, "god.pdf", ["Alt er i orden."])
    with IsolatedLoader(Settings(parse_timeout_s=30)) as loader:
        loader.load(good)                               # the worker is up
        threading.Timer(1.0, os.kill, (loader.pid, signal.SIGKILL)).start()
        with pytest.raises(ParseCrashed, match=r"langsom\.pdf: the parser process was killed "
                                               r"by SIGKILL") as err:
            loader.load(slow)
        assert err.value.reason_code == "crashed"
        assert loader.load(good).text == "Alt er i orden."


@pytest.mark.skipif(not LINUX, reason="the memory limit is applied on Linux only")
def test_memory_limit(tmp_path):
    bomb = make_pdf_bomb(tmp_path, "bombe.pdf")
    good = make_pdf(tmp_path, "god.pdf", ["Alt er i orden."])
    with IsolatedLoader(Settings(parse_memory_mb=64)) as loader:
        with pytest.raises(ParseTooLarge, match=r"bombe\.pdf: reading it needs more than 64 MB "
                                                r"of memory \(setting parse_memory_mb"):
            loader.load(bomb)
        assert loader.memory_limited is True
        assert loader.load(good).text == "Alt er i orden."   # in a fresh worker


def test_small_text_is_read_without_a_worker(tmp_path):
    with IsolatedLoader(Settings()) as loader:
        assert loader.load(write_text(tmp_path, "a.txt", "Kort tekst.")).text == "Kort tekst."
        with pytest.raises(EmptyDocument):
            loader.load(make_empty(tmp_path, "tom.md"))
        assert loader.started == 0


def test_errors_cross_the_process_boundary_intact(tmp_path):
    settings = Settings(max_pdf_pages=2)
    with pytest.raises(ParseTooLarge, match=r"mange\.pdf: PDF has 3 pages") as err:
        load_isolated(make_many_pages_pdf(tmp_path, "mange.pdf", pages=3), settings)
    assert err.value.path == tmp_path / "mange.pdf"
    doc = load_isolated(make_tricky_html(tmp_path, "side.html"), settings)
    assert HTML_VISIBLE in doc.text and doc.warnings


# --- settings and messages ------------------------------------------------------------------------

def test_limit_settings():
    s = Settings.from_env({"ASSISTANT_PARSE_TIMEOUT_S": "7.5", "ASSISTANT_MAX_FILE_MB": "20",
                           "ASSISTANT_PARSE_MEMORY_MB": "256", "ASSISTANT_MAX_PDF_PAGES": "50"})
    assert (s.parse_timeout_s, s.max_file_mb, s.parse_memory_mb, s.max_pdf_pages) \
        == (7.5, 20.0, 256, 50)
    assert Limits.from_settings(s) == Limits(max_file_mb=20.0, max_pdf_pages=50)
    for name in ("parse_timeout_s", "parse_memory_mb", "max_file_mb", "max_pdf_pages"):
        with pytest.raises(ConfigError, match=name):
            Settings(**{name: 0})


@pytest.mark.parametrize("code", ["no_text", "not_document", "too_large", "timeout", "crashed"])
def test_new_reasons_have_friendly_words(code):
    da, en = describe_failure(code, "x.pdf: detalje", "da"), describe_failure(code, "x.pdf: detail", "en")
    assert da != en and da.endswith("(x.pdf: detalje)") and en.endswith("(x.pdf: detail)")
    assert not da.startswith("filen kunne ikke læses")   # not the generic fallback
