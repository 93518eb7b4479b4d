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


def answer_markdown(answer: Answer, lang: str | None = None, with_sources: bool = True) -> str:
    """The answer (and, unless the sources are shown elsewhere, its passages)."""
    lang = lang or answer.language
    parts = [escape(line) for line in answer.answer.split("\n")]
    out = "  \n".join(parts)
    if answer.generated_by:
        out += "\n\n*" + escape(("Skrevet af sprogmodellen " if lang != "en" else
                                  "Written by the language model ") + answer.generated_by
                                 + (" ud fra kilderne; hver sætning citerer en kilde."
                                    if lang != "en" else
                                    " from the sources; every sentence cites one.")) + "*"
    if answer.generation_note:
        out += "\n\n*" + escape(answer.generation_note) + "*"
    if answer.passages and with_sources:
        out += "\n\n### " + messages.sources_heading(answer, lang) + "\n\n"
        out += "\n\n".join(passage_markdown(p, lang) for p in answer.passages)
    return out


def _marked_html(text: str, base: int, highlights) -> str:
    out, pos = [], 0
    for s, e in sorted(highlights):
        out.append(html.escape(text[pos:s - base]))
        out.append("<mark>" + html.escape(text[s - base:e - base]) + "</mark>")
        pos = e - base
    out.append(html.escape(text[pos:]))
    return "".join(out)


def sources_html(answer: Answer, contexts: list[tuple[str, str, str]], labels: dict) -> str:
    """The cited passages as HTML: citation, passage (matches marked), and the
    surrounding text in a native <details> element.  Every piece of document
    text and metadata goes through ``html.escape``."""
    if not answer.passages:
        return f"<p class='no-sources'>{html.escape(labels['no_sources'])}</p>"
    blocks = []
    if answer.not_in_documents:   # the closest passages, not sources of an answer
        blocks.append(f"<p class='closest-note'>{html.escape(labels['closest_only'])}</p>")
    for p, (before, _, after) in zip(answer.passages, contexts):
        lang = labels["lang"]
        passage = _marked_html(p.chunk.text, p.chunk.start, p.highlights)
        context = (f"<span class='ctx'>{html.escape(before)}</span>"
                   f"<span class='ctx-passage'>{passage}</span>"
                   f"<span class='ctx'>{html.escape(after)}</span>")
        blocks.append(
            f"<div class='source' id='source-{p.rank}'>"
            f"<div class='cite'>{html.escape(messages.cite(p, lang))}</div>"
            f"<blockquote class='passage'>{passage}</blockquote>"
            f"<details class='context'><summary>{html.escape(labels['context'])}</summary>"
            f"<div class='context-text'>{context}</div></details></div>")
    return "\n".join(blocks)
