"""Indexing as a user meets it: mixed real files, incremental updates, a
changed embedder, crashes while writing, a damaged index, the writer lock,
and an index made of plain files only.

Every test builds its own documents folder and index under ``tmp_path`` and
uses the FakeEmbedder (instant, and it records every passage it embeds, so
"nothing was re-embedded" can be checked exactly).
"""
from __future__ import annotations

import errno
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEmbedder, make_assistant
from fixtures import make_corrupt_pdf, make_docx, make_empty, make_html, make_pdf, write_cp1252

from assistant import store
from assistant.errors import (
    EmbedderMismatch, IndexCorrupt, IndexLocked, IndexNotFound, IndexVersionMismatch,
)
from assistant.store import FORMAT_VERSION, current_version, index_lock, read_index

# --- documents ----------------------------------------------------------------------

# Three pages, each long enough to be a chunk of its own, so a passage's page
# number can be checked.
PDF_PAGES = [
    "Digitaliseringsstrategi\n"
    "Kommunerne skal samarbejde om fælles løsninger, så borgerne møder én indgang til "
    "det offentlige. Samarbejdet omfatter fælles standarder, fælles indkøb og en fælles "
    "arkitektur, som alle kommuner kan bygge videre på i de kommende år.",
    "Sikkerhed og databeskyttelse\n"
    "Persondata skal krypteres, både når de sendes og når de opbevares hos leverandøren. "
    "Adgangen til følsomme oplysninger logges, og loggen gennemgås hvert kvartal af "
    "kommunens informationssikkerhedsudvalg, der rapporterer til direktionen.",
    "Økonomi og gevinster\n"
    "Gevinsterne skal høstes på tværs af budgetåret, og besparelserne skal dokumenteres "
    "i en gevinstrealiseringsplan. Planen følges op i økonomiudvalget to gange om året, "
    "så afvigelser opdages, mens der endnu er tid til at handle på dem.",
]

DOCX_BLOCKS = [
    ("Heading 1", "Vintertjeneste"),
    ("Normal", "Snerydning af cykelstier prioriteres før fortove, og saltning af "
               "busruterne begynder senest klokken fem om morgenen, når vejret "
               "varsler isslag. Grundejere rydder selv fortovet ud for deres ejendom."),
]

# Plain-text documents for the incremental tests: one topic each, so a search
# for a topic's words finds exactly one document.
TOPICS = {
    "affald.txt": "## Affaldssortering\n\nHusstandene sorterer madaffald, plast, metal og "
                  "papir i fire beholdere. Genbrugspladsen holder åbent alle ugens dage, og "
                  "storskrald hentes efter aftale med forsyningen mod et mindre gebyr.\n",
    "skole.txt": "## Skolestruktur\n\nFolkeskolerne samles i fem distrikter med hver sin "
                 "overbygning. Elevtallet falder i landdistrikterne, og derfor foreslås "
                 "det at lægge to mindre skoler sammen fra næste skoleår.\n",
}

# One document with three sections (three chunks), to change just one of them.
PLAN_SECTIONS = [
    "## Kollektiv trafik\n\nBusserne skal køre hver tiende minut på de store linjer i "
    "myldretiden, og nye elbusser indsættes i takt med, at de gamle dieselbusser udskiftes. "
    "Køreplanen samordnes med togene på stationen.",
    "## Cykelstier\n\nDer anlægges supercykelstier mellem forstæderne og centrum, med "
    "grøn bølge ved lysregulerede kryds. Cykelparkering ved stationerne udvides med "
    "overdækkede stativer og ladestandere til elcykler.",
    "## Parkering\n\nParkeringspladser i bykernen gøres betalingsbelagte, og indtægterne "
    "bruges til vedligeholdelse af veje og fortove. Beboere kan købe en beboerlicens til "
    "nedsat pris, der gælder i deres eget område.",
]


def plan_text(sections=PLAN_SECTIONS) -> str:
    return "\n\n".join(sections) + "\n"


def write_topics(docs: Path) -> None:
    for name, text in TOPICS.items():
        (docs / name).write_text(text, encoding="utf-8")
    (docs / "trafikplan.txt").write_text(plan_text(), encoding="utf-8")


