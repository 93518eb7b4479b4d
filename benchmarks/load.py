"""Load test: N simulated users asking questions of the running app, over loopback.

    python benchmarks/load.py                       # starts the app on a free port
    python benchmarks/load.py --users 1,5,20,50 --duration 20
    python benchmarks/load.py --url http://127.0.0.1:7860/

Each user is a thread that asks a question through the app's public API
(``POST /gradio_api/call/ask``, then the answer's event stream), waits for
the answer, and asks the next one, for ``--duration`` seconds.  Per level of
users: answers per second, latency percentiles of the answers, errors (an
error event, a failed request or a time-out) and "busy" refusals (HTTP 503:
gradio's queue, ``max_size=64`` in ``assistant/ui.py``, is full).

A final burst sends ``--burst`` questions at the same instant, more than the
queue holds, to show what a client gets past capacity.  Only loopback
addresses are accepted; the counts and times are bounded (at most 200 users,
300 s per level).  Results go to benchmarks/RESULTS.md, section "load".
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import table, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = [json.loads(line)["question"] for line in
             (REPO / "benchmarks" / "questions_own.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
TIMEOUT = 60.0          # one question, end to end
MAX_USERS, MAX_DURATION = 200, 300.0
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


_EXTRA_INPUTS: list = []    # the endpoint's other inputs (filters), empty


def api_inputs(base: str) -> None:
    """Read /ask's inputs from the app (the question, then filters left empty)."""
    with urllib.request.urlopen(base + "gradio_api/info", timeout=30) as resp:
        params = json.load(resp)["named_endpoints"]["/ask"]["parameters"]
    _EXTRA_INPUTS[:] = [[] for _ in params[1:]]


def ask(base: str, question: str) -> tuple[str, float, str]:
    """One question: ("ok" | "busy" | "error", seconds, detail)."""
    began = time.perf_counter()
    body = json.dumps({"data": [question, *_EXTRA_INPUTS]}).encode()
    request = urllib.request.Request(base + "gradio_api/call/ask", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as resp:
            event_id = json.load(resp)["event_id"]
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:200]
        kind = "busy" if exc.code == 503 else "error"
        return kind, time.perf_counter() - began, f"HTTP {exc.code}: {detail}"
    except (OSError, ValueError, KeyError) as exc:
        return "error", time.perf_counter() - began, repr(exc)[:200]
    try:
        left = TIMEOUT - (time.perf_counter() - began)
        with urllib.request.urlopen(f"{base}gradio_api/call/ask/{event_id}",
                                    timeout=max(left, 1.0)) as resp:
            event = None
            for raw in resp:
                line = raw.decode("utf-8", "replace").strip()
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    data = json.loads(line[5:])
                    elapsed = time.perf_counter() - began
                    if event == "complete" and data and "passages" in data[0]:
                        return "ok", elapsed, ""
                    return "error", elapsed, f"{event}: {str(data)[:200]}"
        return "error", time.perf_counter() - began, "stream ended without an answer"
    except (OSError, ValueError) as exc:
        return "error", time.perf_counter() - began, repr(exc)[:200]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def level(base: str, users: int, duration: float) -> dict:
    results: list[tuple[str, float, str]] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def user(n: int):
        i = n
        while time.perf_counter() < stop_at:
            outcome = ask(base, QUESTIONS[i % len(QUESTIONS)])
            with lock:
                results.append(outcome)
            if outcome[0] == "busy":
                time.sleep(0.5)   # a person (or client) trying again after "busy"
            i += users

    began = time.perf_counter()
    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + TIMEOUT + 10)
    wall = time.perf_counter() - began
    ok = [s for kind, s, _ in results if kind == "ok"]
    errors = [d for kind, _, d in results if kind == "error"]
    busy = [d for kind, _, d in results if kind == "busy"]
    return {"users": users, "answers": len(ok), "per_s": len(ok) / wall,
            "p50": percentile(ok, 50), "p95": percentile(ok, 95), "p99": percentile(ok, 99),
            "max": max(ok) if ok else float("nan"), "errors": len(errors), "busy": len(busy),
            "examples": sorted(set(errors))[:3] + sorted(set(busy))[:1]}


