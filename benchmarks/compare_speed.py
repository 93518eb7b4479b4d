"""A comparison across every municipality at scale: where its time goes.

"Hvad siger kommunerne om sikkerhed?" searches each organisation's chunks
and statements apart (98 municipalities on the SYNTHETIC 100k corpus that
``scale.py`` builds and caches).  A filtered FAISS search takes a selector of
the rows allowed; this script times, in one run on the same index and rows:

* the baseline: a batch-of-ids selector (``IDSelectorBatch``, what the app
  used), the statements' rows found with ``np.isin``;
* the app's way (``Retriever.dense`` / ``dense_sentences``): a bitmap selector;

then whole comparison questions through ``Assistant.ask``.  Both selectors
must return the same rows (checked).

    python benchmarks/scale.py --sizes 100000 --no-app   # builds the corpus once
    python benchmarks/compare_speed.py [--work DIR] [--size 100000]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

QUESTIONS = ["Hvad siger kommunerne om sikkerhed?",
             "Which municipalities mention welfare technology?",
             "Hvad mener kommunerne om data?"]


def _batch_search(retriever, query_vec, n, rows, sentences: bool):
    """The baseline: FAISS's batch-of-ids selector."""
    import faiss

    if sentences:
        allowed = np.flatnonzero(np.isin(retriever.index.sentence_owner, rows))
        index, n = retriever._sentence_index(), min(n * 4, len(allowed))
    else:
        allowed, index = rows, retriever._dense_index()
    params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
    return index.search(query_vec.reshape(1, -1), n, params=params)[1][0]


def main() -> None:
    from _results import median_ms as _ms, synthetic_index_args

    args, index_dir = synthetic_index_args(__doc__.split("\n\n")[0], repeat=5)

    from assistant import Assistant, Settings

    bot = Assistant(Settings(index_dir=index_dir))
    retriever = bot.retriever()
    orgs = retriever.organisations()
    query_vec = bot.embed_query(QUESTIONS[0])
    pool = bot.settings.candidates
    per_org = [retriever.rows_where([o]) for o in orgs]
    for rows in per_org:   # the same rows either way
        assert [r for r, _ in retriever.dense(query_vec, pool, rows)] == \
            [int(i) for i in _batch_search(retriever, query_vec, pool, rows, False) if i >= 0]

    def every_org(search):
        return lambda: [search(rows) for rows in per_org]

    base_dense = _ms(every_org(lambda r: _batch_search(retriever, query_vec, pool, r, False)),
                     args.repeat)
    app_dense = _ms(every_org(lambda r: retriever.dense(query_vec, pool, r)), args.repeat)
    base_sent = _ms(every_org(lambda r: _batch_search(retriever, query_vec, pool, r, True)),
                    args.repeat)
    app_sent = _ms(every_org(lambda r: retriever.dense_sentences(query_vec, pool, r)), args.repeat)
    for q in QUESTIONS:
        bot.ask(q)   # warm: lexicon, theme tags
    asks = [(q, _ms(lambda q=q: bot.ask(q), args.repeat)) for q in QUESTIONS]

    from _results import table, write_section

    rows = [["dense search, one per organisation", round(base_dense, 1), round(app_dense, 1),
             round(base_dense / app_dense, 2)],
            ["statement search, one per organisation", round(base_sent, 1), round(app_sent, 1),
             round(base_sent / app_sent, 2)]]
    md = (f"SYNTHETIC {args.size // 1000}k chunks, {len(orgs)} organisations, median of "
          f"{args.repeat} runs, ms for all organisations together:\n\n"
          + table(["stage", "batch-of-ids selector (baseline)", "bitmap selector (app)",
                   "speed-up"], rows)
          + "\n\nWhole comparison questions (`Assistant.ask`), median ms:\n\n"
          + table(["question", "ms"], [[q, round(ms)] for q, ms in asks]) + "\n")
    print(md)
    if not args.no_write:
        write_section("compare-speed", "## A comparison across all organisations\n\n" + md)


if __name__ == "__main__":
    main()
