"""Retrieval evaluation on a question file (the ``questions.jsonl`` format).

A passage is a hit when it lies in the evidence's document and covers at least
half of the evidence text (by character offsets), so a chunk boundary that
cuts the evidence in two still credits the chunk holding most of it.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .api import Assistant
from .errors import QuestionSetError
from .gazetteer import find_mentions
from .models import Chunk
from .search import Mode


@dataclass(frozen=True)
class Evidence:
    doc_id: str
    start: int
    end: int


_REQUIRED = ("id", "question", "lang")


def load_questions(path: Path | str) -> list[dict]:
    """One question per line, as in ``questions.jsonl``; any fault names the line."""
    try:
        with open(path, encoding="utf-8") as fh:
            lines = list(fh)
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionSetError(f"{path}: cannot be read ({exc}). Give a JSON-lines file "
                               f"with one question per line.") from exc
    questions = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionSetError(f"{path}, line {number}: not valid JSON ({exc.msg}).") from exc
        missing = [f for f in _REQUIRED if not isinstance(q, dict) or f not in q]
        if missing:
            raise QuestionSetError(f"{path}, line {number}: the question lacks "
                                   f"{', '.join(missing)} (each line needs {', '.join(_REQUIRED)}).")
        questions.append(q)
    return questions


def locate_evidence(bot: Assistant, question: dict) -> list[Evidence]:
    """Offsets of each evidence passage in the indexed documents.

    Raises QuestionSetError when an evidence text is not found: a question set
    whose evidence does not match the documents would give meaningless figures.
    """
    docs = bot.stored_index.documents.values()
    found = []
    for ev in question.get("evidence", []):
        pattern = r"\s+".join(map(re.escape, ev["text"].split()))
        hits = [(d.doc_id, m) for d in docs if Path(d.doc_id).name == ev["doc"]
                for m in [re.search(pattern, d.text)] if m]
        if not hits:
            raise QuestionSetError(
                f"question {question['id']}: evidence not found in {ev['doc']}: {ev['text']!r}. "
                f"Index the folder holding that document (--docs DIR) or correct the evidence "
                f"text to match the document word for word.")
        found.extend(Evidence(doc_id, m.start(), m.end()) for doc_id, m in hits)
    return found


def is_hit(c: Chunk, evidence: list[Evidence]) -> bool:
    for ev in evidence:
        overlap = min(c.end, ev.end) - max(c.start, ev.start)
        if c.doc_id == ev.doc_id and overlap * 2 >= ev.end - ev.start:
            return True
    return False


# What the eval command compares, on one index: the default and each setting tried.
_RRF = {"fusion": "rrf", "sentence_weight": 0.5, "bm25_weight": 1.0}   # issue-3 default
VARIANTS: dict[str, tuple[Mode, dict]] = {
    "hybrid": ("hybrid", {}),
    "dense": ("dense", {}),
    "bm25": ("bm25", {}),
    "hybrid, no statement vectors": ("hybrid", {"sentence_weight": 0.0}),
    "hybrid, no glossary": ("hybrid", {"query_glossary": False}),
    "hybrid, no compound heads": ("hybrid", {"compound_heads": False}),
    "hybrid, statements 0.5": ("hybrid", {"sentence_weight": 0.5}),
    "hybrid, statements 1.0": ("hybrid", {"sentence_weight": 1.0}),
    "hybrid, bm25 0.5": ("hybrid", {"bm25_weight": 0.5}),
    "hybrid, bm25 1.0": ("hybrid", {"bm25_weight": 1.0}),
    "rrf (issue-3 default: 1 / 0.5 / 1, k=20)": ("hybrid", _RRF),
    "rrf, no statement vectors": ("hybrid", {**_RRF, "sentence_weight": 0.0}),
    "rrf, statements 1.0": ("hybrid", {**_RRF, "sentence_weight": 1.0}),
    "rrf, bm25 0.5": ("hybrid", {**_RRF, "bm25_weight": 0.5}),
    "rrf, k=5": ("hybrid", {**_RRF, "rrf_k": 5}),
    "rrf, k=60": ("hybrid", {**_RRF, "rrf_k": 60}),
    "rrf, bm25 scaled by coverage": ("hybrid", {**_RRF, "bm25_coverage": True}),
    "chunk+bm25 equal, no glossary": ("hybrid", {
        "fusion": "rrf", "sentence_weight": 0.0, "bm25_weight": 1.0, "query_glossary": False,
        "rrf_k": 60}),
    "issue-2 default (bm25 0.5 x coverage)": ("hybrid", {
        "fusion": "rrf", "sentence_weight": 0.0, "query_glossary": False, "bm25_weight": 0.5,
        "bm25_coverage": True, "rrf_k": 60}),
}


def ranked_hits(bot: Assistant, question: dict, mode: Mode, k: int = 10) -> tuple[list[bool], int]:
    """Hit flags of the top ``k`` passages and how many chunks in the index are hits."""
    evidence = locate_evidence(bot, question)
    flags = [is_hit(p.chunk, evidence) for p in bot.search(question["question"], k, mode=mode)]
    relevant = sum(is_hit(c, evidence) for c in bot.stored_index.chunks)
    return flags, relevant


def _metrics(results: list[tuple[list[bool], int]]) -> dict:
    n = len(results) or 1
    first = [next((i + 1 for i, hit in enumerate(flags) if hit), None) for flags, _ in results]
    ndcg = 0.0
    for flags, relevant in results:
        dcg = sum(1 / math.log2(i + 2) for i, hit in enumerate(flags[:10]) if hit)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(relevant, 10)))
        ndcg += dcg / ideal if ideal else 0.0
    return {
        "n": len(results),
        "recall@1": sum(r is not None and r <= 1 for r in first) / n,
        "recall@5": sum(r is not None and r <= 5 for r in first) / n,
        "recall@10": sum(r is not None and r <= 10 for r in first) / n,
        "mrr@10": sum(1 / r for r in first if r is not None and r <= 10) / n,
        "ndcg@10": ndcg / n,
    }


def evaluate(bot: Assistant, questions: list[dict],
             variants: dict[str, tuple[Mode, dict]] | None = None) -> dict:
    """Figures per variant, overall and per language, and no-source handling.

    Every variant searches the same index with the same embedder; only the
    retrieval settings differ.
    """
    variants = variants or {k: VARIANTS[k] for k in ("hybrid", "dense", "bm25")}
    answerable = [q for q in questions if q.get("evidence")]
    unanswerable = [q for q in questions if q.get("expect") == "no_source_for_municipality"]
    result: dict = {"modes": {}, "misses": {}, "ranks": {}}
    for name, (mode, overrides) in variants.items():
        runner = Assistant(bot.settings.with_(**overrides), embedder=bot.embedder) \
            if overrides else bot
        per_q = {q["id"]: ranked_hits(runner, q, mode) for q in answerable}
        figures = {"all": _metrics(list(per_q.values()))}
        for lang in sorted({q["lang"] for q in answerable}):
            figures[lang] = _metrics([per_q[q["id"]] for q in answerable if q["lang"] == lang])
        result["modes"][name] = figures
        result["misses"][name] = sorted(qid for qid, (flags, _) in per_q.items()
                                        if not any(flags[:5]))
        # rank of each question's first relevant passage (None: not in the top 10)
        result["ranks"][name] = {qid: next((i + 1 for i, hit in enumerate(flags) if hit), None)
                                 for qid, (flags, _) in per_q.items()}
    handled = sum(_no_source_handled(bot.ask(q["question"])) for q in unanswerable)
    result["no_source"] = {"n": len(unanswerable), "handled": handled}
    # Questions the documents hold nothing on ("expect": "no_answer") must not
    # get a quoted answer; answerable ones must.
    off_topic = [q for q in questions if q.get("expect") == "no_answer"]
    answers = {q["id"]: bot.ask(q["question"]) for q in answerable}
    result["no_answer"] = {
        "n": len(off_topic), "declined": sum(_declined(bot.ask(q["question"])) for q in off_topic),
        "answerable_declined": sorted(qid for qid, a in answers.items() if _declined(a))}
    # What a reader sees first: does the answer quote the evidence?
    quoting = {q["id"]: _quotes_evidence(answers[q["id"]], locate_evidence(bot, q))
               for q in answerable}
    result["answer_quotes_evidence"] = {
        lang: {"n": len(ids), "hits": sum(quoting[i] for i in ids)}
        for lang, ids in _by_language(answerable).items()}
    result["answer_misses"] = sorted(qid for qid, hit in quoting.items() if not hit)
    return result


def _by_language(questions: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"all": [q["id"] for q in questions]}
    for q in questions:
        out.setdefault(q["lang"], []).append(q["id"])
    return out


def _quotes_evidence(answer, evidence: list[Evidence]) -> bool:
    """Whether a sentence quoted in the answer text overlaps an evidence passage
    (quoted sentences are the highlights of the passages the text cites)."""
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    return any(ev.doc_id == p.chunk.doc_id and s < ev.end and ev.start < e
               for p in answer.passages if p.rank in cited
               for s, e in p.highlights for ev in evidence)


def _no_source_handled(answer) -> bool:
    """"No documents from X" is said, and no passage is shown unless it names
    X (KL's letter on the meetings in Vejle, for "Hvornår er mødet i Vejle?")."""
    if not answer.no_source_for:
        return False
    return all(any(m.municipality.official in answer.no_source_for
                   for m in find_mentions(p.chunk.text)) for p in answer.passages)


def _declined(answer) -> bool:
    """Nothing quoted as the answer: no passages, or only the closest ones."""
    return not answer.passages or bool(answer.not_in_documents)