def make_mixed_folder(docs: Path) -> None:
    """Good files of every format, and one bad file of every kind."""
    make_pdf(docs, "strategi.pdf", PDF_PAGES, title="Fælles strategi")
    make_docx(docs, "vintertjeneste.docx", DOCX_BLOCKS)
    make_html(docs, "bibliotek.html", "Nyt bibliotek",
              "<h1>Nyt bibliotek</h1><p>Biblioteket åbner en filial med selvbetjening, "
              "lektiecafé og lange åbningstider i weekenden.</p>")
    write_cp1252(docs, "ældrepleje.txt",
                 "Ældreplejen får flere hænder, bedre vagtplaner og faste teams, "
                 "så den ældre møder de samme ansigter hver uge.\n")
    make_corrupt_pdf(docs, "ødelagt.pdf")
    make_empty(docs, "tom.txt")
    (docs / "budget.xlsx").write_bytes(b"PK\x03\x04 not really a spreadsheet")


BAD_FILES = {"ødelagt.pdf": "corrupt", "tom.txt": "empty", "budget.xlsx": "unsupported"}
GOOD_FILES = ["bibliotek.html", "strategi.pdf", "vintertjeneste.docx", "ældrepleje.txt"]


# --- helpers ------------------------------------------------------------------------

def index(bot, **kwargs):
    """Index with a clean record of what gets embedded in this run."""
    bot.embedder.embedded.clear()
    return bot.index(show_progress=False, **kwargs)


def fresh(tmp_path: Path, embedder_id: str = "fake:bag-of-words"):
    """A new Assistant over the same index, as another process would see it."""
    return make_assistant(tmp_path, FakeEmbedder(embedder_id))


def hits(bot, question: str, k: int = 5) -> list[tuple[str, str, int | None, float]]:
    return [(p.chunk.chunk_id, p.chunk.text, p.chunk.page, round(p.score, 9))
            for p in bot.search(question, k)]


def doc_ids_found(bot, question: str, k: int = 10) -> list[str]:
    return [p.chunk.doc_id for p in bot.search(question, k)]


def live(tmp_path: Path) -> str | None:
    return current_version(tmp_path / "index")


def index_entries(tmp_path: Path) -> set[str]:
    return {p.name for p in (tmp_path / "index").iterdir()}


def chunk_texts(tmp_path: Path, doc_id: str) -> list[str]:
    return [c.index_text for c in read_index(tmp_path / "index").chunks if c.doc_id == doc_id]


def texts_of(tmp_path: Path, doc_id: str | None = None) -> set[str]:
    """Everything embedded for a document: its chunks and their statements."""
    index = read_index(tmp_path / "index")
    out = set()
    for row, c in enumerate(index.chunks):
        if doc_id in (None, c.doc_id):
            text = index.documents[c.doc_id].text
            out.add(c.index_text)
            out.update(text[s:e] for s, e in index.sentences[row])
    return out


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x55
    path.write_bytes(bytes(data))


@pytest.fixture
def topics_bot(tmp_path, docs_dir):
    """Three plain-text documents, indexed once."""
    write_topics(docs_dir)
    bot = make_assistant(tmp_path, FakeEmbedder())
    report = index(bot)
    assert report.written and report.failures == []
    assert sorted(report.added) == ["affald.txt", "skole.txt", "trafikplan.txt"]
    assert len(chunk_texts(tmp_path, "trafikplan.txt")) == 3
    return bot


# --- 1. a mixed folder ---------------------------------------------------------------

def test_mixed_folder_indexes_good_files_and_reports_bad_ones(tmp_path, docs_dir):
    make_mixed_folder(docs_dir)
    bot = make_assistant(tmp_path, FakeEmbedder())
    report = index(bot)

    assert sorted(report.added) == GOOD_FILES
    assert report.documents == 4 and report.written
    assert report.embedded == report.chunks
    assert sorted(bot.embedder.embedded) == sorted(texts_of(tmp_path))  # each text once
    assert report.embedded_sentences >= report.chunks

    failed = {Path(f.path).name: f for f in report.failures}
    assert set(failed) == set(BAD_FILES)
    for name, code in BAD_FILES.items():
        assert failed[name].reason_code == code
        assert name in failed[name].reason, failed[name].reason

    # The manifest keeps the failures, so the app can show them later.
    stored = read_index(tmp_path / "index")
    assert {(Path(f.path).name, f.reason_code) for f in stored.failures} == set(BAD_FILES.items())
    assert {(Path(f["path"]).name, f["reason_code"]) for f in stored.manifest["failures"]} \
        == set(BAD_FILES.items())
    assert sorted(stored.documents) == GOOD_FILES

    # Words only the DOCX contains: its passage comes first.
    top = bot.ask("Hvornår begynder snerydning af cykelstier og saltning af busruterne?")
    assert top.passages and top.passages[0].chunk.doc_id == "vintertjeneste.docx"
    assert "Snerydning af cykelstier" in top.passages[0].chunk.text

    # A PDF passage cites the page it is on.
    first = bot.search("Persondata krypteres, adgangen logges af informationssikkerhedsudvalg")[0]
    assert first.chunk.doc_id == "strategi.pdf"
    assert "Persondata skal krypteres" in first.chunk.text
    assert first.chunk.page == 2
    pages = {c.page for c in stored.chunks if c.doc_id == "strategi.pdf"}
    assert pages == {1, 2, 3}

    # The cp1252 file and the HTML page are searchable with their Danish letters intact.
    assert bot.search("ældreplejen vagtplaner")[0].chunk.doc_id == "ældrepleje.txt"
    assert "Ældreplejen får flere hænder" in stored.documents["ældrepleje.txt"].text
    assert bot.search("bibliotek filial lektiecafé")[0].chunk.doc_id == "bibliotek.html"


