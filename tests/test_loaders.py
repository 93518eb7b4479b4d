"""Loaders: every supported format, its failure modes, and discovery."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixtures import (
    make_corrupt_pdf, make_docx, make_empty, make_encrypted_pdf, make_html, make_pdf,
    write_cp1252,
)

from assistant.errors import (
    CorruptDocument, EmptyDocument, EncryptedDocument, UnsupportedFormat,
)
from assistant.loaders import (
    SUPPORTED_SUFFIXES, decode_text, discover, load_file, normalise_text,
)

CORPUS = Path(__file__).resolve().parent.parent / "documents"  # the shipped corpus

PAGES = [
    "Digitaliseringsstrategi 2016-2020\nKommunerne skal samarbejde om fælles løsninger.",
    "Sikkerhed og databeskyttelse\nBorgernes data skal behandles sikkert – også i skyen.",
    "Økonomi og gevinster\nGevinsterne skal høstes på tværs af året.",
]


# --- PDF ------------------------------------------------------------------------

def test_pdf_pages_and_offsets(tmp_path):
    path = make_pdf(tmp_path, "strategi.pdf", PAGES, title="Lokal og digital")
    doc = load_file(path)
    assert doc.title == "Lokal og digital"
    assert len(doc.page_starts) == 3 and doc.page_starts[0] == 0
    for number, page in enumerate(PAGES, start=1):
        heading = page.split("\n")[0]
        at = doc.text.find(heading)
        assert at >= doc.page_starts[number - 1]
        assert doc.page_at(at) == number
    assert doc.text[doc.page_starts[1]:].startswith("Sikkerhed og databeskyttelse")
    assert "fælles løsninger" in doc.text and "Økonomi" in doc.text and "–" in doc.text
    assert doc.text == normalise_text(doc.text)


def test_pdf_blank_page_keeps_page_numbers(tmp_path):
    doc = load_file(make_pdf(tmp_path, "blank.pdf", ["Første side.", "", "Tredje side."]))
    assert len(doc.page_starts) == 3
    assert doc.page_at(doc.text.index("Tredje")) == 3
    assert doc.page_at(doc.text.index("Første")) == 1
    assert "\n\n\n" not in doc.text


def test_pdf_encrypted(tmp_path):
    path = make_encrypted_pdf(tmp_path, "fortrolig.pdf")
    with pytest.raises(EncryptedDocument, match="fortrolig.pdf") as err:
        load_file(path)
    assert "empty password" in err.value.reason


def test_pdf_encrypted_with_empty_user_password_loads(tmp_path):
    doc = load_file(make_encrypted_pdf(tmp_path, "aaben.pdf", user_password=""))
    assert "Fortrolig side om økonomi." in doc.text


def test_pdf_corrupt(tmp_path):
    with pytest.raises(CorruptDocument, match="ødelagt.pdf"):
        load_file(make_corrupt_pdf(tmp_path, "ødelagt.pdf"))


def test_pdf_not_a_pdf(tmp_path):
    path = tmp_path / "falsk.pdf"
    path.write_text("Dette er slet ikke en PDF.", encoding="utf-8")
    with pytest.raises(CorruptDocument, match="falsk.pdf"):
        load_file(path)


def test_pdf_without_text_layer_is_empty(tmp_path):
    with pytest.raises(EmptyDocument, match="scanned") as err:
        load_file(make_pdf(tmp_path, "scannet.pdf", ["", ""]))
    assert "scannet.pdf" in str(err.value)


# --- DOCX ----------------------------------------------------------------------

def test_docx_headings_table_and_order(tmp_path):
    path = make_docx(tmp_path, "strategi.docx", [
        ("Title", "Digitaliseringsstrategi"),
        ("Heading 1", "Sikkerhed"),
        ("Normal", "Vi beskytter borgernes data."),
        ("Normal", ""),
        ("Heading 2", "Økonomi"),
        ("Normal", "Gevinster høstes løbende."),
    ], title="Strategi for Ærø", table=[["Mål", "År"], ["Færre breve", "2018"]], table_after=2)
    doc = load_file(path)
    assert doc.title == "Strategi for Ærø"
    assert doc.headings == ("Digitaliseringsstrategi", "Sikkerhed", "Økonomi")
    assert doc.text == ("Digitaliseringsstrategi\n\nSikkerhed\n\nVi beskytter borgernes data."
                        "\n\nMål | År\nFærre breve | 2018\n\nØkonomi\n\nGevinster høstes løbende.")
    assert doc.page_starts == ()


def test_docx_letterhead_and_footer_are_read_once(tmp_path):
    """A letter that names its sender and case number only in the page header
    and footer: both are read (once, however many pages and sections), a
    hidden run in the header is dropped, and the sender becomes the document's
    organisation."""
    import docx
    from assistant.metadata import load_metadata
    document = docx.Document()
    header = document.sections[0].header
    header.paragraphs[0].text = "Aalborg Kommune · Magistraten"
    header.add_paragraph("Intern note: ").add_run("SKJULT I HOVED").font.hidden = True
    document.sections[0].footer.paragraphs[0].text = "Sagsnr. 15-012345 · Boulevarden 13"
    document.add_paragraph("Kære KL")
    document.add_paragraph("Vi bakker op om strategiens mål for digital velfærd.")
    document.add_page_break()
    document.add_section()                       # linked to the first: no second copy
    document.add_paragraph("Med venlig hilsen")
    document.save(str(tmp_path / "svar.docx"))
    doc = load_file(tmp_path / "svar.docx")
    assert doc.text.startswith("Aalborg Kommune · Magistraten\n\nIntern note:\n\nKære KL")
    assert doc.text.endswith("Med venlig hilsen\n\nSagsnr. 15-012345 · Boulevarden 13")
    assert doc.text.count("Aalborg Kommune") == 1 and "SKJULT" not in doc.text
    assert doc.warnings and "hidden text dropped" in doc.warnings[0]
    meta = load_metadata(tmp_path / "svar.docx", doc)
    assert meta.organisation == "Aalborg Kommune" and meta.case_number == "15-012345"


@pytest.mark.parametrize("content", [b"hello", b"PK\x03\x04broken zip"])
def test_docx_corrupt(tmp_path, content):
    path = tmp_path / "brev.docx"
    path.write_bytes(content)
    with pytest.raises(CorruptDocument, match="brev.docx") as err:
        load_file(path)
    assert "zip" in err.value.reason


def test_docx_old_word_format(tmp_path):
    path = tmp_path / "gammel.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(CorruptDocument, match=r"gammel\.docx.*\.doc file"):
        load_file(path)


# --- HTML --------------------------------------------------------------------------

BODY = """
<script>var hemmelig = "skal ikke med";</script>
<style>p { color: red }</style>
<noscript>Slå JavaScript til</noscript>
<h1>Digitalisering i kommunen</h1>
<p>Borgerne f&aring;r bedre   service,
   og medarbejderne f&aring;r nye v&aelig;rkt&oslash;jer&nbsp;&ndash; hurtigt.</p>
