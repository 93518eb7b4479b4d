"""Every exception the assistant raises, in one place.

The hierarchy lets callers catch broadly (``AssistantError``) or narrowly
(``EncryptedDocument``).  Messages are English and technical: they name the
file, the setting or the fix.  Friendly Danish/English wording for end users
is produced by :mod:`assistant.messages`, never here.
"""
from __future__ import annotations

from pathlib import Path


class AssistantError(Exception):
    """Base class for all errors raised by the assistant."""


# --- configuration ---------------------------------------------------------

class ConfigError(AssistantError):
    """A setting has an invalid value; the message names the setting."""


# --- documents -------------------------------------------------------------

class DocumentError(AssistantError):
    """A single document could not be read.  Indexing continues without it."""

    reason_code = "unreadable"

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


class UnsupportedFormat(DocumentError):
    reason_code = "unsupported"


class EmptyDocument(DocumentError):
    reason_code = "empty"


class CorruptDocument(DocumentError):
    reason_code = "corrupt"


class EncryptedDocument(DocumentError):
    reason_code = "encrypted"


class ScannedDocument(EmptyDocument):
    """A PDF whose pages carry no text layer (scanned images): OCR it first."""

    reason_code = "no_text"


class NotADocument(CorruptDocument):
    """Binary data under a document's name (a picture called ``.pdf``, ...)."""

    reason_code = "not_document"


class ParseTooLarge(DocumentError):
    """Over a size, page, unpacked-size or memory limit; the message names it."""

    reason_code = "too_large"


class ParseTimeout(DocumentError):
    """Parsing took longer than ``parse_timeout_s``; the parser was stopped."""

    reason_code = "timeout"


class ParseCrashed(DocumentError):
    """The parser process died (a crash in a C library, killed by the system)."""

    reason_code = "crashed"


class UploadRejected(DocumentError):
    """An uploaded file was refused before it reached the documents folder."""

    reason_code = "upload"


class SidecarError(DocumentError):
    """The optional ``<file>.meta.json`` next to a document is invalid."""

    reason_code = "sidecar"


# --- embedders -------------------------------------------------------------

class EmbedderError(AssistantError):
    """The embedding model could not be loaded or run."""


# --- index -----------------------------------------------------------------

class IndexStoreError(AssistantError):
    """Base class for problems with the stored index."""


class IndexNotFound(IndexStoreError):
    def __init__(self, index_dir: Path | str):
        self.index_dir = Path(index_dir)
        super().__init__(
            f"No index found in {self.index_dir}. Build it with: "
            f"python -m assistant index --index-dir {self.index_dir}"
        )


class IndexCorrupt(IndexStoreError):
    def __init__(self, index_dir: Path | str, detail: str):
        self.index_dir = Path(index_dir)
        self.detail = detail
        super().__init__(
            f"The index in {self.index_dir} is damaged ({detail}). Rebuild it with: "
            f"python -m assistant index --rebuild --index-dir {self.index_dir}"
        )


class IndexVersionMismatch(IndexStoreError):
    def __init__(self, index_dir: Path | str, found: object, expected: object):
        self.index_dir = Path(index_dir)
        self.found, self.expected = found, expected
        super().__init__(
            f"The index in {self.index_dir} has format version {found}, this program "
            f"reads version {expected}. Rebuild it with: "
            f"python -m assistant index --rebuild --index-dir {self.index_dir}"
        )


class EmbedderMismatch(IndexStoreError):
    def __init__(self, index_dir: Path | str, index_embedder: str, index_dim: int,
                 configured: str, configured_dim: int | None = None):
        self.index_dir = Path(index_dir)
        self.index_embedder, self.index_dim = index_embedder, index_dim
        self.configured, self.configured_dim = configured, configured_dim
        dim = f", {configured_dim} dimensions" if configured_dim else ""
        super().__init__(
            f"The index in {self.index_dir} was built with embedder '{index_embedder}' "
            f"({index_dim} dimensions) but the configured embedder is '{configured}'{dim}. "
            f"Either set ASSISTANT_EMBEDDER={index_embedder} (or --embedder) to use the "
            f"existing index, or rebuild it: python -m assistant index --rebuild "
            f"--index-dir {self.index_dir}"
        )


