"""The evaluation question files are well-formed and match the shipped documents.

Checked for the shared dev set (``../shared/eval/questions.jsonl``, skipped when
shared/ is not beside the repository) and the project's own set
(``benchmarks/questions_own.jsonl``).  Fast: the documents are only loaded as
text, nothing is embedded or indexed.
"""
from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest

from assistant.gazetteer import find_mentions, lookup
from assistant.loaders import discover, load_file
from assistant.metadata import load_metadata
from conftest import OWN_QUESTIONS, PARALLEL_QUESTIONS

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "documents"
QUESTION_FILES = {
    "shared": REPO.parent / "shared" / "eval" / "questions.jsonl",
    "own": OWN_QUESTIONS,
    "parallel": PARALLEL_QUESTIONS,
}
REQUIRED = {"id", "question", "lang", "evidence", "municipality"}


def _existing(name: str) -> Path:
    path = QUESTION_FILES[name]
    if not path.is_file():
        if name == "shared":
            pytest.skip(f"shared question set not present: {path}")
        pytest.fail(f"question file missing: {path}")
    return path


def _lines(path: Path) -> list[tuple[int, str]]:
    return [(n, line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if line.strip()]


def _questions(name: str) -> list[dict]:
    return [json.loads(line) for _, line in _lines(_existing(name))]


@lru_cache(maxsize=1)
def _documents() -> dict[str, str]:
    """File name -> extracted text, exactly as the indexer sees it."""
    files, _ = discover(DOCS)
    return {p.name: load_file(p).text for p in files}


@lru_cache(maxsize=1)
def _organisations() -> frozenset[str]:
    """Municipalities (gazetteer names) that publish at least one shipped document."""
    names = set()
    for p in discover(DOCS)[0]:
        org = load_metadata(p, load_file(p)).organisation
        m = lookup(org) if org else None
        if m:
            names.add(m.name)
    return frozenset(names)


def _norm(question: str) -> str:
    return " ".join(unicodedata.normalize("NFC", question).casefold().split())


NAMES = list(QUESTION_FILES)


@pytest.mark.parametrize("name", NAMES)
def test_every_line_is_a_json_object_with_the_fields(name):
    for n, line in _lines(_existing(name)):
        q = json.loads(line)  # raises with the position on malformed JSON
        assert isinstance(q, dict), f"line {n} is not an object"
        assert REQUIRED <= q.keys(), f"line {n}: missing {REQUIRED - q.keys()}"
        assert isinstance(q["question"], str) and q["question"].strip(), f"line {n}"
        assert isinstance(q["evidence"], list), f"line {n}"
        assert q["municipality"] is None or isinstance(q["municipality"], str), f"line {n}"


@pytest.mark.parametrize("name", NAMES)
def test_languages_are_danish_or_english(name):
    qs = _questions(name)
    assert {q["lang"] for q in qs} <= {"da", "en"}


@pytest.mark.parametrize("name", NAMES)
def test_no_duplicate_ids_or_questions(name):
    qs = _questions(name)
    ids = [q["id"] for q in qs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    texts = [_norm(q["question"]) for q in qs]
    assert len(texts) == len(set(texts)), "duplicate questions"


def test_the_two_sets_share_no_question_or_id():
    if not QUESTION_FILES["shared"].is_file():
        pytest.skip("shared question set not present")
    shared, own = _questions("shared"), _questions("own")
    assert not {q["id"] for q in shared} & {q["id"] for q in own}
    assert not {_norm(q["question"]) for q in shared} & {_norm(q["question"]) for q in own}


def test_parallel_set_translates_every_shared_question_into_the_other_language():
    """Same information need, same evidence, other language: the language gap
    measured on matched pairs rather than on two different sets of questions."""
    if not QUESTION_FILES["shared"].is_file():
        pytest.skip("shared question set not present")
    shared = {q["id"]: q for q in _questions("shared")}
    parallel = {q["id"].removesuffix("-tr"): q for q in _questions("parallel")}
    assert parallel.keys() == shared.keys()
    for qid, q in parallel.items():
        original = shared[qid]
        assert q["id"] == f"{qid}-tr"
        assert {q["lang"], original["lang"]} == {"da", "en"}, qid
        assert q["evidence"] == original["evidence"] and q.get("expect") == original.get("expect")
        assert q["municipality"] == original["municipality"], qid


@pytest.mark.parametrize("name", NAMES)
def test_evidence_is_exact_text_of_the_named_document(name):
    docs = _documents()
    for q in _questions(name):
        for ev in q["evidence"]:
            assert set(ev) == {"doc", "text"}, q["id"]
            assert ev["doc"] in docs, f"{q['id']}: no document {ev['doc']}"
            assert ev["text"].strip() == ev["text"] and ev["text"], q["id"]
            count = docs[ev["doc"]].count(ev["text"])
            assert count >= 1, f"{q['id']}: evidence not in {ev['doc']}: {ev['text']!r}"


def test_own_evidence_occurs_exactly_once():
    """The project's own set points at one place per passage, not a phrase that
    repeats (a repeated phrase would credit unrelated passages)."""
    docs = _documents()
    for q in _questions("own"):
        for ev in q["evidence"]:
            assert docs[ev["doc"]].count(ev["text"]) == 1, f"{q['id']}: {ev['text']!r}"


@pytest.mark.parametrize("name", NAMES)
def test_answerable_and_no_source_questions_are_told_apart(name):
    for q in _questions(name):
        if q.get("expect") is not None:
            assert q["expect"] == "no_source_for_municipality", q["id"]
            assert q["evidence"] == [], f"{q['id']}: a no-source question has no evidence"
        else:
            assert q["evidence"], f"{q['id']}: an answerable question needs evidence"


@pytest.mark.parametrize("name", NAMES)
def test_no_source_questions_name_a_municipality_without_documents(name):
    with_docs = _organisations()
    assert "Aalborg" in with_docs and "Slagelse" in with_docs  # the check itself works
    for q in [q for q in _questions(name) if q.get("expect") == "no_source_for_municipality"]:
        m = lookup(q["municipality"] or "")
        assert m is not None, f"{q['id']}: {q['municipality']!r} is not a municipality"
        assert m.name not in with_docs, f"{q['id']}: {m.name} has documents"
        named = {x.municipality.name for x in find_mentions(q["question"])}
        assert m.name in named, f"{q['id']}: the question does not name {m.name}"


@pytest.mark.parametrize("name", NAMES)
def test_municipality_field_names_a_real_municipality(name):
    for q in _questions(name):
        if q["municipality"] is not None:
            assert lookup(q["municipality"]) is not None, f"{q['id']}: {q['municipality']!r}"


def test_own_set_is_balanced_and_covers_every_document():
    qs = _questions("own")
    langs = [q["lang"] for q in qs]
    assert abs(langs.count("da") - langs.count("en")) <= len(qs) // 5
    covered = {ev["doc"] for q in qs for ev in q["evidence"]}
    assert covered == set(_documents())
    assert sum(q.get("expect") == "no_source_for_municipality" for q in qs) >= 3
