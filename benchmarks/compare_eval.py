"""How well a comparison tells who speaks on a topic from who is silent.

Every answerable question of the question sets that names no municipality
is asked as a comparison of all organisations with documents.  The
organisation whose document holds the evidence should be kept (and quote
it); the others count as *kept without evidence*: not always wrong (two
organisations may both speak on a topic) but the padding a threshold exists
to stop.  Printed for the relative gap at several values, with and without
the topic check (an organisation whose documents use none of the topic's
words is silent).

    python benchmarks/compare_eval.py [--index DIR] [--docs DIR]

The index is built from ``--docs`` (default: the shipped documents) when
``--index`` does not hold one yet.  Writes its table to RESULTS.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant import Assistant  # noqa: E402
from assistant.compare import DIRECT_GAP, GAP, compare  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.evaluation import is_hit, load_questions, locate_evidence  # noqa: E402
from assistant.kinds import part_asked  # noqa: E402
from assistant.query import analyse  # noqa: E402
from _results import write_section  # noqa: E402

QUESTION_SETS = [REPO.parent / "shared" / "eval" / "questions.jsonl",
                 REPO / "benchmarks" / "questions_own.jsonl"]
GAPS = (0.01, 0.02, 0.03, 0.04)


def measure(bot: Assistant, questions: list[dict], gap: float, topic_check: bool,
            direct: bool) -> dict:
    retriever = bot.retriever()
    index = retriever.index
    organisations = retriever.organisations()
    held = kept = quoted = padded = others = 0
    for q in questions:
        evidence = locate_evidence(bot, q)
        holders = {index.documents[ev.doc_id].meta.organisation for ev in evidence}
        lang = analyse(q["question"]).language
        findings = compare(retriever, q["question"], bot.embed_query(q["question"], lang),
                           organisations, gap=gap, floor=bot.embedder.relevance_floor,
                           lang=lang, terms=retriever.keyword_tokens(q["question"], lang)
                           if topic_check else None,
                           direct_gap=DIRECT_GAP if direct else -1.0,
                           part=part_asked(q["question"]))
        for f in findings:
            if f.organisation in holders:
                held += 1
                kept += not f.silent
                quoted += any(is_hit(p.chunk, evidence) for p in f.passages)
            else:
                others += 1
                padded += not f.silent
    return {"held": held, "kept": kept, "quoted": quoted, "others": others, "padded": padded}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", default="/tmp/assistant-compare-eval")
    ap.add_argument("--docs", default=str(REPO / "documents"))
    args = ap.parse_args()
    bot = Assistant(Settings.from_env(index_dir=args.index, docs_dir=args.docs))
    bot.index(show_progress=False)
    questions = [q for path in QUESTION_SETS for q in load_questions(path)
                 if q.get("evidence") and not analyse(q["question"]).municipalities]
    rows = ["| gap | topic check | direct statements | evidence holder kept | "
            "quotes the evidence | others kept (padding) |", "| --- | --- | --- | --- | --- | --- |"]
    for topic_check, direct in ((False, False), (True, False), (True, True)):
        for gap in GAPS:
            m = measure(bot, questions, gap, topic_check, direct)
            line = (f"| {gap:.2f}{' (default)' if gap == GAP and direct else ''} | "
                    f"{'yes' if topic_check else 'no'} | "
                    f"{f'within {DIRECT_GAP:.2f}' if direct else 'no'} | {m['kept']}/{m['held']} "
                    f"({m['kept'] / m['held']:.0%}) | {m['quoted']}/{m['held']} | "
                    f"{m['padded']}/{m['others']} ({m['padded'] / m['others']:.0%}) |")
            rows.append(line)
            print(line, flush=True)
    text = (f"### Comparisons: who speaks, who is silent\n\n{len(questions)} answerable "
            f"questions naming no municipality (dev + own sets), each asked as a comparison of "
            f"all organisations with documents (`benchmarks/compare_eval.py`). A direct "
            f"statement (one holding the question's rarest topic word and taking a stance) "
            f"speaks within the wider gap.\n\n"
            + "\n".join(rows))
    write_section("compare", text)


if __name__ == "__main__":
    main()
