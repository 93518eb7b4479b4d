"""Visible text out of HTML pages, block by block.

Split from :mod:`assistant.loaders` (which dispatches here by suffix): HTML
needs its own decoding (a declared ``<meta charset>``, read the way browsers
read it), drops scripts, styles and elements the page itself hides (by attribute, inline
style or a rule of its own style sheets), and walks
the tree explicitly so block boundaries, ``<br>`` line breaks, table cells and
``h1``-``h6`` headings survive into the text.
"""
from __future__ import annotations

import re
from pathlib import Path

from .loaders import _BOMS, Limits, _one_line, decode_text, normalise_text
from .models import ExtractedText

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""",
                           re.IGNORECASE)
# Browsers read these labels as windows-1252 (WHATWG Encoding); so do we.
_AS_CP1252 = {"iso-8859-1", "latin-1", "latin1", "ascii", "us-ascii", "iso8859-1"}
_DROP = ("script", "style", "noscript", "template", "head")
_BLOCKS = frozenset({
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
    "blockquote", "table", "ul", "ol", "dd", "dt", "dl", "hr", "header", "footer", "nav",
    "main", "aside", "figure", "figcaption", "caption", "address", "form", "fieldset",
})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BR = "\u2028"  # LINE SEPARATOR marks <br>: source line breaks are mere spaces in HTML


def _decode_html(data: bytes, path: Path) -> str:
    """BOM first, then the declared ``<meta charset>``, then :func:`decode_text`."""
    declared = _META_CHARSET.search(data[:4096])
    if declared and not any(data.startswith(bom) for bom, _ in _BOMS):
        label = declared.group(1).decode("ascii").lower()
        try:
            return data.decode("cp1252" if label in _AS_CP1252 else label)
        except (LookupError, UnicodeDecodeError):
            pass  # wrong or unknown declaration: guess like any text file
    return decode_text(data, path)


_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|"
                           r"font-size\s*:\s*0(?![.\d]*[1-9])", re.IGNORECASE)


_SHOWING_STYLE = re.compile(r"display\s*:\s*(?!none)[a-z]", re.IGNORECASE)


def _is_hidden(tag) -> bool:
    """Hidden by the page itself: ``hidden``, ``aria-hidden="true"`` or an
    inline style with display:none, visibility:hidden or font-size:0."""
    return (tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true"
            or bool(_HIDING_STYLE.search(str(tag.get("style", "")))))


def _hiding_selectors(soup) -> list[str]:
    """Selectors of the page's own style-sheet rules that hide what they match
    (``.note { display: none }``), read with tinycss2.  Rules inside at-rules
    (``@media print``) are left out: they hide only in some media."""
    import tinycss2
    selectors = []
    for style in soup.find_all("style"):
        for rule in tinycss2.parse_stylesheet(style.get_text(), skip_comments=True,
                                              skip_whitespace=True):
            if rule.type == "qualified-rule" and _HIDING_STYLE.search(
                    tinycss2.serialize(rule.content)):
                selectors.append(tinycss2.serialize(rule.prelude).strip())
    return selectors


def _styled_hidden(soup, selectors: list[str]) -> list:
    """Elements a hiding rule matches, unless their inline style shows them
    (inline style wins over the style sheet)."""
    import soupsieve
    found = []
    for selector in selectors:
        try:
            matched = soup.select(selector)
        except (soupsieve.SelectorSyntaxError, NotImplementedError):
            # pseudo-elements (::before: generated content, not document text)
            # and selectors soupsieve does not know hide nothing we read
            continue
        found += [t for t in matched if not _SHOWING_STYLE.search(str(t.get("style", "")))]
    return found


def _drop_hidden_elements(soup, selectors: list[str]) -> int:
    """Remove hidden elements; return how many characters of text they held."""
    dropped = 0
    for tag in [*soup.find_all(_is_hidden), *_styled_hidden(soup, selectors)]:
        if tag.decomposed:  # inside an element already removed
            continue
        dropped += len("".join(tag.get_text().split()))
        tag.decompose()
    return dropped


def load_html(data: bytes, path: Path, limits: Limits) -> ExtractedText:
    """Visible text in blocks; an explicit walk (not ``get_text``) keeps block
    boundaries, and a stack (not recursion) copes with deeply nested pages."""
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(_decode_html(data, path), "html.parser")
    title = _one_line(soup.title.get_text()) if soup.title else None
    selectors = _hiding_selectors(soup)      # before the style sheets go
    for tag in soup.find_all(_DROP):
        tag.decompose()
    dropped = _drop_hidden_elements(soup, selectors)
    if title is None and soup.h1 is not None:
        title = _one_line(soup.h1.get_text(" "))
    blocks: list[str] = []
    headings: list[str] = []
    buffer: list[str] = []

    def flush() -> str:
        lines = "".join(buffer).split(_BR)
        buffer.clear()
        block = normalise_text("\n".join(" ".join(line.split()) for line in lines))
        if block:
            blocks.append(block)
        return block

    stack: list = list(reversed(soup.contents))
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):  # ("end", tag): leaving a block element
            block = flush()
            if node[1].name in _HEADING_TAGS and block:
                headings.append(block)
        elif isinstance(node, NavigableString):
            if type(node) is NavigableString:  # not Comment, Doctype, CData, ...
                buffer.append(str(node))
        elif isinstance(node, Tag):
            if node.name == "br":
                buffer.append(_BR)
            elif node.name == "pre":  # preformatted: keep its line layout
                flush()
                block = normalise_text(node.get_text())
                if block:
                    blocks.append(block)
            else:
                if node.name in ("td", "th") and node.find_previous_sibling(("td", "th")):
                    buffer.append(" | ")
                if node.name in _BLOCKS:
                    flush()
                    stack.append(("end", node))
                stack.extend(reversed(node.contents))
    flush()
    warnings = (f"hidden text dropped: {dropped} characters in elements the page hides "
                f"(hidden, aria-hidden, display:none or a style-sheet rule)",) if dropped else ()
    return ExtractedText("\n\n".join(blocks), headings=tuple(headings), title=title,
                         warnings=warnings)
