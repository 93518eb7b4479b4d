"""Paragraphs from the lines of a PDF page, without its running header and footer
(and from the wrapped lines of plain text and Markdown).

A PDF holds lines, not paragraphs: pypdf gives every line of a page on a line
of its own and rarely a blank line between paragraphs.  Left so, a sentence
wrapped over three lines became three "sentences" (statements are cut at line
breaks, as a line ends a heading or a list item in plain text), and a heading
in the middle of a page was never seen as one.  With the shipped Aalborg
response printed to an 8-page PDF, answers quoting the evidence fell from 55
to 44 of 67 questions (dev + own sets) and MRR@10 from 0.90 to 0.86.

So each page is reflowed before anything is indexed: a line that wraps is
joined to the next with a space; where a paragraph ends, a blank line is put.
A line wraps when it runs (nearly) the width of the page's text (measured in
characters against the page's long lines) or when the next line carries on
the sentence (starts in lower case).  A paragraph ends after a short line
closing a sentence, and before and after a heading-like line.  Lists stay one
item per line.
"""
from __future__ import annotations

import re
from collections import Counter

_LIST_ITEM = re.compile(r"^\s*(?:[-*•–▪◦]|\d+[.)]|[a-zA-Z][.)])\s")
_ENDS = re.compile(r"[.!?…][\"'”’»)\]]*$")
_FULL = 0.8   # of the page's typical long line: a line this long wrapped


def _width(lines: list[str]) -> int:
    """The page's text width in characters: the 90th percentile line length
    (a URL or a table row running past the margin does not set it)."""
    lengths = sorted(len(line) for line in lines if line.strip())
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0


def hard_wrapped(text: str) -> bool:
    """Whether plain text was wrapped at a fixed width (at most 100 characters)
    rather than written a paragraph per line: most of its lines run that width.
    The shipped text files, a paragraph per line, have a fifth of their lines
    near their (200-300 character) width."""
    lines = [line for line in text.split("\n") if line.strip()]
    width = _width(lines)
    return (len(lines) >= 5 and 30 <= width <= 100
            and sum(len(line.strip()) >= 0.75 * width for line in lines) >= 0.5 * len(lines))


def _heading_like(line: str) -> bool:
    s = line.strip()
    return (0 < len(s) <= 90 and (s[0].isupper() or s[0].isdigit()) and not _ENDS.search(s)
            and not s.endswith((",", ";", ":")) and len(s.split()) <= 12)


# Words a line ends on when its sentence goes on ("... igangsat med" / "Open Data Lab").
_GOES_ON = frozenset(
    "af at de den der det du efter eller en et for fra hos i ifølge med mellem mod og om omkring "
    "over på samt som til ud under ved vores sin sit sine hans hendes deres a an and as at by for "
    "from in into of on or the to with".split())


def _titles(line: str) -> bool:
    """A heading-like line that does not end on a word its sentence would go on
    from: a title near the page's width ("Høringssvar vedrørende fælleskommunal
    digitaliseringsstrategi 2016-2020") is not wrapped onto the text under it."""
    return _heading_like(line) and line.split()[-1].casefold() not in _GOES_ON


def reflow_page(page: str) -> str:
    """``page`` with wrapped lines joined and paragraphs separated by a blank line."""
    lines = [line.strip() for line in page.split("\n")]
    width = _width(lines)
    if width < 30:          # a page of short lines (a table, a list): leave it
        return page
    text = lines[0]
    for a, b in zip(lines, lines[1:]):
        if not a or not b:
            sep = "\n"
        elif _LIST_ITEM.match(b):
            sep = "\n"
        elif b[0].islower() or (len(a) >= _FULL * width and not _titles(a)
                                and (not _ENDS.search(a) or not _heading_like(b))):
            sep = " "   # a full line mid-sentence wraps even onto "Open Data Lab Aalborg"
        elif _ENDS.search(a) or _heading_like(a) or _heading_like(b):
            sep = "\n\n"
        else:
            sep = "\n"
        text += sep + b
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


_PAGE_NUMBER = re.compile(r"^(?:(?:side|page)\s*)?\d{1,3}(?:\s*(?:af|of|/)\s*\d{1,3})?$",
                          re.IGNORECASE)


def drop_running_lines(pages: list[str]) -> list[str]:
    """Pages without their running header and footer: a first or last line
    that recurs on most pages, and page numbers ("7", "Side 2 af 8") there.

    A running header ("Aalborg Kommune · Høringssvar") looks like a heading, so
    it became the section every page's first passage was cited under; a footer
    ("Side 2 af 8") ended up inside passages and statements.  A page's only
    line is kept whatever it is.
    """
    def key(line: str) -> str:   # digits count: "Afsnit 1", "Afsnit 2" are headings
        return " ".join(line.split()).casefold()

    split = [page.split("\n") for page in pages]
    texted = [lines for lines in split if any(line.strip() for line in lines)]
    repeated: set[str] = set()
    if len(texted) >= 3:
        for edge in (0, -1):
            counts = Counter(key([line for line in lines if line.strip()][edge])
                             for lines in texted)
            repeated |= {k for k, n in counts.items() if n >= 0.6 * len(texted)}
    out = []
    for lines in split:
        content = [i for i, line in enumerate(lines) if line.strip()]
        drop = {i for i in content[:1] + content[-1:] if len(content) > 1
                and (key(lines[i]) in repeated or _PAGE_NUMBER.match(lines[i].strip()))}
        out.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    return out


def reflow_markdown(text: str) -> str:
    """Markdown with each paragraph (and list item) on one line.

    In Markdown a line break inside a paragraph is a space; a file wrapped at
    80 characters reads as whole sentences only when its lines are joined, as
    any Markdown viewer joins them.  Which lines form a paragraph is
    markdown-it-py's reading (CommonMark, plus tables so their rows stay
    apart); a hard break (two trailing spaces or a backslash) is kept.
    """
    from markdown_it import MarkdownIt

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    joined = set()   # lines that continue on the next one
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if token.type == "paragraph_open" and token.map:
            first, end = token.map
            joined.update(i for i in range(first, end - 1) if not lines[i].endswith(("  ", "\\")))
    out: list[str] = []
    for i, line in enumerate(lines):
        if i - 1 in joined:
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
    return "\n".join(out)