def test_unchanged_folder_with_failures_is_not_rewritten(tmp_path, docs_dir):
    make_mixed_folder(docs_dir)
    bot = make_assistant(tmp_path, FakeEmbedder())
    index(bot)
    before, entries = live(tmp_path), index_entries(tmp_path)

    report = index(bot)
    assert report.written is False
    assert report.embedded == 0 and bot.embedder.embedded == []
    assert sorted(report.unchanged) == GOOD_FILES
    assert report.added == report.changed == report.removed == []
    assert {Path(f.path).name for f in report.failures} == set(BAD_FILES)
    assert live(tmp_path) == before and index_entries(tmp_path) == entries


# --- 2. incremental updates -----------------------------------------------------------

def test_rerun_without_changes_embeds_and_writes_nothing(tmp_path, topics_bot):
    before = (tmp_path / "index" / "CURRENT").read_text()
    entries = index_entries(tmp_path)

    report = index(topics_bot)
    assert report.written is False
    assert report.embedded == 0 and topics_bot.embedder.embedded == []
    assert sorted(report.unchanged) == ["affald.txt", "skole.txt", "trafikplan.txt"]
    assert (tmp_path / "index" / "CURRENT").read_text() == before
    assert index_entries(tmp_path) == entries


def test_adding_a_document_embeds_only_its_chunks(tmp_path, docs_dir, topics_bot):
    (docs_dir / "havn.txt").write_text(
        "## Havneudvikling\n\nHavnen omdannes til boliger, erhverv og en ny badeanstalt. "
        "Kajkanten åbnes for offentligheden, og færgelejet flyttes mod nord, så der bliver "
        "plads til en promenade langs vandet.\n", encoding="utf-8")
    report = index(topics_bot)

    assert report.added == ["havn.txt"] and report.changed == [] and report.removed == []
    assert sorted(report.unchanged) == ["affald.txt", "skole.txt", "trafikplan.txt"]
    assert set(topics_bot.embedder.embedded) == texts_of(tmp_path, "havn.txt")
    assert report.embedded == len(chunk_texts(tmp_path, "havn.txt")) >= 1
    assert doc_ids_found(topics_bot, "badeanstalt færgelejet promenade")[0] == "havn.txt"


def test_changing_a_document_reembeds_only_changed_chunks(tmp_path, docs_dir, topics_bot):
    old = chunk_texts(tmp_path, "trafikplan.txt")
    edited = list(PLAN_SECTIONS)
    edited[1] = edited[1].replace("supercykelstier", "letbanespor og supercykelstier")
    (docs_dir / "trafikplan.txt").write_text(plan_text(edited), encoding="utf-8")

    report = index(topics_bot)
    assert report.changed == ["trafikplan.txt"]
    assert report.added == [] and report.removed == []
    assert sorted(report.unchanged) == ["affald.txt", "skole.txt"]

    new = chunk_texts(tmp_path, "trafikplan.txt")
    assert new[0] == old[0] and new[2] == old[2] and new[1] != old[1]
    # the edited chunk and the one sentence that changed; nothing else
    embedded = topics_bot.embedder.embedded
    assert embedded[0] == new[1] and len(embedded) == 2
    assert "letbanespor" in embedded[1] and embedded[1] in new[1]
    assert report.embedded == 1 and report.embedded_sentences == 1
    assert "letbanespor" in topics_bot.search("letbanespor")[0].chunk.text


