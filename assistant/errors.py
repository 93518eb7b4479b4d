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


# --- questions -------------------------------------------------------------

class InvalidQuestion(AssistantError):
    """The question is empty, too long or not text."""
