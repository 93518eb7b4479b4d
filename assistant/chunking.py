"""Structure-aware chunking: paragraphs and headings kept together.

A document's text is cut into blocks (paragraphs, separated by blank lines or
page breaks).  Blocks that look like headings open a new chunk, so a heading
always travels with the text under it; paragraphs are packed up to a target
size and only an over-long paragraph is split, between sentences.  Every chunk
is an exact slice ``text[start:end]`` so citations point back precisely; the
nearest heading is kept as ``section`` and prepended when embedding.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .models import Chunk, ExtractedText
from .sentences import is_closing, is_signature_line, sentence_spans

_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_MD_HEADING = re.compile(r"^#{1,6}\s+\S")
_BOLD_LINE = re.compile(r"^\*\*[^*]+\*\*:?$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–]|\d+[.)]|[a-z][.)])\s")
# Lines that are labels, values, dates or letterhead, not headings: "Sagsnr.: 330-2015-1",
# "Fraværende: John Jensen (A)", "Den 3. marts 2015", and the address block of a
# letter ("Weidekampsgade 10", "Postboks 3370", "2300 København S", "www.kl.dk",
# "Side 1/2"), which would otherwise become the section a citation names.
_NOT_HEADING = re.compile(
    r"\S:\s+\S|\b\d{1,2}\.\s*(?:jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)[a-z]*\.?\s+\d{4}"
    r"|^\d{4}\s+\w+(?:\s+[A-ZÆØÅ])?$"
    r"|^postboks\s+\d+|^\w+(?:gade|vej|allé|alle|plads|torv|stræde|boulevard|vænge)\s+\d+\s*\w?(?:,|$)"
    r"|\bwww\.|https?://|\S@\S|^side\s+\d+\s*(?:/|af)\s*\d+$"
    # a section's value, not a heading: "Retligt grundlag / Ej relevant"
    r"|^(?:ej|ikke)\s+relevant$|^ingen$|^not\s+(?:relevant|applicable)$|^n/a$", re.IGNORECASE)
# ... of which these say the section is empty: no statement, even under its heading
_NO_VALUE = re.compile(r"(?:ej|ikke)\s+relevant|ingen|not\s+(?:relevant|applicable)|n/a",
                       re.IGNORECASE)
# The standard headings of a committee case, headings whatever their shape
# ("Beslutning i Økonomiudvalget den 20. april 2015:" holds a date and is long).
_CASE_HEADING = re.compile(
    r"^(?:Beslutning(?:\s+i\s+\S.{0,60}?)?(?:\s+den\s+\S.{0,25})?|Beslutningstema|Indstilling|"
    r"Sagsfremstilling(?:\s+og\s+økonomi)?|Sagsbeskrivelse|Sagens\s+indhold|Bevilling|Vurdering|"
    r"Retligt\s+grundlag|Handlemuligheder|Høring|Økonomi|Økonomiske\s+og\s+personalemæssige"
    r"\s+konsekvenser|Konsekvenser\s+for\s+andre\s+udvalg|Kompetence|"
    r"(?:Elektroniske\s+)?[Bb]ilag)\s*:?$")
# ... of which these list attachments: the titles under them are no headings
_ATTACHMENTS = re.compile(r"^(?:Elektroniske\s+)?[Bb]ilag\s*:?$")
_JOINED = " · "     # between the labels of small sections merged into one chunk
_MAX_HEADING = 90
_MIN_CHUNK = 150


@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    heading: bool


def clean_heading(line: str) -> str:
    """Heading text without markdown marks: '## **Sikkerhed**' -> 'Sikkerhed'."""
    return line.strip().lstrip("#").strip().strip("*").strip().rstrip(":").strip()


def looks_like_heading(line: str, hints: frozenset[str] = frozenset(),
                       case_headings: bool = True) -> bool:
    """Heading by markup (markdown, bold line, style hint), as a committee
    case's standard heading (unless ``case_headings`` is off), or by shape: a
    short capitalised line without closing punctuation that is not a list
    item, a label with a value, a date or an address."""
    stripped = line.strip()
    if not stripped or "\n" in stripped:
        return False
    if clean_heading(stripped) in hints or _MD_HEADING.match(stripped):
        return True
    if case_headings and _CASE_HEADING.match(stripped) and len(stripped) <= _MAX_HEADING:
        return True
    if len(stripped) > _MAX_HEADING or _LIST_ITEM.match(stripped):
        return False
    if _BOLD_LINE.match(stripped):
        return True
    if not (stripped[0].isupper() or stripped[0].isdigit()) or _NOT_HEADING.search(stripped):
        return False
    letters = sum(c.isalpha() for c in stripped)
    if letters < 3 or sum(c.isdigit() for c in stripped) > letters / 2:
        return False
    if stripped.endswith(":"):
        return len(stripped) <= 40
    return stripped[-1] not in ".!?;,”\"'" and len(stripped.split()) <= 12


def _blocks(doc: ExtractedText) -> list[_Block]:
    """Paragraph blocks with offsets; a heading line at the top of a paragraph
    (common in PDF text, which has no blank lines) becomes its own block."""
    text = doc.text
    hints = frozenset(clean_heading(h) for h in doc.headings)
    cuts = sorted({0, len(text), *doc.page_starts})
    blocks: list[_Block] = []
    for lo, hi in zip(cuts, cuts[1:]):
        pos = lo
        for piece in [*_BLANK_LINES.split(text[lo:hi])]:
            start = text.find(piece, pos) if piece else pos
            pos = start + len(piece)
            if not piece.strip():
                continue
            lead = len(piece) - len(piece.lstrip())
            start += lead
            body = piece.strip()
            while body:
                first, _, rest = body.partition("\n")
                if rest and looks_like_heading(first, hints):
                    blocks.append(_Block(start, start + len(first.rstrip()), True))
                    skipped = len(body) - len(rest.lstrip())
                    start += skipped
                    body = rest.strip()
                    continue
                blocks.append(_Block(start, start + len(body), looks_like_heading(body, hints)))
                break
    return _plain_lines(text, blocks)


def _plain_lines(text: str, blocks: list[_Block]) -> list[_Block]:
    """A letter's closing and the names under it are no headings: they end the
    section they sign, which KL's letter had cut off into a section "Med
    venlig hilsen" holding only two names.  Nor are the attachments listed
    under "Bilag": Slagelse's decision was cited as section "Resume af Den
    Fælleskommunale Digitaliseringsstrategi", the last attachment's title."""
    out, signing = [], False
    lines = [text[block.start:block.end].strip() for block in blocks]
    for block, line, attached in zip(blocks, lines, _attached(lines)):
        signing = is_closing(line) or (signing and is_signature_line(line))
        out.append(replace(block, heading=False) if signing or (attached and block.heading)
                   else block)
    return out