def test_deleting_a_document_removes_its_passages(tmp_path, docs_dir, topics_bot):
    assert "skole.txt" in doc_ids_found(topics_bot, "folkeskolerne distrikter overbygning")
    (docs_dir / "skole.txt").unlink()

    report = index(topics_bot)
    assert report.removed == ["skole.txt"] and report.written
    assert report.embedded == 0
    assert "skole.txt" not in doc_ids_found(topics_bot, "folkeskolerne distrikter overbygning")
    assert "skole.txt" not in fresh(tmp_path).stored_index.documents


def test_document_that_becomes_corrupt_is_removed_and_reported(tmp_path, docs_dir):
    make_pdf(docs_dir, "strategi.pdf", PDF_PAGES)
    write_topics(docs_dir)
    bot = make_assistant(tmp_path, FakeEmbedder())
    index(bot)
    assert "strategi.pdf" in doc_ids_found(bot, "persondata krypteres")

    make_corrupt_pdf(docs_dir, "strategi.pdf")
    report = index(bot)
    assert report.removed == ["strategi.pdf"] and report.written
    assert [(Path(f.path).name, f.reason_code) for f in report.failures] \
        == [("strategi.pdf", "corrupt")]
    assert "strategi.pdf" in report.failures[0].reason
    assert "strategi.pdf" not in doc_ids_found(bot, "persondata krypteres")
    assert [Path(f.path).name for f in read_index(tmp_path / "index").failures] \
        == ["strategi.pdf"]


def test_renaming_a_file_reuses_its_vectors(tmp_path, docs_dir, topics_bot):
    (docs_dir / "affald.txt").rename(docs_dir / "affaldsplan-2024.txt")
    report = index(topics_bot)

    assert report.added == ["affaldsplan-2024.txt"] and report.removed == ["affald.txt"]
    assert report.embedded == 0 and topics_bot.embedder.embedded == []
    assert doc_ids_found(topics_bot, "madaffald genbrugspladsen storskrald")[0] \
        == "affaldsplan-2024.txt"
    assert "affald.txt" not in doc_ids_found(topics_bot, "madaffald genbrugspladsen storskrald")


def test_editing_only_the_sidecar_updates_metadata_without_embedding(tmp_path, docs_dir,
                                                                     topics_bot):
    assert topics_bot.stored_index.documents["skole.txt"].meta.organisation is None
    sidecar = docs_dir / "skole.txt.meta.json"

    for organisation in ("Aalborg Kommune", "Slagelse Kommune"):
        sidecar.write_text(json.dumps({"organisation": organisation}), encoding="utf-8")
        report = index(topics_bot)
        assert report.changed == ["skole.txt"] and report.written
        assert report.embedded == 0 and topics_bot.embedder.embedded == []
        assert topics_bot.stored_index.documents["skole.txt"].meta.organisation == organisation
        assert topics_bot.organisations() == [organisation]
        found = topics_bot.search("skole", organisations=[organisation])
        assert found and {p.chunk.doc_id for p in found} == {"skole.txt"}
        assert found[0].document.meta.organisation == organisation

    # The sidecar is metadata, not a document of its own.
    assert all(not d.endswith(".meta.json") for d in topics_bot.stored_index.documents)


# --- 3. a different embedder -------------------------------------------------------------

def test_embedder_mismatch_is_explained_and_rebuild_fixes_it(tmp_path, docs_dir):
    write_topics(docs_dir)
    index(make_assistant(tmp_path, FakeEmbedder("fake:a")))

    bot = make_assistant(tmp_path, FakeEmbedder("fake:b"))
    with pytest.raises(EmbedderMismatch) as asked:
        bot.ask("Hvordan sorteres affaldet?")
    for needed in ("fake:a", "fake:b", "--rebuild"):
        assert needed in str(asked.value)

    before = live(tmp_path)
    with pytest.raises(EmbedderMismatch) as indexed:
        index(bot)
    for needed in ("fake:a", "fake:b", "--rebuild"):
        assert needed in str(indexed.value)
    assert bot.embedder.embedded == [] and live(tmp_path) == before

    report = index(bot, rebuild=True)
    assert report.written and report.embedded == report.chunks
    assert sorted(report.added) == ["affald.txt", "skole.txt", "trafikplan.txt"]
    assert read_index(tmp_path / "index").embedder_id == "fake:b"
    answer = bot.ask("Hvordan sorteres madaffald og plast?")
    assert answer.passages and answer.passages[0].chunk.doc_id == "affald.txt"


