"""Document metadata: inferred from the file name and text, overridden by a sidecar.

Answers cite their sources by organisation, type and date, so a wrong value
is worse than none: every rule below reads something the file states (a
"Sagsnr.:" label, an official "Aalborg Kommune", a date on the first line)
and leaves the field ``None`` otherwise.  Where inference cannot know (the
Fredensborg case never names its municipality), the user writes a sidecar
``<file name>.meta.json`` next to the document, and it wins.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Optional

from .errors import SidecarError
from .gazetteer import find_mentions, from_filename, lookup
from .models import DOC_TYPES, DocumentMeta, ExtractedText

SIDECAR_SUFFIX = ".meta.json"
SIDECAR_KEYS = ("title", "organisation", "doc_type", "date", "case_number")
TITLE_MAX = 200
KL = "KL"

# --- file names ------------------------------------------------------------

_FOLD = str.maketrans({"ø": "oe", "æ": "ae", "å": "aa", "é": "e"})
_TOKEN = re.compile(r"[^\W_]+")

# First matching row wins, so the specific kind beats the generic word it
# contains: "aalborg-magistraten-hoeringssvar" is a hearing response even
# though "magistrat" names a committee, "kl-hoeringsbrev" is a letter, and
# "oekonomiudvalget-...-kanalstrategi" is a committee case about a strategy.
_FILENAME_DOC_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("hearing_response", ("hoeringssvar", "horingssvar")),
    ("summary", ("resume",)),
    ("news", ("nyhed",)),
    ("letter", ("brev",)),
    ("committee_case", ("udvalg", "dagsorden", "referat", "beslutning", "magistrat")),
    ("strategy", ("strategi",)),
)


def _fold(s: str) -> str:
    """Lower case, Danish letters spelled in ASCII, as people write file names."""
    return s.lower().translate(_FOLD)


def _filename_doc_type(folded_name: str) -> Optional[str]:
    for doc_type, keywords in _FILENAME_DOC_TYPES:
        if any(k in folded_name for k in keywords):
            return doc_type
    return None


def _filename_names_kl(tokens: list[str]) -> bool:
    """A token "kl", unless it is the time of day ("moede-kl-10")."""
    return any(t == "kl" and not (i + 1 < len(tokens) and tokens[i + 1].isdigit()
                                  and len(tokens[i + 1]) <= 2)
               for i, t in enumerate(tokens))


# --- dates -----------------------------------------------------------------

_MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "marts": 3, "mar": 3, "april": 4,
    "apr": 4, "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = (
    r"(?:(?P<y1>\d{4})-(?P<m1>\d{2})-(?P<d1>\d{2})"                      # 2015-03-05
    r"|(?P<d2>\d{1,2})\.?\s*(?P<m2>" + _MONTH_NAMES + r")\.?\s+(?P<y2>\d{4})"  # 5. marts 2015
    r"|(?P<d3>\d{1,2})[-./](?P<m3>\d{1,2})[-./](?P<y3>\d{4}))(?!\d)"     # 19-01-2015
)
_LEADING_DATE = re.compile(
    r"(?:(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)\s+)?(?:den\s+)?"
    + _DATE + r"(?!\w)", re.I)
_DECISION_DATE = re.compile(r"\bBeslutning i [^\n]{1,80}? den\s+" + _DATE, re.I)
_FILENAME_DATE = re.compile(r"(?<!\d)(\d{4})[-_.](\d{2})[-_.](\d{2})(?!\d)")


_ANY_DATE = re.compile(r"(?<!\d)" + _DATE, re.I)


def holds_date(text: str) -> bool:
    """Whether ``text`` gives a full calendar date ("den 19-01-2015", "20.
    april 2015"); a year alone ("Det er målet, at i 2020") dates nothing."""
    return any(_date_from_match(m) for m in _ANY_DATE.finditer(text))


def is_date_line(line: str) -> bool:
    """Whether ``line`` is a date and nothing else ("Den 3. marts 2015",
    KL's letter's date line): it dates the document, it states nothing."""
    return bool(_LEADING_DATE.fullmatch(line.strip().rstrip(".:")))


def _iso(year: str, month: str | int, day: str) -> Optional[str]:
    """``YYYY-MM-DD`` if the parts make a real calendar date, else None."""
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _date_from_match(m: re.Match[str]) -> Optional[str]:
    if m.group("y1"):
        return _iso(m.group("y1"), m.group("m1"), m.group("d1"))
    if m.group("y2"):
        return _iso(m.group("y2"), _MONTHS[m.group("m2").lower()], m.group("d2"))
    return _iso(m.group("y3"), m.group("m3"), m.group("d3"))


def _infer_date(folded_name: str, lines: list[str], text: str) -> Optional[str]:
    """File-name date, else a date opening the text, else the latest decision date.

    The latest decision is the meeting that gave the text its final form;
    year-only or period strings ("2015-18") are never taken as dates.
    """
    for y, m, d in _FILENAME_DATE.findall(folded_name):
        if iso := _iso(y, m, d):
            return iso
    if lines and (m := _LEADING_DATE.match(lines[0])):
        if iso := _date_from_match(m):
            return iso
    decisions = [d for d in map(_date_from_match, _DECISION_DATE.finditer(text)) if d]
    return max(decisions) if decisions else None


# --- case numbers, titles, organisation, type ------------------------------

_CASE_LABEL = r"(?:Sags?[ .-]?(?:nr|nummer|id)|J(?:ournal)?[ .]?(?:nr|nummer))\.?"
_CASE_VALUE = r"[A-ZÆØÅ]{0,8}-?\d[\w./-]*"
_CASE_NUMBER = re.compile(
    r"(?<!\w)" + _CASE_LABEL + r"[ \t]*:?[ \t]*(?P<value>" + _CASE_VALUE + ")", re.I)
_BARE_CASE_NUMBER = re.compile(r"(?:" + _CASE_LABEL + r"\s*:?\s*)?" + _CASE_VALUE, re.I)
_AGENDA_ITEM = re.compile(r"(?:punkt|pkt\.?)\s*\d+\.?", re.I)
_SALUTATION = re.compile(r"(?:Til\s+[A-ZÆØÅ]|Kære\s)")
_SIGN_OFF = re.compile(r"^\s*(?:med\s+)?venlig\s+hilsen\b", re.I | re.M)
_COMMITTEE_HEADING = re.compile(
    r"(?:Sagsfremstilling|Sagsbeskrivelse|Beslutningstema|Beslutning)\b.{0,80}")
_MARKDOWN = re.compile(r"^#{1,6}\s*|\*\*|__")
_KL_SENDER_LINES = frozenset({"kommunernes landsforening", "kl - kommunernes landsforening",
                              "kl – kommunernes landsforening", "www.kl.dk", "kl.dk"})


def case_number(text: str) -> Optional[str]:
    """The first labelled case number in ``text`` ("Sagsnr.: 13/38532",
    "Sags ID: SAG-2015-00810"), without its label."""
    m = _CASE_NUMBER.search(text)
    return m.group("value").rstrip(".,;:/-") if m else None


# an agenda item's case number printed bare under its title, as Aalborg's
# Magistrate agenda does ("Punkt 5." / title / "2014-185390"): a year or a
# short prefix, then a serial of five digits or more (not "2015-2018")
_AGENDA_CASE_NUMBER = re.compile(r"(?:19|20)\d\d-\d{5,}|\d{2,3}[-/.]\d{5,}")


def _agenda_case_number(lines: list[str]) -> Optional[str]:
    """The bare case number under an agenda item's title, when the document
    opens with the item ("Punkt 5."): among its next three lines."""
    if not lines or not _AGENDA_ITEM.fullmatch(lines[0]):
        return None
    return next((line for line in lines[1:4] if _AGENDA_CASE_NUMBER.fullmatch(line)), None)


def _clean_line(line: str) -> str:
    return _MARKDOWN.sub("", line).strip()


def _is_title(line: str) -> bool:
    """False for the lines that open a document without naming it, the
    sender's name on its own among them ("Horsens Kommune" above the title)."""
    return (any(ch.isalpha() for ch in line)
            and line != KL and lookup(line) is None
            and not _AGENDA_ITEM.fullmatch(line)
            and not _BARE_CASE_NUMBER.fullmatch(line)
            and not is_date_line(line)
            and not _SALUTATION.match(line))


def _cap(title: str) -> str:
    if len(title) <= TITLE_MAX:
        return title
    return title[:TITLE_MAX - 1].rsplit(" ", 1)[0].rstrip() + "…"


# What word processors and converters leave in a file's title field when no
# one set it: "untitled", "Dokument1", "Microsoft Word - svar.docx", a file name.
_PLACEHOLDER_TITLE = re.compile(
    r"(?:untitled|unknown|uden titel|ingen titel|(?:document|dokument|slide|præsentation|"
    r"presentation)\s*\d*|microsoft\s+\w+\s+-\s+.*|.*\.(?:docx?|pdf|odt|rtf|txt|pptx?|xlsx?))",
    re.IGNORECASE)


def _infer_title(extracted: ExtractedText, lines: list[str], path: Path) -> Optional[str]:
    """The file's own title unless it is a placeholder or the file name, else
    the first line that names the document."""
    own = " ".join((extracted.title or "").split())
    if own and not _PLACEHOLDER_TITLE.fullmatch(own) and own.casefold() != path.stem.casefold():
        return _cap(own)
    return next((_cap(line) for line in lines if _is_title(line)), None)


def _kl_is_sender(lines: list[str]) -> bool:
    """KL's letterhead or sign-off: a line that is just "KL", "www.kl.dk", ...

    Only the head (first 20 lines) and foot (last 10) count: KL is named all
    over the municipalities' own texts ("fremsendelse til KL").
    """
    edges = lines[:20] + lines[-10:]
    return any(line == KL or line.lower() in _KL_SENDER_LINES for line in edges)


def _infer_organisation(tokens: list[str], filename: str, lines: list[str],
                        text: str) -> Optional[str]:
    """KL, else the municipality in the file name, else the one named officially.

    Plain place names ("dialogmøder i København og Vejle") never count; only
    the official form ("Slagelse Kommunes"), and only if one council is so named.
    """
    if _filename_names_kl(tokens) or _kl_is_sender(lines):
        return KL
    if municipality := from_filename(filename):
        return municipality.official
    official = {m.municipality for m in find_mentions(text) if m.official_form}
    return official.pop().official if len(official) == 1 else None


def _text_doc_type(lines: list[str], text: str, title: Optional[str]) -> Optional[str]:
    """Headings of a committee case, or salutation plus sign-off of a letter."""
    if any(_COMMITTEE_HEADING.fullmatch(line) for line in lines):
        return "committee_case"
    if any(_SALUTATION.match(line) for line in lines[:5]) and _SIGN_OFF.search(text):
        return "letter"
    if title and title.lower().startswith("høringssvar"):
        return "hearing_response"
    return None


def infer_metadata(path: Path, extracted: ExtractedText) -> DocumentMeta:
    """What the file name and text state about the document; unknown stays None."""
    folded = _fold(Path(path).name)
    tokens = _TOKEN.findall(folded)
    text = extracted.text
    lines = [c for c in (_clean_line(raw) for raw in text.splitlines()) if c]
    title = _infer_title(extracted, lines, Path(path))
    return DocumentMeta(
        title=title,
        organisation=_infer_organisation(tokens, Path(path).name, lines, text),
        doc_type=_filename_doc_type(folded) or _text_doc_type(lines, text, title),
        date=_infer_date(folded, lines, text),
        case_number=case_number(text) or _agenda_case_number(lines),
    )


# --- sidecar ---------------------------------------------------------------

_DOC_TYPE_ALIASES = {
    "høringssvar": "hearing_response", "hoeringssvar": "hearing_response",
    "dagsordenpunkt": "committee_case", "dagsordenspunkt": "committee_case",
    "beslutning": "committee_case", "udvalgssag": "committee_case",
    "referat": "committee_case", "nyhed": "news", "brev": "letter",
    "strategi": "strategy", "resumé": "summary", "resume": "summary", "andet": "other",
}
_SIDECAR_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def sidecar_path(path: Path) -> Path:
    """``foo.pdf`` -> ``foo.pdf.meta.json`` (the full name, so foo.pdf and foo.docx differ)."""
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _doc_type_value(value: str, source: Path) -> str:
    key = value.strip().lower()
    normal = key.replace(" ", "_").replace("-", "_")
    if normal in DOC_TYPES:
        return normal
    if key in _DOC_TYPE_ALIASES:
        return _DOC_TYPE_ALIASES[key]
    raise SidecarError(source, f"doc_type {value!r} is not one of {', '.join(DOC_TYPES)} "
                               f"(Danish: {', '.join(sorted(_DOC_TYPE_ALIASES))})")


def _date_value(value: str, source: Path) -> str:
    m = _SIDECAR_DATE.fullmatch(value.strip())
    valid = False
    if m:
        year, month, day = m.groups()
        if day:
            valid = _iso(year, month, day) is not None
        else:
            valid = month is None or 1 <= int(month) <= 12
    if not valid:
        raise SidecarError(source, f"date {value!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
    return value.strip()


def _validated(sidecar: dict, source: Path) -> dict:
    """Sidecar values checked and normalised; ``null`` means "unknown"."""
    if not isinstance(sidecar, dict):
        raise SidecarError(source, "must be a JSON object such as {\"organisation\": \"...\"}")
    out: dict[str, Optional[str]] = {}
    for key, value in sidecar.items():
        if key not in SIDECAR_KEYS:
            raise SidecarError(source, f"unknown key {key!r} (allowed: {', '.join(SIDECAR_KEYS)})")
        if value is None:
            out[key] = None
            continue
        if not isinstance(value, str) or not value.strip():
            raise SidecarError(source, f"{key} must be a non-empty string or null, got {value!r}")
        if key == "doc_type":
            out[key] = _doc_type_value(value, source)
        elif key == "date":
            out[key] = _date_value(value, source)
        else:
            out[key] = " ".join(value.split())
    return out


def read_sidecar(path: Path) -> dict:
    """The validated contents of a sidecar (pass the sidecar or its document).

    Raises :class:`SidecarError` naming the sidecar file and the bad key, so
    the user knows exactly what to fix; the document is then not indexed
    rather than indexed with metadata the user did not intend.
    """
    path = Path(path)
    source = path if path.name.endswith(SIDECAR_SUFFIX) else sidecar_path(path)
    try:
        raw = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SidecarError(source, f"cannot be read: {exc}") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SidecarError(source, f"is not valid JSON: {exc}") from exc
    return _validated(data, source)


def apply_sidecar(meta: DocumentMeta, sidecar: dict,
                  source: Optional[Path] = None) -> DocumentMeta:
    """``meta`` with every field the sidecar sets replaced.

    Validated again, so a hand-made dict is held to the same rules as a
    file; ``source`` is the sidecar named in errors.
    """
    return dataclasses.replace(meta, **_validated(sidecar, Path(source or "sidecar")))


def load_metadata(path: Path, extracted: ExtractedText) -> DocumentMeta:
    """Inferred metadata, overridden by the sidecar if one exists."""
    meta = infer_metadata(path, extracted)
    side = sidecar_path(path)
    if side.is_file():
        meta = apply_sidecar(meta, read_sidecar(side), side)
    return meta
