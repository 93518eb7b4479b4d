"""A part of a document asked for at scale: where its time goes.

"Hvad er indstillingen?" asks for a part of a document (its recommendation;
``assistant/kinds.py``), which the search also looks for among the chunks
holding one.  Over the SYNTHETIC 100k corpus that ``scale.py`` builds and
caches, this script times, in one run on the same index:

* the baseline: reading every chunk's statements for the part (what the app
  did first, once per part and index version);
* the app's way (``retrieval.part_rows``): every chunk searched only when
  they are few, else the question's best candidates;

then whole questions through ``Assistant.ask``, against a question asking for
no part.

    python benchmarks/scale.py --sizes 100000 --no-app   # builds the corpus once
    python benchmarks/part_speed.py [--work DIR] [--size 100000]
"""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PLAIN = "Hvad står der om data?"      # no part asked for, no organisation: the baseline
PARTS = ["Hvad er indstillingen?", "Hvad koster strategien?", "Hvem står bag strategien?",
         "Hvad er indstillingen i Aalborg?"]


def main() -> None:
    from _results import median_ms as _ms, synthetic_index_args

    args, index_dir = synthetic_index_args(__doc__.split("\n\n")[0], repeat=3)

    from assistant import Assistant, Settings
    from assistant.kinds import part_asked, rows_holding
    from assistant.retrieval import part_rows

    bot = Assistant(Settings(index_dir=index_dir))
    retriever = bot.retriever()
    bot.ask(PLAIN)   # warm: FAISS, BM25, lexicon
    rows = []
    for question in PARTS[:3]:   # no filter: the whole index is searched
        part = part_asked(question)
        vec = bot.embed_query(question)
        whole = _ms(lambda: rows_holding(retriever.index, part), 1)
        app = _ms(lambda: part_rows(retriever, part, None, question, vec, "da"), args.repeat)
        rows.append([question, round(whole), round(app), round(whole / app, 1)])
    plain = _ms(lambda: bot.ask(PLAIN), args.repeat)
    asks = [[q, round(ms := _ms(lambda q=q: bot.ask(q), args.repeat)), round(ms / plain, 2)]
            for q in PARTS]

    from _results import table, write_section

    md = (f"SYNTHETIC {args.size // 1000}k chunks, median ms:\n\n"
          + table(["part asked for, no filter", "read every chunk (baseline)",
                   "app: best candidates", "speed-up"], rows)
          + f"\n\nWhole questions (`Assistant.ask`), against \"{PLAIN}\" ({round(plain)} ms), "
            "asking for no part:\n\n"
          + table(["question", "ms", "x plain question"], asks) + "\n")
    print(md)
    if not args.no_write:
        write_section("part-speed", "## A part of a document asked for\n\n" + md)


if __name__ == "__main__":
    main()
