"""Read each document in a worker process, with a time and a memory limit.

A shared drive holds files no parser was written for: a PDF whose stream
unpacks to gigabytes, a page tree that loops, a zip bomb named ``.docx``.  The
cheap defences live in :mod:`assistant.loaders` and its format readers (size,
page and unpacked size caps, checked before parsing).  What only a separate
process can give is here: a wall-clock limit (``parse_timeout_s``; a worker
that overruns is killed and replaced) and a memory limit (``parse_memory_mb``,
through ``RLIMIT_AS`` in the worker, on Linux; elsewhere the limit is skipped
and the time limit still holds).  A worker that dies (a crash in a C library,
the system's out-of-memory killer) costs only that one file.

Small plain-text files (``.txt``/``.md`` up to 1 MB) are the exception: they
are read in the calling process, where the same limits on size apply and
nothing else can go wrong (see ``IN_PROCESS_MAX_BYTES``).

One worker is started on first use and reused for every file (starting one
costs ~0.5 s: a fresh interpreter importing pypdf, python-docx and bs4), so a
parse costs a pipe round trip more than in-process (measured: ~0.3 ms per small
file).  ``spawn`` is used on every OS: no forking of a process that may run
threads (the web app does), and nothing is left behind once
:meth:`IsolatedLoader.close` has run (a forkserver would outlive it).  As with
any ``spawn``, a script that indexes must guard its top level with
``if __name__ == "__main__":`` (app.py and the CLI do).

Use :class:`IsolatedLoader` as a context manager for many files, or
:func:`load_isolated` for one.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from pathlib import Path
from typing import Optional

from . import errors
from .config import Settings
from .errors import DocumentError, ParseCrashed, ParseTimeout, ParseTooLarge
from .loaders import Limits, load_file
from .models import ExtractedText

log = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("spawn")
_START_TIMEOUT_S = 120.0   # a fresh interpreter importing the parsers; slow disks, busy CI
_ALARM_SLACK_S = 10        # the worker's own alarm: only if the parent is gone
_MB = 1024 * 1024
# Plain text and markdown up to this size are read in the calling process: their
# reading is a decode and a few linear regex passes over at most 1 MB, so it cannot
# hang or take much memory, and a worker would only add its ~0.5-1 s start-up
# (most folders, and most test runs, hold nothing else).  Everything else, and
# larger text files, go to the worker.
IN_PROCESS_SUFFIXES = frozenset({".txt", ".md"})
IN_PROCESS_MAX_BYTES = 1 * _MB


# --- the worker process ---------------------------------------------------------------

def _address_space() -> Optional[int]:
    """This process's virtual size in bytes (Linux), or None where unknown."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _limit_memory(memory_mb: int) -> bool:
    """Cap the worker's address space at what it uses now plus ``memory_mb``.

    Relative, because the baseline (an interpreter with numpy and the parsers
    imported, ~190 MB virtual here) varies by machine.  Only where the current
    size can be read (Linux): macOS ignores or refuses RLIMIT_AS, Windows has
    no ``resource`` module.  Returns whether a limit is in force.
    """
    base = _address_space()
    try:
        import resource
    except ImportError:
        return False
    if base is None:
        return False
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = base + memory_mb * _MB
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        return True
    except (ValueError, OSError):
        return False


