"""Retrieval evaluation on a question file (the ``questions.jsonl`` format).

A passage is a hit when it lies in the evidence's document and covers at least
half of the evidence text (by character offsets), so a chunk boundary that
cuts the evidence in two still credits the chunk holding most of it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .api import Assistant
from .search import Mode


@dataclass(frozen=True)
class Evidence:
    doc_id: str
    start: int
    end: int


def load_questions(path: Path | str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def locate_evidence(bot: Assistant, question: dict) -> list[Evidence]:
    """Offsets of each evidence passage in the indexed documents.

    Raises ValueError when an evidence text is not found: a question set whose
    evidence does not match the documents would give meaningless figures.
    """
    docs = bot.stored_index.documents.values()
    found = []
    for ev in question.get("evidence", []):
        pattern = r"\s+".join(map(re.escape, ev["text"].split()))
        hits = [(d.doc_id, m) for d in docs if Path(d.doc_id).name == ev["doc"]
                for m in [re.search(pattern, d.text)] if m]
        if not hits:
            raise ValueError(f"{question['id']}: evidence not found in {ev['doc']}: {ev['text']!r}")
        found.extend(Evidence(doc_id, m.start(), m.end()) for doc_id, m in hits)
    return found


def is_hit(passage, evidence: list[Evidence]) -> bool:
    c = passage.chunk
    for ev in evidence:
        overlap = min(c.end, ev.end) - max(c.start, ev.start)
        if c.doc_id == ev.doc_id and overlap * 2 >= ev.end - ev.start:
            return True
    return False


def first_hit_rank(bot: Assistant, question: dict, mode: Mode, k: int = 10) -> int | None:
    evidence = locate_evidence(bot, question)
    for p in bot.search(question["question"], k, mode=mode):
        if is_hit(p, evidence):
            return p.rank
    return None


def _metrics(ranks: list[int | None]) -> dict:
    n = len(ranks) or 1
    return {
        "n": len(ranks),
        "recall@1": sum(r is not None and r <= 1 for r in ranks) / n,
        "recall@5": sum(r is not None and r <= 5 for r in ranks) / n,
        "recall@10": sum(r is not None and r <= 10 for r in ranks) / n,
        "mrr@10": sum(1 / r for r in ranks if r is not None and r <= 10) / n,
    }


def evaluate(bot: Assistant, questions: list[dict],
             modes: tuple[Mode, ...] = ("hybrid", "dense", "bm25")) -> dict:
    """Figures per retrieval mode, overall and per language, and no-source handling."""
    answerable = [q for q in questions if q.get("evidence")]
    unanswerable = [q for q in questions if q.get("expect") == "no_source_for_municipality"]
    result: dict = {"modes": {}, "misses": {}}
    for mode in modes:
        ranks = {q["id"]: first_hit_rank(bot, q, mode) for q in answerable}
        figures = {"all": _metrics(list(ranks.values()))}
        for lang in sorted({q["lang"] for q in answerable}):
            figures[lang] = _metrics([ranks[q["id"]] for q in answerable if q["lang"] == lang])
        result["modes"][mode] = figures
        result["misses"][mode] = sorted(qid for qid, r in ranks.items() if r is None or r > 5)
    handled = 0
    for q in unanswerable:
        answer = bot.ask(q["question"])
        handled += bool(answer.no_source_for) and not answer.passages
    result["no_source"] = {"n": len(unanswerable), "handled": handled}
    return result