class IndexLocked(IndexStoreError):
    def __init__(self, index_dir: Path | str):
        self.index_dir = Path(index_dir)
        super().__init__(
            f"Another indexer is already writing to {self.index_dir}. Wait for it to "
            f"finish, or remove {self.index_dir / 'LOCK'} if no indexer is running."
        )



class EmbedderFingerprintMismatch(EmbedderMismatch):
    """Same embedder name, different model: the configured model's vector for the
    index's probe text is not the one recorded when the index was built."""

    def __init__(self, index_dir: Path | str, index_embedder: str, index_dim: int,
                 configured: str, similarity: float):
        self.similarity = similarity
        super().__init__(index_dir, index_embedder, index_dim, configured)
        self.args = (
            f"The index in {self.index_dir} was built with embedder '{index_embedder}' "
            f"({index_dim} dimensions), but the model now configured under that name gives "
            f"different vectors (fingerprint similarity {similarity:.3f}; the model files "
            f"changed or another model was given the same name). Searching it would give "
            f"wrong results. Point ASSISTANT_EMBEDDER (or --embedder) at the model the index "
            f"was built with, or rebuild it: python -m assistant index --rebuild "
            f"--index-dir {self.index_dir}",)


class IndexWriteError(IndexStoreError, OSError):
    """A new index version could not be written (disk full, no permission, I/O
    error).  The previous version stays current.  Also an ``OSError``, so code
    that catches file-system errors keeps working; ``errno`` is the cause's."""

    def __init__(self, index_dir: Path | str, cause: OSError):
        import errno as _errno

        self.index_dir = Path(index_dir)
        self.cause = cause
        self.disk_full = cause.errno in (_errno.ENOSPC, getattr(_errno, "EDQUOT", -1))
        rerun = f"python -m assistant index --index-dir {self.index_dir}"
        if self.disk_full:
            text = (f"The disk is full: the new index could not be written to {self.index_dir} "
                    f"({cause.strerror or cause}). The previous index is still in use. Free "
                    f"disk space there (or set ASSISTANT_INDEX_DIR to a folder on a disk with "
                    f"room) and run the indexer again: {rerun} (it removes the partial files "
                    f"first).")
        else:
            text = (f"The new index could not be written to {self.index_dir} ({cause}). The "
                    f"previous index is still in use. Check that the folder is writable and "
                    f"the disk is healthy, then run the indexer again: {rerun}")
        super().__init__(text)
        self.errno, self.strerror, self.filename = cause.errno, cause.strerror, cause.filename

    def __str__(self) -> str:
        return self.args[0]


# --- questions -------------------------------------------------------------

class InvalidQuestion(AssistantError):
    """The question is empty, too long or not text."""


class QuestionSetError(AssistantError):
    """An evaluation question file cannot be used: missing, not JSON lines, a
    question without its fields, or evidence the documents do not contain.

    Figures computed from such a file would be meaningless, so the evaluation
    stops and names the file, the line or question id, and the fix.
    """


# --- generated answers -----------------------------------------------------

class GenerationError(AssistantError):
    """The optional chat-completions endpoint failed; the extractive answer stands.

    ``kind`` is one of "connection", "timeout", "http", "protocol"; ``status``
    is the HTTP status for "http".  The message names the endpoint and the fix.
    """

    def __init__(self, endpoint: str, kind: str, detail: str, fix: str,
                 status: int | None = None):
        self.endpoint, self.kind, self.detail, self.status = endpoint, kind, detail, status
        super().__init__(f"Language model endpoint {endpoint}: {detail}. {fix}")
