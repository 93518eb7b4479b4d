"""Write one benchmark's Markdown section into benchmarks/RESULTS.md.

Each script owns a section between ``<!-- name -->`` and ``<!-- /name -->``
markers and replaces only that, so the scripts can run in any order and
RESULTS.md always holds the latest run of each.
"""
from __future__ import annotations

import argparse
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = ("# Benchmark results\n\nProduced by the scripts in `benchmarks/` (each replaces its "
          "own section). Ratios are against a baseline measured in the same run.\n")


def machine() -> str:
    import os
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def write_section(name: str, markdown: str, path: Path = RESULTS) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    body = f"<!-- {name} -->\n{markdown.rstrip()}\n\n_Run {stamp} on {machine()}._\n<!-- /{name} -->"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(rf"<!-- {re.escape(name)} -->.*?<!-- /{re.escape(name)} -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: body, text)
    else:
        text = text.rstrip() + "\n\n" + body + "\n"
    path.write_text(text, encoding="utf-8")


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table; floats printed with 3 significant decimals."""
    def cell(v):
        return f"{v:.3g}" if isinstance(v, float) else str(v)
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def median_ms(fn, repeat: int) -> float:
    """The median wall time of ``repeat`` calls of ``fn``, in ms."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def synthetic_index_args(description: str, repeat: int) -> tuple[argparse.Namespace, Path]:
    """The options of a script timing the SYNTHETIC corpus ``scale.py`` builds
    and caches, and that corpus's index folder (exits when it is missing)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "assistant-scale")
    ap.add_argument("--size", type=int, default=100000)
    ap.add_argument("--repeat", type=int, default=repeat)
    ap.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = ap.parse_args()
    index_dir = args.work / f"synthetic-{args.size}" / "index"
    if not index_dir.exists():
        sys.exit(f"{index_dir} is missing: run benchmarks/scale.py --sizes {args.size} first")
    return args, index_dir