def _serve(conn, memory_mb: int, timeout_s: float) -> None:
    """Worker loop: receive ``(path, limits)``, reply with the result.

    Replies: ``("ok", ExtractedText)``, ``("error", class name, reason)`` for a
    DocumentError, ``("memory",)`` after a MemoryError (the worker then exits,
    so the next file gets a fresh one), ``("bug", detail)`` for anything else.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    import bs4  # noqa: F401 - imported before the memory limit, and once
    import docx  # noqa: F401
    import pypdf  # noqa: F401

    limited = _limit_memory(memory_mb)
    conn.send(("ready", os.getpid(), limited))
    alarm = getattr(signal, "alarm", None)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):   # the parent has gone
            return
        if request is None:
            return
        path, limits = request
        if alarm is not None:
            # The parent kills an overrunning worker; should the parent itself
            # die, SIGALRM's default action ends this process all the same.
            alarm(int(timeout_s) + _ALARM_SLACK_S)
        try:
            reply: tuple = ("ok", load_file(Path(path), limits))
        except DocumentError as exc:
            reply = ("error", type(exc).__name__, exc.reason)
        except MemoryError:
            reply = ("memory",)
        except Exception as exc:  # noqa: BLE001 - a bug must not take the worker down
            reply = ("bug", f"{type(exc).__name__}: {exc}")
        if alarm is not None:
            alarm(0)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        if reply[0] == "memory":
            return


# --- the parent side ------------------------------------------------------------------------

def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class IsolatedLoader:
    """:func:`~assistant.loaders.load_file` in a reused worker process with limits.

    ``load(path)`` returns the :class:`ExtractedText` or raises a
    :class:`~assistant.errors.DocumentError` naming the file: whatever the
    file does to the parser, the caller gets a result or a reason, within
    about ``parse_timeout_s``.  If no worker process can be started at all
    (a platform without ``spawn`` support), files are read in-process, with a
    logged warning, rather than not at all.
    """

    def __init__(self, settings: Optional[Settings] = None):
        settings = settings or Settings()
        self.timeout_s = float(settings.parse_timeout_s)
        self.memory_mb = int(settings.parse_memory_mb)
        self.limits = Limits.from_settings(settings)
        self.memory_limited: Optional[bool] = None   # known once a worker has started
        self._process = None
        self._conn = None
        self._no_worker = False
        self.started = 0                              # workers started, for tests

    # context manager
    def __enter__(self) -> "IsolatedLoader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):  # a forgotten close() must not leave a process behind
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    @property
    def pid(self) -> Optional[int]:
        """The live worker's process id, or None."""
        return self._process.pid if self._process is not None else None

    def load(self, path: Path | str) -> ExtractedText:
        path = Path(path)
        if self._no_worker or self._trivial(path):
            return self._load_here(path)
        if self._process is None and not self._start():
            return self._load_here(path)
        try:
            self._conn.send((str(path), self.limits))
        except (OSError, ValueError):   # died while idle: one fresh try
            self._stop()
            if not self._start():
                return self._load_here(path)
            self._conn.send((str(path), self.limits))
        if not self._conn.poll(self.timeout_s):
            self._stop()
            raise ParseTimeout(path, f"reading took longer than {self.timeout_s:g} s (setting "
                                     f"parse_timeout_s / ASSISTANT_PARSE_TIMEOUT_S) and was "
                                     f"stopped; the file may be damaged or extremely complex")
        try:
            reply = self._conn.recv()
        except (EOFError, OSError):
            code = self._stop()
            how = (f"was killed by {_signal_name(-code)}" if code is not None and code < 0
                   else f"exited with code {code}")
            raise ParseCrashed(path, f"the parser process {how} while reading the file; it may be "
                                     f"damaged, or need more memory than parse_memory_mb "
                                     f"({self.memory_mb} MB) allows") from None
        kind = reply[0]
        if kind == "ok":
            return reply[1]
        if kind == "error":
            cls = getattr(errors, reply[1], None)
            if not (isinstance(cls, type) and issubclass(cls, DocumentError)):
                cls = DocumentError
            raise cls(path, reply[2])
        if kind == "memory":
            self._stop()
            raise ParseTooLarge(path, f"reading it needs more than {self.memory_mb} MB of memory "
                                      f"(setting parse_memory_mb / ASSISTANT_PARSE_MEMORY_MB)")
        raise DocumentError(path, f"unexpected error while reading the file: {reply[1]}")

    def close(self) -> None:
        """Stop the worker (politely, then by force); the loader can be reused."""
        if self._process is None:
            return
        try:
            self._conn.send(None)
        except (OSError, ValueError):
            pass
        self._process.join(0.2)   # an idle worker holds nothing worth a longer wait
        self._stop()

    # internals
    @staticmethod
    def _trivial(path: Path) -> bool:
        """Small plain text: read here (see IN_PROCESS_MAX_BYTES)."""
        try:
            return (path.suffix.lower() in IN_PROCESS_SUFFIXES
                    and path.stat().st_size <= IN_PROCESS_MAX_BYTES)
        except OSError:
            return True   # load_file reports why it cannot be read
    def _load_here(self, path: Path) -> ExtractedText:
        try:
            return load_file(path, self.limits)
        except MemoryError:
            raise ParseTooLarge(path, "reading it ran out of memory") from None

    def _start(self) -> bool:
        parent, child = _CONTEXT.Pipe(duplex=True)
        process = _CONTEXT.Process(target=_serve, args=(child, self.memory_mb, self.timeout_s),
                                   name="assistant-document-reader", daemon=True)
        try:
            process.start()
        except (OSError, RuntimeError, ValueError) as exc:
            return self._give_up(f"cannot start a worker process ({exc})")
        finally:
            child.close()
        self._process, self._conn = process, parent
        self.started += 1
        try:
            ready = parent.poll(_START_TIMEOUT_S) and parent.recv()
        except (EOFError, OSError):
            ready = None
        if not ready or ready[0] != "ready":
            code = self._stop()
            return self._give_up(f"the worker process did not start (exit code {code})")
        self.memory_limited = ready[2]
        return True

    def _give_up(self, why: str) -> bool:
        log.warning("%s; documents are read in this process, without time or memory limits",
                    why)
        self._no_worker = True
        return False

    def _stop(self) -> Optional[int]:
        """Kill the worker if still alive; return its exit code."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is None:
            return None
        if process.is_alive():
            process.kill()
        process.join(5)
        code = process.exitcode
        try:
            process.close()
        except ValueError:   # still running: leave it to the OS
            pass
        if conn is not None:
            conn.close()
        return code


def load_isolated(path: Path | str, settings: Optional[Settings] = None) -> ExtractedText:
    """One file in a fresh worker; for many files use one :class:`IsolatedLoader`."""
    with IsolatedLoader(settings) as loader:
        return loader.load(path)


__all__ = ["IsolatedLoader", "load_isolated"]
