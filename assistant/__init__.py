"""The strategy assistant: cited answers from Danish digitalisation-strategy documents.

Nothing heavy happens at import: models and indexes load on first use.
"""
from .api import Assistant
from .config import Settings
from .models import Answer, Chunk, Document, DocumentMeta, Passage

__all__ = ["Assistant", "Settings", "Answer", "Chunk", "Document", "DocumentMeta", "Passage"]