<!-- en kommentar -->
<div>Linje et<br>Linje to</div>
<h2>Mål &amp; midler</h2>
<ul><li>Første punkt</li><li>Andet punkt</li></ul>
<table><tr><th>Mål</th><th>År</th></tr><tr><td>Færre breve</td><td>2018</td></tr></table>
"""


def test_html_blocks_entities_and_headings(tmp_path):
    doc = load_file(make_html(tmp_path, "nyhed.html", "KL – nyhed", BODY))
    assert doc.title == "KL – nyhed"
    assert doc.headings == ("Digitalisering i kommunen", "Mål & midler")
    for absent in ("hemmelig", "color", "JavaScript", "kommentar", "&aelig;", "\xa0"):
        assert absent not in doc.text
    assert ("Borgerne får bedre service, og medarbejderne får nye værktøjer – hurtigt."
            in doc.text)
    assert "Linje et\nLinje to" in doc.text
    assert "\n\nFørste punkt\n\nAndet punkt\n\n" in doc.text
    assert "Mål | År\n\nFærre breve | 2018" in doc.text
    assert doc.text.startswith("Digitalisering i kommunen\n\n")


def test_html_declared_legacy_charset(tmp_path):
    path = make_html(tmp_path, "gammel.htm", "Høring", "<p>Ærø og Æbeltoft – “citat”</p>",
                     charset="windows-1252")
    doc = load_file(path)
    assert doc.text == "Ærø og Æbeltoft – “citat”" and doc.title == "Høring"


def test_html_title_falls_back_to_h1(tmp_path):
    path = tmp_path / "uden-titel.html"
    path.write_text("<html><body><h1>Kanalstrategi</h1><p>Tekst.</p></body></html>",
                    encoding="utf-8")
    assert load_file(path).title == "Kanalstrategi"


# --- plain text ---------------------------------------------------------------------

def test_txt_cp1252(tmp_path):
    path = write_cp1252(tmp_path, "gammel.txt", "Økonomiudvalget – høring\n\nBørn og ældre på Ærø")
    assert load_file(path).text == "Økonomiudvalget – høring\n\nBørn og ældre på Ærø"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_txt_with_byte_order_mark(tmp_path, encoding):
    path = tmp_path / "bom.txt"
    data = "Sådan går det\r\nmed æbler".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path.write_bytes(data)
    assert load_file(path).text == "Sådan går det\nmed æbler"


def test_txt_html_remnants(tmp_path):
    path = tmp_path / "web.txt"
    path.write_text("Punkt&nbsp;5<br>Sag&nbsp;&amp;&nbsp;beslutning<br/>"
                    "<p>Godkendt <b>enstemmigt</b> i K&oslash;ge.</p>\n"
                    "Se <https://www.kl.dk/?a=1&copy=2>", encoding="utf-8")
    assert load_file(path).text == ("Punkt 5\nSag & beslutning\n\nGodkendt enstemmigt i Køge.\n\n"
                                    "Se https://www.kl.dk/?a=1&copy=2")


def test_md_keeps_headings_and_lists_but_drops_html_and_inline_marks(tmp_path):
    """What is quoted is the text: "**Mål:**" and "[KL](https://kl.dk)" would
    show their asterisks and brackets in an answer and a meeting note."""
    path = tmp_path / "noter.md"
    path.write_text("# Sikkerhed\n\n- **Mål:** færre&nbsp;breve<br>\n- [KL](https://kl.dk)\n"
                    "- *kursiv tekst*, 2 * 3 * 4 og en enlig * stjerne\n", encoding="utf-8")
    assert load_file(path).text == ("# Sikkerhed\n\n- Mål: færre breve\n\n- KL\n"
                                    "- kursiv tekst, 2 * 3 * 4 og en enlig * stjerne")


def test_md_paragraphs_are_joined_as_markdown_reads_them(tmp_path):
    """A wrapped paragraph and a wrapped list item are one line each; table rows,
    list items and a hard break (two trailing spaces) stay apart."""
    path = tmp_path / "svar.md"
    path.write_text("# Høringssvar\r\n\r\nTestby Kommune er enig i visionen, men\r\n"
                    "savner mål for sikkerhed.\r\n\r\n- Første punkt, der\r\n  fortsætter her\r\n"
                    "- Andet punkt\r\n\r\n| Tema | Holdning |\r\n|---|---|\r\n| 4 | enig |\r\n\r\n"
                    "Med venlig hilsen  \r\nBorgmesteren\r\n", encoding="utf-8")
    assert load_file(path).text == (
        "# Høringssvar\n\nTestby Kommune er enig i visionen, men savner mål for sikkerhed.\n\n"
        "- Første punkt, der fortsætter her\n- Andet punkt\n\n| Tema | Holdning |\n|---|---|\n"
        "| 4 | enig |\n\nMed venlig hilsen\nBorgmesteren")


def test_shipped_letter_quotes_without_markdown_marks():
    text = load_file(CORPUS / "kl-hoeringsbrev-2015-03-03.txt").text
    assert "Frist for svar på høringen er mandag den 20. april 2015." in text
    assert "**" not in text and "](" not in text
    assert "elektronisk tilbagemelding her (https://www.surveyxact.dk/" in text


def test_normalise_text():
    raw = ("\ufeff\r\n  \n Første\u00a0linje\u202fmed\u2007tal\tog  mellemrum \r\n"
           "blød\u00adt\u200b ord\x07\r\rtredje\n\n\n\n\n“citat” – • **fed**  \n\n")
    assert normalise_text(raw) == (" Første linje med tal og  mellemrum\nblødt ord\n\n"
                                   "tredje\n\n“citat” – • **fed**")
    decomposed = "a\u030a"  # a + combining ring above
    assert normalise_text(decomposed) == "å"
    # ligatures from typeset PDFs are their letters, so the words are found
    assert normalise_text("\ufb01nansiering og e\ufb00ekt\ufb02ow") == "finansiering og effektflow"


@pytest.mark.parametrize("raw,expected", [
    ("kommu-\nnerne skal", "kommunerne skal"),                 # line-end hyphenation
    ("hvilket sikker-\n\n\nhedsniveau", "hvilket sikkerhedsniveau"),  # across a page break
    ("blød\u00ad\nt ord", "blødt ord"),                         # soft hyphen at the break
    ("IT-\nløsninger", "IT-løsninger"),                         # the hyphen is real
    ("digitaliserings-\nog kanalstrategi", "digitaliserings-\nog kanalstrategi"),
    ("Tema 4 -\nsikkerhed", "Tema 4 -\nsikkerhed"),             # a dash, not a break
    ("- første\n- anden", "- første\n- anden"),
])
def test_words_broken_at_line_ends_are_joined(raw, expected):
    assert normalise_text(raw) == expected


def test_hyphenated_pdf_words_are_found_whole(tmp_path, docs_dir, fake_embedder):
    """A PDF wrapped with hyphens ("informations-/sikkerheden") is quoted and
    keyword-searched as the word a user types."""
    from conftest import make_assistant

    make_pdf(docs_dir, "brudt.pdf", ["Kommunerne skal styrke informations-\nsikkerheden i alle "
                                 "forvaltninger.\nDet gælder også skolerne."])
    for name, text in (("liv.txt", "Borgerne skal mestre eget liv med velfærdsteknologi."),
                       ("data.txt", "Offentlige data skal skabe effektivitet og merværdi.")):
        (docs_dir / name).write_text(text, encoding="utf-8")   # BM25 needs a corpus for idf
    bot = make_assistant(tmp_path, fake_embedder)
    bot.index(show_progress=False)
    hits = bot.search("informationssikkerheden", 3, mode="bm25")
    assert hits and "styrke informationssikkerheden i alle" in hits[0].chunk.text


def test_shipped_aalborg_word_split_by_page_break_is_whole():
    text = load_file(CORPUS / "aalborg-magistraten-hoeringssvar-2015.txt").text
    assert "i hvilket sikkerhedsniveau, der er valgt" in text


def test_decode_text_order(tmp_path):
    p = tmp_path / "x.txt"
    assert decode_text("æøå".encode("utf-8"), p) == "æøå"
    assert decode_text("æøå – “ok”".encode("cp1252"), p) == "æøå – “ok”"
    # 0x81 is undefined in cp1252, so only latin-1 is left
    line = "Grøn skærm i Køge. " * 5
    assert decode_text(line.encode("latin-1") + b"\x81", p) == line + "\x81"


def test_nbsp_normalised(tmp_path):
    path = tmp_path / "nbsp.txt"
    path.write_text("Sagsnr.:\u00a013/38532\n\u00a0\n\u00a0\n\nBeslutning\u00a0", encoding="utf-8")
    assert load_file(path).text == "Sagsnr.: 13/38532\n\nBeslutning"


# --- failures -----------------------------------------------------------------------

@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_empty_file(tmp_path, suffix):
    with pytest.raises(EmptyDocument, match=f"tom{suffix}"):
        load_file(make_empty(tmp_path, f"tom{suffix}"))


def test_whitespace_only_is_empty(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text(" \n\u00a0\t\n<br>\n", encoding="utf-8")
    with pytest.raises(EmptyDocument, match="blank.txt"):
        load_file(path)


def test_binary_named_txt(tmp_path):
    path = tmp_path / "billede.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(CorruptDocument, match="billede.txt.*NUL"):
        load_file(path)
    path.write_bytes(bytes(range(1, 32)) * 20 + "æøå".encode())
    with pytest.raises(CorruptDocument, match="billede.txt.*control characters"):
        load_file(path)


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "budget.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(UnsupportedFormat, match=r"budget\.xlsx.*\.xlsx.*\.docx"):
        load_file(path)


# --- discovery ------------------------------------------------------------------------

def test_discover(tmp_path):
    root = tmp_path / "documents"
    (root / "kl" / "2015").mkdir(parents=True)
    (root / ".git").mkdir()
    for rel in ["b.txt", "a.md", "kl/brev.PDF", "kl/2015/nyhed.html", "README.md",
                "kl/README.txt", "a.md.meta.json", ".skjult.txt", ".git/config.txt",
                "kl/budget.xlsx", "kl/~$brev.docx", "uden-endelse"]:
        (root / rel).write_text("x", encoding="utf-8")
    files, failures = discover(root)
    assert [p.relative_to(root).as_posix() for p in files] == [
        "a.md", "b.txt", "kl/2015/nyhed.html", "kl/brev.PDF"]
    assert [(Path(f.path).relative_to(root).as_posix(), f.reason_code) for f in failures] == [
        ("kl/budget.xlsx", "unsupported"), ("uden-endelse", "unsupported")]
    assert ".xlsx" in failures[0].reason and ".pdf" in failures[0].reason
    assert discover(root) == (files, failures)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_discover_symlinks(tmp_path):
    root = tmp_path / "documents"
    (root / "sub").mkdir(parents=True)
    outside = tmp_path / "privat.txt"
    outside.write_text("hemmeligt", encoding="utf-8")
    (root / "sub" / "ok.txt").write_text("ok", encoding="utf-8")
    (root / "ud.txt").symlink_to(outside)
    (root / "ind.txt").symlink_to(root / "sub" / "ok.txt")
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    (root / "hjem").symlink_to(tmp_path, target_is_directory=True)
    files, failures = discover(root)
    assert [p.relative_to(root).as_posix() for p in files] == ["ind.txt", "sub/ok.txt"]
    assert sorted((Path(f.path).name, f.reason_code) for f in failures) == [
        ("hjem", "outside"), ("ud.txt", "outside")]


# --- the shipped corpus ----------------------------------------------------------------

def test_real_corpus():
    files = sorted(CORPUS.glob("*.txt"))
    assert len(files) == 5
    for path in files:
        doc = load_file(path)
        assert all(ch in doc.text for ch in "æøå"), path.name
        assert "\xa0" not in doc.text and "\r" not in doc.text
        assert doc.text == doc.text.strip() and "\n\n\n" not in doc.text
        assert doc.text == normalise_text(doc.text)