def _attached(lines: list[str], attached: bool = False) -> list[bool]:
    """Per line, whether it lists an attachment: any line after "Bilag" or
    "Elektroniske bilag" until the case's next standard heading (``attached``:
    whether the lines begin inside such a list)."""
    out = []
    for line in lines:
        case_heading = bool(_CASE_HEADING.match(line))
        attached = not _ATTACHMENTS.match(line) and attached and not case_heading
        out.append(attached)
        attached = attached or bool(_ATTACHMENTS.match(line))
    return out


def _opens_attached(chunk: Chunk) -> bool:
    """Whether the chunk begins inside a list of attachments (a later chunk of "Bilag")."""
    return lists_attachments(chunk.section and chunk.section.split(_JOINED)[-1])


def lists_attachments(heading: str | None) -> bool:
    """Whether ``heading`` heads a list of attachments ("Bilag", "Elektroniske bilag")."""
    return bool(heading and _ATTACHMENTS.match(heading))


def attachment_spans(chunk: Chunk) -> list[tuple[int, int]]:
    """Document offsets of the chunk's lines that list attachments (the
    titles under "Bilag"): they look like headings, but name documents a
    reader may ask for ("Hvilke bilag er der til sagen?")."""
    spans, pos = [], chunk.start
    raw = chunk.text.splitlines(keepends=True)
    lines = [line.strip() for line in raw]
    for line, text, attached in zip(lines, raw, _attached(lines, _opens_attached(chunk))):
        if attached and line:
            start = pos + len(text) - len(text.lstrip())
            spans.append((start, start + len(line)))
        pos += len(text)
    return spans