# --- 4. a crash while writing a new version ------------------------------------------------

CRASH_POINTS = {
    "documents.jsonl": 1, "chunks.jsonl": 2, "vectors.npy": 3, "manifest.json": 4,
    "CURRENT-tmp": 5,
}


def _crash_on_write(monkeypatch, nth: int) -> None:
    """The nth file written leaves a partial file and then the disk is full."""
    real = store._write_file
    calls = []

    def write_file(path, write):
        calls.append(path.name)
        if len(calls) == nth:
            path.write_bytes(b"half a fi")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, write)

    monkeypatch.setattr(store, "_write_file", write_file)


def _crash_before_replace(monkeypatch) -> None:
    def replace(src, dst):
        raise OSError(errno.EIO, "Input/output error (simulated before os.replace)")

    monkeypatch.setattr(store.os, "replace", replace)


@pytest.mark.parametrize("crash", [*CRASH_POINTS, "os.replace"])
def test_crash_while_writing_keeps_the_old_index(tmp_path, docs_dir, topics_bot,
                                                  monkeypatch, crash):
    question = "Hvordan sorteres madaffald og plast?"
    before_version = live(tmp_path)
    before_hits = hits(topics_bot, question)
    (docs_dir / "havn.txt").write_text(
        "## Havneudvikling\n\nHavnen omdannes til boliger og en badeanstalt.\n", encoding="utf-8")

    if crash == "os.replace":
        _crash_before_replace(monkeypatch)
    else:
        _crash_on_write(monkeypatch, CRASH_POINTS[crash])
    with pytest.raises(OSError):
        index(topics_bot)
    monkeypatch.undo()

    # The half-written version is there, but CURRENT still names the old one.
    assert live(tmp_path) == before_version
    leftovers = index_entries(tmp_path) - {"CURRENT", "LOCK", before_version}
    assert any(name.startswith("v") for name in leftovers), leftovers

    # Readers, old and new, load the old index and get the same answer.
    assert hits(topics_bot, question) == before_hits
    other = fresh(tmp_path)
    assert other.stored_index.version == before_version
    assert hits(other, question) == before_hits
    assert "havn.txt" not in other.stored_index.documents

    # The next run succeeds (the lock was released) and clears the debris.
    report = index(topics_bot)
    assert report.written and report.added == ["havn.txt"]
    assert live(tmp_path) != before_version
    assert index_entries(tmp_path) == {"CURRENT", "LOCK", live(tmp_path)}
    assert doc_ids_found(fresh(tmp_path), "badeanstalt havneudvikling")[0] == "havn.txt"


def test_crash_during_the_first_build_leaves_no_index(tmp_path, docs_dir, monkeypatch):
    write_topics(docs_dir)
    bot = make_assistant(tmp_path, FakeEmbedder())
    _crash_on_write(monkeypatch, CRASH_POINTS["vectors.npy"])
    with pytest.raises(OSError):
        index(bot)
    monkeypatch.undo()

    assert live(tmp_path) is None
    with pytest.raises(IndexNotFound):
        fresh(tmp_path).ask("affald")
    report = index(bot)
    assert report.written and len(report.added) == 3
    assert index_entries(tmp_path) == {"CURRENT", "LOCK", live(tmp_path)}


# --- 5. a damaged or foreign index -----------------------------------------------------------

@pytest.mark.parametrize("damaged", ["vectors.npy", "chunks.jsonl", "documents.jsonl"])
def test_damaged_file_is_detected_and_rebuild_recovers(tmp_path, topics_bot, damaged):
    index_dir = tmp_path / "index"
    broken_version = live(tmp_path)
    flip_byte(index_dir / broken_version / damaged)

    with pytest.raises(IndexCorrupt) as read:
        read_index(index_dir)
    assert damaged in str(read.value)
    assert "python -m assistant index --rebuild" in str(read.value)

    bot = fresh(tmp_path)
    with pytest.raises(IndexCorrupt, match="--rebuild"):
        bot.ask("Hvordan sorteres madaffald?")
    # An ordinary update refuses to build on a damaged index ...
    with pytest.raises(IndexCorrupt, match="--rebuild"):
        index(bot)
    assert live(tmp_path) == broken_version

    # ... and a rebuild recovers everything.
    report = index(bot, rebuild=True)
    assert report.written and report.embedded == report.chunks
    assert doc_ids_found(bot, "madaffald genbrugspladsen")[0] == "affald.txt"
    assert not (index_dir / broken_version).exists()


