"""Chunking: exact offsets, headings travel with their text, sizes respected."""
from pathlib import Path

import pytest

from assistant.chunking import chunk_document, heading_above, looks_like_heading, statement_spans
from assistant.loaders import load_file
from assistant.models import ExtractedText
from assistant.sentences import is_question, sentence_spans
from conftest import SHIPPED_DOCS
from fixtures import make_docx, make_pdf

SHIPPED = sorted(p for p in SHIPPED_DOCS.glob("*.txt"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_chunks_are_exact_slices_covering_the_document(path: Path):
    doc = load_file(path)
    chunks = chunk_document(path.name, doc, target=600, limit=1200)
    assert chunks
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text
        assert len(c.text) <= 1200
    # in order, not overlapping, and no text lost between chunks but blank lines
    for a, b in zip(chunks, chunks[1:]):
        assert a.end <= b.start
        assert doc.text[a.end:b.start].strip() == ""
    assert doc.text[:chunks[0].start].strip() == "" and doc.text[chunks[-1].end:].strip() == ""


def test_heading_travels_with_the_text_under_it():
    body = " ".join(["Kommunen skal styrke informationssikkerheden i alle forvaltninger."] * 30)
    text = f"Indledning\n\nEn kort indledning om strategien.\n\nSikkerhed og tilgængelighed\n\n{body}"
    chunks = chunk_document("d", ExtractedText(text=text), target=400, limit=700)
    security = [c for c in chunks if "informationssikkerheden" in c.text]
    assert len(security) >= 2, "the long section must be split"
    assert security[0].text.startswith("Sikkerhed og tilgængelighed")
    for c in security:
        assert c.section == "Sikkerhed og tilgængelighed"
        assert c.index_text.startswith("Sikkerhed og tilgængelighed")
        assert len(c.text) <= 700
        # split between sentences, never inside one
        assert c.text.rstrip().endswith(".")
    assert not any(c.text.rstrip().endswith("Sikkerhed og tilgængelighed") for c in chunks)


def test_lead_in_paragraph_stays_with_its_list():
    text = ("Baggrund\n\n" + "Lang tekst om baggrunden. " * 20 +
            "\n\nVisionen bygger på følgende 4 målsætninger:\n\n"
            "1. Digitalisering skal sikre en stærk decentral offentlig sektor\n"
            "2. KL og kommunerne skal stille krav til staten om infrastruktur\n"
            "3. Borgere skal opleve sammenhæng\n4. Data skal skabe værdi")
    chunks = chunk_document("d", ExtractedText(text=text), target=400, limit=1200)
    holder = next(c for c in chunks if "2. KL og kommunerne" in c.text)
    assert "følgende 4 målsætninger:" in holder.text


def test_aalborg_security_section_is_labelled():
    doc = load_file(SHIPPED_DOCS / "aalborg-magistraten-hoeringssvar-2015.txt")
    chunks = chunk_document("aalborg", doc)
    iso = next(c for c in chunks if "ISO 27.001" in c.text)
    assert iso.section == "Sikkerhed og tilgængelighed skal gå hånd i hånd"


def test_letterhead_is_not_a_section():
    """The KL letter's address block sits mid-letter (page 1 ends there): a
    citation must name the letter's heading, not "Postboks 3370"."""
    doc = load_file(SHIPPED_DOCS / "kl-hoeringsbrev-2015-03-03.txt")
    chunks = chunk_document("kl", doc)
    reply = next(c for c in chunks if "samlet elektronisk tilbagemelding" in c.text)
    assert reply.section == "Til Borgmesteren og Kommunaldirektøren"
    assert not any(c.section and ("Postboks" in c.section or "gade" in c.section) for c in chunks)


def test_pdf_chunks_carry_page_numbers(tmp_path):
    pages = [f"Afsnit {n}\n" + f"Dette er tekst på side {n} om emne nummer {n}. " * 6
             for n in (1, 2, 3)]
    doc = load_file(make_pdf(tmp_path, "tre.pdf", pages))
    chunks = chunk_document("tre.pdf", doc, target=200, limit=400)
    for n in (1, 2, 3):
        c = next(c for c in chunks if f"side {n} om emne" in c.text)
        assert c.page == n and c.page_end == n
        assert c.section == f"Afsnit {n}"


def test_docx_heading_styles_become_sections(tmp_path):
    path = make_docx(tmp_path, "svar.docx", [
        ("Heading 1", "Vores bemærkninger til strategien."),   # ends with "." yet is a heading
        ("Normal", "Vi støtter visionen om en sammenhængende offentlig sektor. " * 3),
    ])
    chunks = chunk_document("svar.docx", load_file(path))
    assert chunks[0].section == "Vores bemærkninger til strategien."


@pytest.mark.parametrize("line,expected", [
    ("Borgerbetjening 3.0", True),
    ("Beslutning:", True),
    ("## Sikkerhed", True),
    ("**Sagens indhold**", True),
    ("Sagsnr.: 330-2015-27782", False),
    ("Den 3. marts 2015", False),
    ("2300 København S", False),
    ("Weidekampsgade 10", False),
    ("Postboks 3370", False),
    ("www.kl.dk", False),
    ("Side 1/2", False),
    ("Målsætning 2", True),
    ("- Borgerbetjening 3.0", False),
    ("Aalborg Kommune er enig i strategien.", False),
])
def test_heading_shape(line, expected):
    assert looks_like_heading(line) is expected


def test_statements_are_whole_sentences_across_danish_ordinals():
    """pysbd reads "18." as a list number; the KL letter's sentence on the
    dialogue meetings must still be one statement, quoted whole."""
    text = load_file(SHIPPED_DOCS / "kl-hoeringsbrev-2015-03-03.txt").text
    meeting = ("I forbindelse med høringen afholdes der den 18. og den 19. marts dialogmøder "
               "om strategiforslaget i København og Vejle.")
    statements = {text[s:e] for c in chunk_document("kl", load_file(
        SHIPPED_DOCS / "kl-hoeringsbrev-2015-03-03.txt")) for s, e in statement_spans(c)}
    assert meeting in text and meeting in statements
    assert sentence_texts("Frist er mandag den 20. april 2015. Mødet er den 3. maj.") == \
        ["Frist er mandag den 20. april 2015.", "Mødet er den 3. maj."]
    assert sentence_texts("Overskrift\nTekst uden punktum\nEn sætning. En til!") == \
        ["Overskrift", "Tekst uden punktum", "En sætning.", "En til!"]


def test_a_case_number_and_a_link_are_not_cut_into_pieces():
    """pysbd ends a sentence at "Sagsnr." and at the "?" inside a link; the
    quoted statement would start with ": 330-..." or "n=0&section=..."."""
    assert sentence_texts("Sagsnr.: 330-2015-27782\nDok.nr.: 330-2015-176431") == \
        ["Sagsnr.: 330-2015-27782", "Dok.nr.: 330-2015-176431"]
    link = "http://www.kl.dk/menu/Lokal-og-digital--et-sammenhangende-Danmark1-id175424/?n=0&section=4652"
    assert sentence_texts(f"    {link}") == [link]
    assert sentence_texts("Se www.kl.dk/x?id=1. Næste sætning.") == \
        ["Se www.kl.dk/x?id=1.", "Næste sætning."]
    assert sentence_texts("Første linje.\n: anden linje") == ["Første linje.", ": anden linje"]
    # a sentence does not start in lower case: "ift." is an abbreviation here
    assert sentence_texts("Der er udfordringer ift. effektiviseringsgevinster. Næste.") == \
        ["Der er udfordringer ift. effektiviseringsgevinster.", "Næste."]


def sentence_texts(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_a_list_number_opens_its_item():
    """pysbd cuts "1." off the item; alone, the item read as a heading and was
    never a statement an answer could quote."""
    text = ("Strategien er bygget op omkring to afsnit:\n\n"
            "1.    Digital selvbetjening, kommunikation og velfærd (politiske visioner)\n\n"
            "2.    Effektiv IT-drift (administrative målsætninger)")
    assert sentence_texts(text) == [
        "Strategien er bygget op omkring to afsnit:",
        "1.    Digital selvbetjening, kommunikation og velfærd (politiske visioner)",
        "2.    Effektiv IT-drift (administrative målsætninger)"]
    chunk = chunk_document("d", ExtractedText(text=text))[0]
    assert [text[s:e] for s, e in statement_spans(chunk)][1].startswith("1.    Digital")


def test_a_sentence_goes_on_after_an_abbreviation():
    """pysbd ended the sentence at "f.eks." before a capital; an answer quoted
    "Der savnes en fælles indsats som ... hvordan f.eks." and stopped there."""
    assert sentence_texts("Der savnes en indsats, der viser hvordan f.eks. ISO 27.001 skal "
                          "udmøntes lokalt. Næste.") == [
        "Der savnes en indsats, der viser hvordan f.eks. ISO 27.001 skal udmøntes lokalt.",
        "Næste."]
    # an organisation's name at the end of a sentence is no abbreviation
    assert sentence_texts("Svaret sendes til KL. Derefter går arbejdet i gang.") == [
        "Svaret sendes til KL.", "Derefter går arbejdet i gang."]


def test_an_answer_scale_stays_with_its_question():
    """Slagelse's case gives each hearing question a scale in brackets, once
    broken over two paragraphs; alone, "høj grad, i høj grad, ...)" was a
    sentence, quoted as an answer about children and young people."""
    text = ("- Er kommunen enig i visionen? (i meget\n\nhøj grad, i høj grad, i nogen grad)\n\n"
            "· Er temaerne relevante? (i meget høj grad, i høj grad)\n\nHøj grad af enighed.")
    assert sentence_texts(text) == [
        "- Er kommunen enig i visionen? (i meget\n\nhøj grad, i høj grad, i nogen grad)",
        "· Er temaerne relevante? (i meget høj grad, i høj grad)",
        "Høj grad af enighed."]
    assert [is_question(s) for s in sentence_texts(text)] == [True, True, False]


def test_a_letters_closing_and_signatures_end_its_section():
    """A closing and the names under it are short capitalised lines, read as
    headings: "Med venlig hilsen" became a section holding two names."""
    text = ("Brevets emne\n\nVi ser frem til at modtage jeres høringssvar.\n\n"
            "Med venlig hilsen\n\n\n\nMartin Damm\n\nKristian Wendelboe")
    chunks = chunk_document("d", ExtractedText(text=text))
    assert [c.section for c in chunks] == ["Brevets emne"]
    assert sentence_texts(text)[-1] == "Med venlig hilsen\n\n\n\nMartin Damm\n\nKristian Wendelboe"
    # the names stop at the first line that is no name
    assert sentence_texts("Venlig hilsen\nJens Hansen\nBorgmester\nBilag 1\nNæste linje.") == [
        "Venlig hilsen\nJens Hansen\nBorgmester", "Bilag 1", "Næste linje."]


def test_a_committee_case_is_cited_by_its_own_sections():
    """Slagelse's decision was cited as section "Resume af Den Fælleskommunale
    Digitaliseringsstrategi" (the last attachment listed under "Bilag", read as
    a heading), and its assessment as "Retligt grundlag" ("Ej relevant", a
    value, read as a heading ran four small sections into one)."""
    doc = load_file(SHIPPED_DOCS / "slagelse-oekonomiudvalget-2015-04-20.txt")
    chunks = chunk_document("s", doc, 600, 1200)

    def holding(text):
        return next(c for c in chunks if text in c.text)

    decision = holding("Drøftet - Økonomiudvalget ønsker")
    assert decision.section == "Beslutning i Økonomiudvalget den 20. april 2015"
    assert holding("udmærket ramme").section == "Vurdering"
    assert holding("Handlemuligheder").section == "Retligt grundlag · Handlemuligheder"
    assert holding("330-2015-168146").section == "Bilag"
    # the dated heading still opens its decision when quoted
    statements = [doc.text[s:e] for s, e in statement_spans(decision)]
    assert statements[0].startswith("Beslutning i Økonomiudvalget den 20. april 2015:")


def test_an_attachments_title_is_a_statement_under_its_list_heading():
    """The titles under "Bilag" look like headings but name the documents a
    reader asks for ("Hvilke bilag er der til sagen?"): they are statements,
    standing under "Bilag" (not under the title before them); the case number
    over each is no statement on its own.  Fredensborg's one attachment sits in
    a chunk merged from four small sections."""
    doc = load_file(SHIPPED_DOCS / "slagelse-oekonomiudvalget-2015-04-20.txt")
    attachments = next(c for c in chunk_document("s", doc, 600, 1200) if c.section == "Bilag")
    statements = [doc.text[s:e] for s, e in statement_spans(attachments)]
    assert statements == ["Oplæg til Fælleskommunal digitaliseringsstrategi 2016-2020",
                          "Resume af Den Fælleskommunale Digitaliseringsstrategi"]
    last = doc.text.index("Resume af Den Fælleskommunale")
    assert heading_above(attachments, last) == "Bilag"
    doc = load_file(SHIPPED_DOCS / "oekonomiudvalget-digitaliserings-og-kanalstrategi-2015-18.txt")
    merged = next(c for c in chunk_document("f", doc, 600, 1200) if "Elektroniske bilag" in c.text)
    title = doc.text.index("Digitaliserings- og kanalstrategi 2015-2018", merged.start)
    assert (title, title + len("Digitaliserings- og kanalstrategi 2015-2018")) in \
        statement_spans(merged)
    assert heading_above(merged, title) == "Elektroniske bilag"
    recommendation = doc.text.index("1. At Økonomiudvalget anbefaler", merged.start)
    assert heading_above(merged, recommendation) == "Indstilling"


def test_a_short_value_under_a_case_heading_is_a_statement_with_it():
    """Aalborg's decision is "Beslutning:" over "Godkendt.": too short to be a
    statement, it could not be quoted, and "What did the committee in Aalborg
    decide?" quoted the recommendation above it.  With its heading it is one
    statement; an empty section ("Retligt grundlag" / "Ej relevant") states
    nothing and stays out."""
    def statements(name, prefix):
        doc = load_file(SHIPPED_DOCS / name)
        return [" ".join(doc.text[s:e].split()) for c in chunk_document(prefix, doc, 600, 1200)
                for s, e in statement_spans(c)]

    aalborg = statements("aalborg-magistraten-hoeringssvar-2015.txt", "a")
    assert "Beslutning: Godkendt." in aalborg
    assert "Kompetence Byrådet." in statements(
        "oekonomiudvalget-digitaliserings-og-kanalstrategi-2015-18.txt", "f")
    doc = load_file(SHIPPED_DOCS / "oekonomiudvalget-digitaliserings-og-kanalstrategi-2015-18.txt")
    merged = next(c for c in chunk_document("f", doc, 600, 1200) if "Kompetence" in c.text)
    assert heading_above(merged, doc.text.index("Kompetence")) == "Kompetence"   # its own
    assert not any("relevant" in s for s in statements(
        "slagelse-oekonomiudvalget-2015-04-20.txt", "s") if len(s) < 60)