def _split_long(text: str, block: _Block, target: int, limit: int) -> list[_Block]:
    """Split one over-long paragraph between sentences (or words, as a last resort)."""
    pieces: list[tuple[int, int]] = []
    for s, e in sentence_spans(text[block.start:block.end], base=block.start):
        while e - s > limit:  # a "sentence" longer than a chunk: cut at a space
            cut = text.rfind(" ", s, s + target)
            cut = cut if cut > s else s + target
            pieces.append((s, cut))
            s = cut + 1 if text[cut:cut + 1] == " " else cut
        pieces.append((s, e))
    out: list[_Block] = []
    cur_s, cur_e = pieces[0]
    for s, e in pieces[1:]:
        if e - cur_s > target:
            out.append(_Block(cur_s, cur_e, False))
            cur_s = s
        cur_e = e
    out.append(_Block(cur_s, cur_e, False))
    return out


def _sections(first: str | None, then: str | None) -> str | None:
    """The section label of a chunk running from section ``first`` into ``then``."""
    if first is None:
        return then
    if then is None or then == first or first.endswith(f"{_JOINED}{then}"):
        return first
    return f"{first}{_JOINED}{then}"


def _merge_small(spans: list[tuple[int, int, str | None, bool]], limit: int):
    """Fold chunks too small to stand alone ("Punkt 5.", a lone case number)
    into the chunk before them (same section) or after them.  Across a
    heading, a small chunk is folded forward only when it is a preamble with
    no section or the next chunk is small too (runs of one-line sections like
    "Retligt grundlag / Ej relevant"), so a real section never starts inside
    another section's chunk.  A chunk folded from such a run names every
    section in it ("Bevilling · Kompetence · Elektroniske bilag ·
    Indstilling"): named by its first alone, Fredensborg's recommendation
    ("1. At Økonomiudvalget anbefaler ...") would be cited under "Bevilling"."""
    out: list[tuple[int, int, str | None]] = []
    pending: tuple[int, int, str | None] | None = None
    for start, end, sec, opens_section in spans:
        if pending is not None:
            small_next = end - start < _MIN_CHUNK
            if end - pending[0] <= limit and (not opens_section or pending[2] is None
                                              or small_next):
                start = pending[0]
                sec = _sections(pending[2], sec)
            else:
                out.append(pending)
            pending = None
        if end - start >= _MIN_CHUNK:
            out.append((start, end, sec))
        elif out and out[-1][2] == sec and not opens_section and end - out[-1][0] <= limit:
            out[-1] = (out[-1][0], end, sec)
        else:
            pending = (start, end, sec)
    if pending is not None:
        if out and out[-1][2] == pending[2] and pending[1] - out[-1][0] <= limit:
            out[-1] = (out[-1][0], pending[1], out[-1][2])
        else:
            out.append(pending)
    return out