def test_missing_current_says_how_to_build(tmp_path, topics_bot):
    (tmp_path / "index" / "CURRENT").unlink()
    for attempt in (lambda: read_index(tmp_path / "index"),
                    lambda: fresh(tmp_path).ask("affald")):
        with pytest.raises(IndexNotFound) as err:
            attempt()
        assert "python -m assistant index" in str(err.value)
        assert str(tmp_path / "index") in str(err.value)


def test_never_built_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexNotFound, match="python -m assistant index"):
        fresh(tmp_path).ask("affald")


def test_other_format_version_is_refused(tmp_path, topics_bot):
    manifest = tmp_path / "index" / live(tmp_path) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["format_version"] = FORMAT_VERSION + 1
    manifest.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(IndexVersionMismatch) as err:
        read_index(tmp_path / "index")
    assert err.value.found == FORMAT_VERSION + 1 and err.value.expected == FORMAT_VERSION
    assert "--rebuild" in str(err.value)
    with pytest.raises(IndexVersionMismatch):
        fresh(tmp_path).ask("affald")

    bot = fresh(tmp_path)
    assert index(bot, rebuild=True).written
    assert read_index(tmp_path / "index").manifest["format_version"] == FORMAT_VERSION


# --- 6. one writer at a time ---------------------------------------------------------------

def test_index_refuses_while_another_indexer_holds_the_lock(tmp_path, docs_dir, topics_bot):
    before = live(tmp_path)
    (docs_dir / "havn.txt").write_text("## Havn\n\nHavnen får en badeanstalt.\n",
                                       encoding="utf-8")
    with index_lock(tmp_path / "index"):
        with pytest.raises(IndexLocked) as err:
            index(topics_bot)
    assert str(tmp_path / "index" / "LOCK") in str(err.value)
    assert topics_bot.embedder.embedded == [] and live(tmp_path) == before

    # Once the other indexer is done, indexing works again.
    assert index(topics_bot).added == ["havn.txt"]


# --- 7. plain files, no pickle ----------------------------------------------------------------

def test_index_holds_only_plain_data_files(tmp_path, docs_dir, topics_bot):
    (docs_dir / "affald.txt").unlink()      # an update, so the check covers a second version
    index(topics_bot)
    index_dir = tmp_path / "index"

    for path in index_dir.rglob("*"):
        if path.is_dir():
            assert path.parent == index_dir and path.name == live(tmp_path)
        elif path.parent == index_dir:
            assert path.name in ("CURRENT", "LOCK"), path
        else:
            assert path.suffix in (".json", ".jsonl", ".npy"), path

    version = index_dir / live(tmp_path)
    vectors = np.load(version / "vectors.npy", allow_pickle=False)
    stored = read_index(index_dir)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(stored.chunks), FakeEmbedder.dim_)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    for name in ("documents.jsonl", "chunks.jsonl"):
        for line in (version / name).read_text(encoding="utf-8").splitlines():
            json.loads(line)
    json.loads((version / "manifest.json").read_text(encoding="utf-8"))


def test_moved_documents_folder_updates_source_paths(tmp_path, fake_embedder):
    """Moving the folder re-uses everything but citations point to the new place."""
    first = tmp_path / "first"
    first.mkdir()
    (first / "notat.txt").write_text("Kommunen styrker informationssikkerheden.\n", encoding="utf-8")
    bot = make_assistant(tmp_path, fake_embedder)
    bot.index(first, show_progress=False)
    moved = tmp_path / "moved"
    first.rename(moved)
    fake_embedder.embedded.clear()
    report = bot.index(moved, show_progress=False)
    assert report.written and fake_embedder.embedded == []
    doc = read_index(bot.settings.index_dir).documents["notat.txt"]
    assert doc.source_path == str((moved / "notat.txt").resolve())


def test_index_from_an_older_release_is_rebuilt_by_the_indexer(tmp_path, topics_bot):
    manifest = tmp_path / "index" / live(tmp_path) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["format_version"] = FORMAT_VERSION - 1
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexVersionMismatch):
        fresh(tmp_path).ask("affald")

    report = index(fresh(tmp_path))
    assert report.written and sorted(report.added) == ["affald.txt", "skole.txt", "trafikplan.txt"]
    assert read_index(tmp_path / "index").manifest["format_version"] == FORMAT_VERSION
