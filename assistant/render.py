"""Answers as Markdown for the UI (and for pasting into a meeting note).

Document text is escaped before it goes into Markdown: a document is data,
and markup or script inside it must never render or run in the page.
"""
from __future__ import annotations

import html
import re

from . import messages
from .models import Answer, Passage

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def escape(text: str) -> str:
    """Text safe to embed in Markdown: HTML-escaped and Markdown marks neutralised."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def passage_markdown(p: Passage, lang: str = "da") -> str:
    """Citation line, then the passage as a quote with matched sentences in bold."""
    text, base = p.chunk.text, p.chunk.start
    pieces, pos = [], 0
    for s, e in sorted(p.highlights):
        pieces.append(escape(text[pos:s - base]))
        pieces.append("**" + escape(text[s - base:e - base]).strip() + "**")
        pos = e - base
    pieces.append(escape(text[pos:]))
    body = "".join(pieces).strip()
    quoted = "\n".join("> " + line if line.strip() else ">" for line in body.split("\n"))
    return f"{escape(messages.cite(p, lang))}\n\n{quoted}"


def answer_markdown(answer: Answer, lang: str | None = None) -> str:
    lang = lang or answer.language
    parts = [escape(line) for line in answer.answer.split("\n")]
    out = "  \n".join(parts)
    if answer.passages:
        out += "\n\n### " + ("Kilder" if lang != "en" else "Sources") + "\n\n"
        out += "\n\n".join(passage_markdown(p, lang) for p in answer.passages)
    return out