def chunk_document(doc_id: str, doc: ExtractedText, target: int = 600,
                   limit: int = 1000) -> list[Chunk]:
    """Cut ``doc`` into chunks of about ``target`` and at most ``limit`` characters."""
    text = doc.text
    groups: list[list[_Block]] = []
    current: list[_Block] = []
    section_of: dict[int, str | None] = {}
    section: str | None = None

    def close():
        if current:
            groups.append(list(current))
            current.clear()

    for block in _blocks(doc):
        if block.heading:
            if current and not all(b.heading for b in current):
                close()
            section = clean_heading(text[block.start:block.end])
            if not current:
                section_of[len(groups)] = section
            current.append(block)
            continue
        parts = _split_long(text, block, target, limit) if block.end - block.start > limit else [block]
        for part in parts:
            size = part.end - current[0].start if current else 0
            # A paragraph ending in ":" introduces what follows: keep them together.
            lead_in = bool(current) and text[current[-1].end - 1] == ":"
            if current and not all(b.heading for b in current) and (
                    size > limit or (size > target and not lead_in)):
                close()
            if not current:
                section_of[len(groups)] = section
            current.append(part)
    close()

    spans = [(g[0].start, g[-1].end, section_of.get(i), g[0].heading) for i, g in enumerate(groups)]
    merged = _merge_small(spans, limit)
    return [
        Chunk(chunk_id=f"{doc_id}#{n}", doc_id=doc_id, start=s, end=e, text=text[s:e],
              section=sec, page=doc.page_at(s), page_end=doc.page_at(max(s, e - 1)))
        for n, (s, e, sec) in enumerate(merged)
    ]


def heading_above(chunk: Chunk, offset: int) -> str | None:
    """The heading the text at document ``offset`` stands under: the last
    heading line of the chunk before it (not an attachment's title: those
    under "Bilag" stand under "Bilag"), else the chunk's section.  A chunk
    merged from small sections ("Bevilling · Kompetence · ... · Indstilling")
    holds each one's heading in its text, and its section names them all.  A
    statement opening with a case's heading ("Kompetence: Byrådet.") stands
    under that heading, not the one before it."""
    own, _, rest = chunk.text[max(0, offset - chunk.start):].partition("\n")
    if rest.strip() and _CASE_HEADING.match(own.strip()) and not _ATTACHMENTS.match(own.strip()):
        return clean_heading(own.strip())
    lines = [line.strip() for line in chunk.text[:max(0, offset - chunk.start)].splitlines()]
    for line, attached in zip(reversed(lines), reversed(_attached(lines, _opens_attached(chunk)))):
        if not attached and looks_like_heading(line):
            return clean_heading(line)
    return chunk.section


MIN_STATEMENT = 15  # characters; shorter pieces are labels, not statements


def statement_spans(chunk: Chunk) -> list[tuple[int, int]]:
    """Document offsets of the chunk's sentences that state something.

    These are what the index embeds one by one (so a short statement inside a
    long passage can be found) and what an answer may quote; headings and
    labels name a topic but state nothing.  A committee case's dated heading
    that introduces what follows ("Beslutning i Økonomiudvalget den 20. april
    2015:") opens a section and is still quoted, with the decision after it,
    and so is an attachment's title under "Bilag".  A short value under one of
    a case's standard headings is quoted with it: Aalborg's decision is
    "Beslutning: Godkendt.", Fredensborg's "Kompetence: Byrådet." (not
    "Retligt grundlag: Ej relevant": an empty section states nothing).
    """
    spans, attached = [], attachment_spans(chunk)
    label = None    # where a case's heading starts, while it is the sentence just before
    for s, e in sentence_spans(chunk.text, base=chunk.start):
        sentence = chunk.text[s - chunk.start:e - chunk.start]
        letters = sum(c.isalpha() for c in sentence)
        above, label = label, (s if _CASE_HEADING.match(sentence)
                               and not _ATTACHMENTS.match(sentence) else None)
        if len(sentence) < MIN_STATEMENT or letters < 3:
            if above is not None and letters >= 3 and not (
                    looks_like_heading(sentence) or _NO_VALUE.fullmatch(sentence.strip(" ."))):
                spans.append((above, e))
            continue    # a label, or a number alone ("330-2015-168147" over an attachment)
        if not looks_like_heading(sentence.lstrip("-*• "), case_headings=False) or any(
                a <= s and e <= b for a, b in attached):
            spans.append((s, e))
    return spans
