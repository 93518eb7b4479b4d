"""Start the real app (``python app.py``) on a free loopback port for a test."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(docs: Path, index_dir: Path, log: Path, timeout: float = 240, **env):
    """The app serving ``docs`` with its index in ``index_dir``; yields its URL.

    Extra ``env`` entries become ``ASSISTANT_<NAME>`` variables.  The app's
    output goes to ``log`` and is shown when it fails to start.
    """
    port = free_port()
    environ = {**os.environ, "PYTHONPATH": str(REPO), "ASSISTANT_PORT": str(port),
               "ASSISTANT_DOCS_DIR": str(docs), "ASSISTANT_INDEX_DIR": str(index_dir),
               **{f"ASSISTANT_{k.upper()}": str(v) for k, v in env.items()}}
    url = f"http://127.0.0.1:{port}/"
    with open(log, "w+") as out:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=environ, stdout=out,
                                stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.time() + timeout
            while True:
                if proc.poll() is not None:
                    out.seek(0)
                    pytest.fail("the app exited early:\n" + out.read())
                try:
                    urllib.request.urlopen(url, timeout=2)
                    break
                except OSError:
                    if time.time() > deadline:
                        pytest.fail(f"the app did not answer within {timeout:.0f} s")
                    time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)
