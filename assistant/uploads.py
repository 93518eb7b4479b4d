"""Saving uploaded files into the documents folder, safely.

An upload's name comes from the user's machine and may hold path parts,
"..", control characters or a name already taken; its size is whatever was
sent.  Both are checked here before a byte lands in the documents folder.
"""
from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

from .errors import UploadRejected
from .loaders import SUPPORTED_SUFFIXES

UPLOAD_FOLDER = "uploads"
_UNSAFE = re.compile(r"[^\w\-. ()]+", re.UNICODE)


def safe_filename(name: str) -> str:
    """A plain file name: no folders, no leading dots, Danish letters kept.

    "../../etc/passwd.txt" -> "passwd.txt"; "C:\\\\x\\\\høring svar.pdf" -> "høring svar.pdf".
    """
    base = unicodedata.normalize("NFC", name.replace("\\", "/").split("/")[-1])
    base = _UNSAFE.sub("_", base).strip(" ._")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:100].strip(" ._") or "dokument"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def save_upload(source: Path, original_name: str, docs_dir: Path, max_bytes: int) -> Path:
    """Copy an uploaded temp file into ``docs_dir/uploads`` under a safe, unused name."""
    name = safe_filename(original_name)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadRejected(original_name, f"file type {suffix or '(none)'} is not supported "
                             f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})")
    size = Path(source).stat().st_size
    if size > max_bytes:
        raise UploadRejected(original_name, f"the file is {size / 1e6:.1f} MB; the limit is "
                             f"{max_bytes / 1e6:.1f} MB (setting ASSISTANT_MAX_UPLOAD_MB)")
    folder = (Path(docs_dir) / UPLOAD_FOLDER).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    n = 1
    while target.exists():
        target = folder / f"{Path(name).stem}-{n}{suffix}"
        n += 1
    if not target.resolve().is_relative_to(folder):  # defence in depth
        raise UploadRejected(original_name, "unsafe file name")
    shutil.copyfile(source, target)
    return target