def burst(base: str, n: int) -> dict:
    """``n`` questions at once: how many are queued, how many are told "busy"."""
    barrier = threading.Barrier(n)
    outcomes: list[tuple[str, float, str]] = []
    lock = threading.Lock()

    def one(i: int):
        barrier.wait()
        result = ask(base, QUESTIONS[i % len(QUESTIONS)])
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=TIMEOUT + 30)
    busy = [(s, d) for kind, s, d in outcomes if kind == "busy"]
    ok = [s for kind, s, _ in outcomes if kind == "ok"]
    return {"sent": n, "answered": len(ok), "busy": len(busy),
            "errors": sum(kind == "error" for kind, _, _ in outcomes),
            "busy_after_s": max((s for s, _ in busy), default=float("nan")),
            "slowest_answer_s": max(ok, default=float("nan")),
            "busy_reply": busy[0][1] if busy else ""}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(workdir: Path) -> tuple[subprocess.Popen, str]:
    """The app on the shipped documents, on a free loopback port; the repo's
    index is copied (when there is one) so start-up needs no embedding."""
    index_dir = workdir / "index"
    if (REPO / "index" / "CURRENT").exists():
        shutil.copytree(REPO / "index", index_dir)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_PORT=str(port), ASSISTANT_HOST="127.0.0.1",
               ASSISTANT_DOCS_DIR=str(REPO / "documents"), ASSISTANT_INDEX_DIR=str(index_dir),
               PYTHONPATH=str(REPO), GRADIO_ANALYTICS_ENABLED="False")
    log = open(workdir / "app.log", "w")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 300
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the app exited:\n" + (workdir / "app.log").read_text())
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the app did not start within 300 s")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", help="a running app (loopback only); default: start one")
    p.add_argument("--users", default="1,5,20,50", help="comma-separated user counts")
    p.add_argument("--duration", type=float, default=20.0, help="seconds per level")
    p.add_argument("--burst", type=int, default=120, help="questions sent at once (0: none)")
    p.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = p.parse_args(argv)
    users = [int(u) for u in args.users.split(",")]
    if not all(1 <= u <= MAX_USERS for u in users) or not 0 < args.duration <= MAX_DURATION \
            or not 0 <= args.burst <= 4 * MAX_USERS:
        p.error(f"users 1..{MAX_USERS}, duration up to {MAX_DURATION:.0f} s, "
                f"burst up to {4 * MAX_USERS}")
    proc, workdir = None, None
    if args.url:
        base = args.url.rstrip("/") + "/"
        if urlsplit(base).hostname not in LOOPBACK:
            p.error("only loopback addresses (127.0.0.1, localhost, ::1)")
    else:
        workdir = Path(tempfile.mkdtemp(prefix="load-"))
        proc, base = start_app(workdir)
    try:
        api_inputs(base)
        for q in QUESTIONS[:3]:            # warm-up: model loaded, caches filled
            ask(base, q)
        rows = []
        for n in users:
            r = level(base, n, args.duration)
            rows.append(r)
            print(f"{n:3d} users: {r['answers']:5d} answers, {r['per_s']:6.1f}/s, "
                  f"p50 {r['p50']:.3f} s, p95 {r['p95']:.3f} s, p99 {r['p99']:.3f} s, "
                  f"max {r['max']:.3f} s, errors {r['errors']}, busy {r['busy']}", flush=True)
            for e in r["examples"]:
                print(f"      e.g. {e}")
        b = burst(base, args.burst) if args.burst else None
        if b:
            print(f"burst of {b['sent']}: {b['answered']} answered (slowest "
                  f"{b['slowest_answer_s']:.2f} s), {b['busy']} told busy (within "
                  f"{b['busy_after_s']:.3f} s), {b['errors']} errors; busy reply: "
                  f"{b['busy_reply']}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
            shutil.rmtree(workdir, ignore_errors=True)
    if not args.no_write:
        md = (f"{args.duration:.0f} s per level; each user asks the next question as soon as "
              f"the answer arrives (questions_own.jsonl, via `POST /gradio_api/call/ask`); "
              f"queue max_size 64, concurrency 4.\n\n")
        md += table(["users", "answers", "answers/s", "p50 s", "p95 s", "p99 s", "max s",
                     "errors", "busy (503)"],
                    [[r["users"], r["answers"], r["per_s"], r["p50"], r["p95"], r["p99"],
                      r["max"], r["errors"], r["busy"]] for r in rows])
        if b:
            md += (f"\n\nBurst of {b['sent']} questions at once: {b['answered']} answered "
                   f"(slowest {b['slowest_answer_s']:.2f} s), {b['busy']} refused at once "
                   f"(within {b['busy_after_s']:.3f} s) with `{b['busy_reply']}`, "
                   f"{b['errors']} errors.")
        write_section("load", md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
