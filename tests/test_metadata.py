"""Metadata inference on the real corpus, and the sidecar that overrides it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import SidecarError
from assistant.loaders import load_file
from assistant.metadata import (
    apply_sidecar, holds_date, infer_metadata, is_date_line, load_metadata, read_sidecar,
    sidecar_path,
)
from assistant.models import DocumentMeta, ExtractedText

CORPUS = Path(__file__).resolve().parent.parent / "documents"  # the shipped corpus
AALBORG = "aalborg-magistraten-hoeringssvar-2015.txt"
KL_LETTER = "kl-hoeringsbrev-2015-03-03.txt"
KL_NEWS = "kl-nyhed-2015-03-05.txt"
SLAGELSE = "slagelse-oekonomiudvalget-2015-04-20.txt"
FREDENSBORG = "oekonomiudvalget-digitaliserings-og-kanalstrategi-2015-18.txt"

# What SOURCES.md says, restricted to what the file name or text itself states
# (Aalborg's date is only a year, Fredensborg never names itself).
EXPECTED = {
    AALBORG: DocumentMeta(
        title="Høring af ny fælleskommunal digitaliseringsstrategi",
        organisation="Aalborg Kommune", doc_type="hearing_response",
        case_number="2014-185390"),   # bare, under the agenda item's title
    KL_LETTER: DocumentMeta(
        title="”Lokal og digital – et sammenhængende Danmark” – den fælleskommunale "
              "digitaliseringsstrategi 2016-2020",
        organisation="KL", doc_type="letter", date="2015-03-03", case_number="SAG-2015-00810"),
    KL_NEWS: DocumentMeta(
        title="Ny fælleskommunal digitaliseringsstrategi sendt i høring",
        organisation="KL", doc_type="news", date="2015-03-05"),
    SLAGELSE: DocumentMeta(
        title="Høring om forslag til Fælleskommunal Digitaliseringsstrategi 2016-2020 (B)",
        organisation="Slagelse Kommune", doc_type="committee_case", date="2015-04-20",
        case_number="330-2015-27782"),
    FREDENSBORG: DocumentMeta(
        title="Nr.3 - Ny digitaliserings- og kanalstrategi 2015-18",
        organisation=None, doc_type="committee_case", date="2015-01-19",
        case_number="13/38532"),
}


def extracted(name: str) -> ExtractedText:
    return ExtractedText(text=(CORPUS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corpus_meta() -> dict[str, DocumentMeta]:
    return {name: infer_metadata(CORPUS / name, extracted(name)) for name in EXPECTED}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_metadata(corpus_meta, name):
    assert corpus_meta[name] == EXPECTED[name]


def test_kl_letter_is_not_from_the_cities_it_mentions(corpus_meta):
    # The letter names København and Vejle as meeting places, and its address.
    assert corpus_meta[KL_LETTER].organisation == "KL"


@pytest.mark.parametrize("name, organisation", [
    (AALBORG, "Aalborg Kommune"),     # "Aalborg Kommune er overordnet enig ..."
    (SLAGELSE, "Slagelse Kommune"),   # "Slagelse Kommunes ..."
    (KL_LETTER, "KL"),                # letterhead line "www.kl.dk"
    (KL_NEWS, None),                  # only "KL har netop sendt ...": a mention, not a sender
    (FREDENSBORG, None),
])
def test_organisation_from_text_alone(name, organisation):
    assert infer_metadata(Path("dokument.txt"), extracted(name)).organisation == organisation


def test_file_title_wins_and_is_capped():
    meta = infer_metadata(Path("x.pdf"), ExtractedText(text="Anden linje", title="  Egen  titel "))
    assert meta.title == "Egen titel"
    long = infer_metadata(Path("x.pdf"), ExtractedText(text="ord " * 100))
    assert len(long.title) <= 200


@pytest.mark.parametrize("placeholder", ["untitled", "Dokument1", "Microsoft Word - svar.docx",
                                         "hoeringssvar_final.docx", "svar-aalborg"])
def test_a_placeholder_file_title_gives_way_to_the_text(placeholder):
    """Converters leave "untitled" or the file name in a PDF's title field;
    the first line of the text names the document better."""
    meta = infer_metadata(Path("svar-aalborg.pdf"), ExtractedText(
        text="Høringssvar fra Aalborg Kommune\nVi støtter strategien.", title=placeholder))
    assert meta.title == "Høringssvar fra Aalborg Kommune"


def test_a_pdf_without_a_title_field_is_titled_from_its_text(tmp_path):
    from fixtures import make_pdf
    path = make_pdf(tmp_path, "svar.pdf", ["Høringssvar fra Aalborg Kommune\nVi støtter strategien."])
    assert infer_metadata(path, load_file(path)).title == "Høringssvar fra Aalborg Kommune"


def test_the_senders_name_above_the_title_is_not_the_title(tmp_path):
    """A letterhead line "Horsens Kommune" opens the response; the title is
    the line under it, and the sender is still the organisation."""
    from fixtures import make_pdf
    path = make_pdf(tmp_path, "svar.pdf", [
        "Horsens Kommune\n"
        "Høringssvar vedrørende fælleskommunal digitaliseringsstrategi 2016-2020\n"
        "Horsens Kommune takker for muligheden for at afgive høringssvar. Kommunen\n"
        "støtter strategiens vision og de ti temaer."])
    meta = infer_metadata(path, load_file(path))
    assert meta.title == "Høringssvar vedrørende fælleskommunal digitaliseringsstrategi 2016-2020"
    assert meta.organisation == "Horsens Kommune"


def test_title_skips_openers_and_strips_markdown():
    text = "\n\nPunkt 7.\n\n12. maj 2015\n\nSagsnr.: 15/123\n\n## **Ny strategi**\n\nBrødtekst."
    assert infer_metadata(Path("x.docx"), ExtractedText(text=text)).title == "Ny strategi"


@pytest.mark.parametrize("text, number", [
    ("Punkt 5.\n\nHøring af ny strategi\n\n2014-185390\n\nForvaltningen indstiller ...", "2014-185390"),
    # a period under the title is no case number, nor a number away from an agenda item
    ("Punkt 5.\n\nNy kanalstrategi\n\n2015-2018\n\nTekst.", None),
    ("Ny kanalstrategi\n\n2014-185390\n\nTekst.", None),
])
def test_a_bare_case_number_counts_only_under_an_agenda_items_title(text, number):
    assert infer_metadata(Path("x.txt"), ExtractedText(text=text)).case_number == number


def test_unknown_stays_none():
    meta = infer_metadata(Path("notat.txt"), ExtractedText(text="Noget tekst om 2015-18 og Vejle."))
    assert meta == DocumentMeta(title="Noget tekst om 2015-18 og Vejle.")


@pytest.mark.parametrize("filename, doc_type", [
    ("aalborg-magistraten-hoeringssvar-2015.pdf", "hearing_response"),
    ("kl-hoeringsbrev.pdf", "letter"),
    ("oekonomiudvalget-digitaliserings-og-kanalstrategi.pdf", "committee_case"),
    ("strategi-resumé.pdf", "summary"),
    ("høringssvar.docx", "hearing_response"),
    ("digitaliseringsstrategi-2016-2020.pdf", "strategy"),
    ("byraadet-dagsorden.pdf", "committee_case"),
])
def test_doc_type_from_filename(filename, doc_type):
    assert infer_metadata(Path(filename), ExtractedText(text="Tekst")).doc_type == doc_type


def test_kl_token_means_kl_but_not_a_time_of_day():
    assert infer_metadata(Path("kl-strategi.pdf"), ExtractedText(text="x")).organisation == "KL"
    assert infer_metadata(Path("moede-kl-10.pdf"), ExtractedText(text="x")).organisation is None


# --- sidecars --------------------------------------------------------------

def write_doc(tmp_path: Path, sidecar: object | None, raw: str | None = None) -> Path:
    doc = tmp_path / "fredensborg.txt"
    doc.write_text((CORPUS / FREDENSBORG).read_text(encoding="utf-8"), encoding="utf-8")
    if raw is not None or sidecar is not None:
        text = raw if raw is not None else json.dumps(sidecar, ensure_ascii=False)
        sidecar_path(doc).write_text(text, encoding="utf-8")
    return doc


def test_sidecar_path_keeps_the_full_name():
    assert sidecar_path(Path("/d/foo.pdf")) == Path("/d/foo.pdf.meta.json")


def test_sidecar_overrides_inferred(tmp_path):
    doc = write_doc(tmp_path, {"organisation": "Fredensborg Kommune", "doc_type": "udvalgssag",
                               "date": "2015-01"})
    meta = load_metadata(doc, ExtractedText(text=doc.read_text(encoding="utf-8")))
    assert meta.organisation == "Fredensborg Kommune"
    assert meta.doc_type == "committee_case"
    assert meta.date == "2015-01"
    assert meta.case_number == "13/38532"        # not in the sidecar: inferred value kept


def test_without_sidecar_load_is_inference(tmp_path):
    doc = write_doc(tmp_path, None)
    et = ExtractedText(text=doc.read_text(encoding="utf-8"))
    assert load_metadata(doc, et) == infer_metadata(doc, et)


@pytest.mark.parametrize("alias, doc_type", [
    ("høringssvar", "hearing_response"), ("Dagsordenpunkt", "committee_case"),
    ("beslutning", "committee_case"), ("nyhed", "news"), ("brev", "letter"),
    ("strategi", "strategy"), ("resumé", "summary"), ("hearing response", "hearing_response"),
])
def test_sidecar_doc_type_aliases(alias, doc_type):
    assert apply_sidecar(DocumentMeta(), {"doc_type": alias}).doc_type == doc_type


def test_sidecar_null_clears_a_wrong_inference():
    meta = apply_sidecar(DocumentMeta(organisation="KL"), {"organisation": None})
    assert meta.organisation is None


def test_read_sidecar_accepts_document_or_sidecar_path(tmp_path):
    doc = write_doc(tmp_path, {"title": "Titel"})
    assert read_sidecar(doc) == read_sidecar(sidecar_path(doc)) == {"title": "Titel"}


@pytest.mark.parametrize("sidecar, raw, named", [
    (None, '{"title": "x",', "JSON"),
    (["title"], None, "object"),
    ({"author": "x"}, None, "author"),
    ({"doc_type": "memo"}, None, "doc_type"),
    ({"date": "20. april 2015"}, None, "date"),
    ({"date": "2015-02-30"}, None, "date"),
    ({"date": "2015-13"}, None, "date"),
    ({"case_number": 123}, None, "case_number"),
    ({"title": "  "}, None, "title"),
])
def test_bad_sidecar(tmp_path, sidecar, raw, named):
    doc = write_doc(tmp_path, sidecar, raw)
    with pytest.raises(SidecarError) as info:
        load_metadata(doc, ExtractedText(text="x"))
    assert named in str(info.value)
    assert info.value.path == sidecar_path(doc)
    assert info.value.reason_code == "sidecar"


@pytest.mark.parametrize("text, doc_type", [
    ("Titel\n\n**Sagsfremstilling**\n\nTekst.", "committee_case"),
    ("Titel\n\nBeslutning i Byrådet den 3. maj 2015\n\nGodkendt.", "committee_case"),
    ("Til Byrådet\n\nTitel\n\nTekst.\n\nMed venlig hilsen\n\nNN", "letter"),
    ("Høringssvar fra Aalborg Kommune\n\nTekst.", "hearing_response"),
    ("Beslutningen blev udsat.\n\nTil orientering.", None),
])
def test_doc_type_from_text(text, doc_type):
    assert infer_metadata(Path("x.txt"), ExtractedText(text=text)).doc_type == doc_type


def test_a_heading_holds_a_date_only_when_it_gives_a_real_one():
    """What dates a decision under its heading ("Beslutning i Økonomiudvalget
    den 19-01-2015") is read by the same pattern as a document's date: a year
    alone, a period or an impossible day dates nothing."""
    assert holds_date("Beslutning i Økonomiudvalget den 19-01-2015")
    assert holds_date("Beslutning i Økonomiudvalget den 20. april 2015:")
    assert not holds_date("Det er målet, at i 2020")
    assert not holds_date("Digitaliserings- og kanalstrategi 2015-2018")
    assert not holds_date("Mødet den 32-01-2015")
    # a line that is a date and nothing more dates its document, it states nothing
    assert is_date_line("Den 3. marts 2015") and is_date_line("Mandag den 20. april 2015.")
    assert not is_date_line("Frist for svar på høringen er mandag den 20. april 2015.")
