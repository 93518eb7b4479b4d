"""Sentence boundaries as character spans, from pysbd's Danish rules, and the
shapes a sentence can have that make it no statement of its own (a question,
a list item finishing another sentence, a letter's closing).

Used by the chunker (to split an over-long paragraph between sentences) and by
the answer builder (to quote and mark the sentences that match a question).
Spans are re-anchored in the original string so ``text[s:e]`` is exact.
"""
from __future__ import annotations

import re
from functools import lru_cache

_LINE_BREAK_SPLIT = re.compile(r"\n+")
# What a sentence ends with: terminal punctuation, then closing quotes/brackets.
_ENDS_SENTENCE = re.compile(r"[.!?:;…][\"'”’»)\]*]*$")
# What no sentence starts with: a piece beginning so continues the one before
# (a lower-case letter too: pysbd cuts after "ift." in "udfordringer ift. effektivisering";
# and a bracket opening in lower case: "... for digitalisering? (i meget høj grad, ...)").
_CONTINUES = re.compile(r"^(?:[:;,)\]]|\(?[a-zæøå])")
# A list number standing alone ("1." before "Digital selvbetjening, ...") opens
# the item after it.
_LIST_NUMBER = re.compile(r"(?:\d{1,3}|[a-zA-Z])[.)]")
# A piece ending in an abbreviation that does not end sentences goes on in the
# next ("... hvordan f.eks. ISO 27.001 skal udmøntes lokalt"); lower case only,
# so "... sendes til KL." still ends its sentence.
_ABBREVIATION = re.compile(r"(?<![\w.])(?:f\.eks|bl\.a|jf|jvf|ca|mht|ift|iht|dvs|evt|inkl|ekskl|"
                           r"m\.v|mv|m\.fl|pga|vedr|kl|nr|stk|pkt|ang|fx|e\.g|i\.e)\.$")
# a question, with the answer scale the hearing puts after it ("? (i meget høj grad, ...)")
_ASKS = re.compile(r"\?\s*(?:\([^()]*\))?$")
# A letter's closing: the names on the lines after it sign it.
_CLOSING = re.compile(r"^(?:med\s+)?(?:(?:venlig|venligst|kærlig)\s+hilsen|hilsen)\b|^mvh\b"
                      r"|^(?:kind|best|warm)\s+regards\b|^(?:yours\s+)?(?:sincerely|faithfully)\b",
                      re.IGNORECASE)
_SIGNATURE_WORDS = 6
# a bullet (with a space after it: "**Sikkerhed**" is bold, not a list) or a number
_LIST_MARK = re.compile(r"^\s*(?:[-*•·–](?=\s)|\d{1,3}[.)])\s*")


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="da", clean=False)


def sentence_spans(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Spans of the sentences in ``text``, offset by ``base``.

    Lines are split first: in these documents a line break ends a list item
    or a heading even without a full stop.  Within a line, a piece pysbd cut
    off without terminal punctuation is joined to the next: pysbd reads a
    Danish ordinal as a list number and cut "afholdes der den 18. og den 19.
    marts dialogmøder ..." into three.  A piece starting with a colon, comma,
    closing bracket or lower-case letter, or with no space before it,
    continues the one before: pysbd ends a sentence at an abbreviation's full
    stop and at a question mark inside a link, so "Sagsnr.: 330-2015-27782"
    came out as "Sagsnr." and ": 330-2015-27782", and "udfordringer ift.
    effektiviseringsgevinster" as two.  A list number pysbd cut off ("1.")
    opens the item after it: alone, "Digital selvbetjening, kommunikation og
    velfærd (politiske visioner)" looked like a heading and was never quoted.
    A piece ending in "f.eks.", "bl.a.", "jf." and the like goes on in the
    next, which pysbd starts when it is capitalised ("f.eks. ISO 27.001").
    A line in lower case after a sentence with a bracket left open continues
    it: a hearing's answer scale broken over two paragraphs, "(i meget" and
    "høj grad, i høj grad, ...)", was quoted as a sentence of its own.
    A letter's closing and the names signing it are one sentence ("Med venlig
    hilsen / Martin Damm / Kristian Wendelboe"), so an answer to who signed
    can quote them.
    """
    spans: list[tuple[int, int]] = []
    pos, signing = 0, False
    for line in _LINE_BREAK_SPLIT.split(text):
        line_start = text.find(line, pos) if line else pos
        pos = line_start + len(line)
        if not line.strip():
            continue
        cursor, first = line_start, True
        signing = signing and is_signature_line(line)
        joined = signing or (bool(spans) and line.lstrip()[:1].islower()
                             and _open_bracket(text[slice(*spans[-1])]))
        signing = signing or is_closing(line)
        for sent in _segmenter().segment(line):
            piece = sent.strip()
            if not piece:
                continue
            found = text.find(piece, cursor)
            if found < 0:  # pysbd altered the text; fall back to the whole line
                spans.append((line_start, line_start + len(line.rstrip())))
                break
            # no space before it, or punctuation no sentence starts with: the
            # same sentence ("…/?n=0&section=4652" in a link; "Sagsnr.: 330-…")
            joined = joined or (not first and (found == cursor or bool(_CONTINUES.match(piece))))
            cursor = found + len(piece)
            first = False
            spans.append((spans.pop()[0] if joined else found, cursor))
            joined = (not _ENDS_SENTENCE.search(piece) or bool(_LIST_NUMBER.fullmatch(piece))
                      or bool(_ABBREVIATION.search(piece)))
    return [(s + base, e + base) for s, e in spans]


def _open_bracket(sentence: str) -> bool:
    return sentence.count("(") > sentence.count(")")


def is_question(sentence: str) -> bool:
    """Whether a sentence asks rather than states, a bracketed answer scale
    after its question mark included: answers and overviews pass over it."""
    return bool(_ASKS.search(sentence.rstrip()))


def is_closing(line: str) -> bool:
    """Whether a line closes a letter ("Med venlig hilsen", "Kind regards")."""
    return bool(_CLOSING.match(line.strip()))


def is_signature_line(line: str) -> bool:
    """A line that can follow a closing as a name or title ("Martin Damm",
    "Borgmester"): a few capitalised words, no digits, no closing punctuation."""
    stripped = line.strip()
    return (0 < len(stripped.split()) <= _SIGNATURE_WORDS and stripped[0].isupper()
            and not any(c.isdigit() for c in stripped) and stripped[-1] not in ".!?:;")


def list_body(sentence: str) -> str:
    """A sentence without the bullet or number that opens its list item."""
    return _LIST_MARK.sub("", sentence).strip()


def list_mark(sentence: str) -> str:
    """The bullet or number opening a list item ("", for none)."""
    m = _LIST_MARK.match(sentence)
    return m.group(0) if m else ""


def is_list_tail(sentence: str) -> bool:
    """Whether a sentence is a list item finishing a sentence begun before the
    list ("... skal erstatte kommunens:" / "• og nuværende kanalstrategi, ..."):
    quoted alone, it is half a statement."""
    return bool(list_mark(sentence)) and list_body(sentence)[:1].islower()
