"""Find documents in the documents folder and turn each file into clean text.

Every format ends in :func:`normalise_text`, so the rest of the pipeline sees
one kind of text (NFC, plain spaces, ``\\n`` line ends) and every offset in the
index points into exactly the string stored here.  A file that cannot be read
raises a :class:`~assistant.errors.DocumentError` subclass naming the file and
the reason, so indexing can report it and carry on; :func:`discover` likewise
reports, never silently drops, files it will not load.

Hostile or odd files are refused before the expensive step where possible:
size and page caps (:class:`Limits`), a DOCX's zip directory is read before
python-docx unpacks it, a PDF must start like one.  Text nobody sees (hidden
HTML elements, hidden Word runs, invisible PDF text) is dropped and the file
flagged through :attr:`ExtractedText.warnings`.  Time and memory limits need a
separate process: :mod:`assistant.isolation` runs :func:`load_file` there.

This module holds what every format shares (discovery, :class:`Limits`,
decoding, normalisation, plain text and markdown, and :func:`load_file`,
which reads the bytes and dispatches by suffix); each richer format has a
reader of its own: :mod:`assistant.pdf_reader`, :mod:`assistant.docx_reader`
and :mod:`assistant.html_reader`.
"""
from __future__ import annotations

import codecs
import html
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import (
    ConfigError, CorruptDocument, DocumentError, EmptyDocument, NotADocument, ParseTooLarge,
    UnsupportedFormat,
)
from .models import ExtractedText, LoadFailure
from .reflow import hard_wrapped, reflow_markdown, reflow_page

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".pdf", ".docx", ".html", ".htm"})
_SUPPORTED_LIST = ", ".join(sorted(SUPPORTED_SUFFIXES))
_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps checked before and while parsing (defaults = the Settings defaults)."""

    max_file_mb: float = 100.0   # file size; also what a DOCX may unpack to
    max_pdf_pages: int = 2000

    @classmethod
    def from_settings(cls, settings) -> "Limits":
        return cls(max_file_mb=settings.max_file_mb, max_pdf_pages=settings.max_pdf_pages)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * _MB)


def _mb(n: int) -> str:
    return f"{n / _MB:,.1f} MB"


# --- discovery ---------------------------------------------------------------

def _skipped(name: str) -> bool:
    """Names that are not documents: hidden files, metadata sidecars, the
    folder's README, and Word's ``~$`` lock files (present while a document
    is open in Word; they would otherwise be reported as corrupt)."""
    return (name.startswith(".") or name.lower().endswith(".meta.json")
            or name.upper().startswith("README") or name.startswith("~$"))


def _failure(path: Path, code: str, reason: str) -> LoadFailure:
    """A refused file, its reason led by its name as DocumentError messages are."""
    return LoadFailure(str(path), code, f"{path.name}: {reason}")


def discover(root: Path) -> tuple[list[Path], list[LoadFailure]]:
    """All loadable files under ``root`` (recursive) and the files refused.

    Both lists are sorted by path relative to ``root``, so two runs over the
    same folder give the same order.  Symbolic links are followed only while
    they stay inside ``root``: a documents folder must not be a door to the
    rest of the disk.  A directory reached twice (a link loop) is walked once.
    """
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(f"documents folder {root} does not exist or is not a folder "
                          f"(setting docs_dir / ASSISTANT_DOCS_DIR)")
    real_root = root.resolve()
    files: list[Path] = []
    failures: list[LoadFailure] = []
    seen_dirs = {real_root}
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            failures.append(_failure(Path(folder), "unreadable",
                                        f"cannot list folder: {exc.strerror or exc}"))
            continue
        for entry in entries:
            if _skipped(entry.name):
                continue
            path = Path(entry.path)
            if entry.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(real_root):
                    failures.append(_failure(path, "outside",
                                                f"symbolic link points outside the documents "
                                                f"folder (to {target}); not followed"))
                    continue
                if not target.exists():
                    failures.append(_failure(path, "unreadable",
                                                f"broken symbolic link (to {target})"))
                    continue
            if entry.is_dir():
                real = path.resolve()
                if real not in seen_dirs:
                    seen_dirs.add(real)
                    pending.append(path)
            elif path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(path)
            else:
                suffix = path.suffix or "(no suffix)"
                failures.append(_failure(path, "unsupported",
                                            f"file type {suffix} is not supported "
                                            f"(supported: {_SUPPORTED_LIST})"))

    def order(p: Path) -> tuple[str, ...]:
        return Path(p).relative_to(root).parts

    files.sort(key=order)
    failures.sort(key=lambda f: order(Path(f.path)))
    return files, failures


# --- text normalisation ------------------------------------------------------

_SPACES = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009" \
          "\u200a\u202f\u205f\u3000"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
_TABLE: dict[int, Optional[str]] = {c: None for c in [*range(0x20), *range(0x7f, 0xa0)]
                                    if c != 0x0A}
_TABLE.update({ord(c): " " for c in _SPACES})
_TABLE.update({ord(c): None for c in _INVISIBLE})
# Line-ish controls become line breaks rather than vanishing and gluing words.
_TABLE.update({0x0B: "\n", 0x0C: "\n", 0x85: "\n",
               0x2028: "\n", 0x2029: "\n\n"})
# Typographic ligatures (in PDFs typeset by Word or InDesign) are their letters:
# "ﬁnansiering" is searched and quoted as "finansiering".
_TABLE.update({0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl",
               0xFB05: "st", 0xFB06: "st"})
_TRAILING_SPACES = re.compile(r" +\n")
_MANY_NEWLINES = re.compile(r"\n{3,}")
# A word hyphenated at a line end ("kommu-\nnerne", or across the blank lines a
# page break leaves: "sikker-\n\nhedsniveau") is one word again, so it can be
# searched and quoted.  Kept apart: a capital before the hyphen ("IT-\nløsninger"
# keeps its hyphen, only the break goes) and Danish suspended compounds
# ("digitaliserings-\nog kanalstrategi").  A soft hyphen at a break joins too.
_BROKEN_WORD = re.compile(r"(?<=[a-zæøåé]{2})-\n(?:[ \t]*\n)*[ \t]*"
                          r"(?=[a-zæøå])(?!(?:og|eller|samt|and|or)\b)")
_BROKEN_COMPOUND = re.compile(r"(?<=[A-ZÆØÅ0-9]-)\n[ \t]*(?=[a-zæøå])(?!(?:og|eller|samt)\b)")
_SOFT_BREAK = re.compile("\u00ad[ \t]*\n[ \t]*")


def normalise_text(text: str) -> str:
    """The one canonical form of document text (see module docstring), with
    words broken at line ends joined again.

    Curly quotes, dashes, bullets and markdown are content and are kept.
    """
    text = _SOFT_BREAK.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _TRAILING_SPACES.sub("\n", text.translate(_TABLE) + "\n")
    text = _BROKEN_COMPOUND.sub("", _BROKEN_WORD.sub("", text))
    text = _MANY_NEWLINES.sub("\n\n", text).strip("\n")
    return unicodedata.normalize("NFC", text)


def _one_line(text: Optional[str]) -> Optional[str]:
    """Metadata titles and headings as a single clean line, or None if blank."""
    line = " ".join(normalise_text(text or "").split())
    return line or None


# --- decoding ------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_MAX_CONTROL_SHARE = 0.02


def decode_text(data: bytes, path: Path) -> str:
    """Bytes of a text file to str, refusing binary files given a text name.

    Order: byte-order mark, strict UTF-8, cp1252 (what Danish Windows wrote
    before UTF-8), then latin-1, which decodes anything.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding.removesuffix("-sig"))
            except UnicodeDecodeError as exc:
                raise CorruptDocument(path, f"invalid {encoding} text despite its "
                                            f"byte-order mark: {exc.reason}") from None
            break
    else:
        if b"\x00" in data:
            raise NotADocument(path, f"not a document: contains NUL bytes, so it is binary "
                                     f"data{_kind_of(data)}, not text")
        for encoding in ("utf-8", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f")
    if text and controls / len(text) > _MAX_CONTROL_SHARE:
        raise NotADocument(path, f"not a document: {controls / len(text):.0%} of the characters "
                                 f"are control characters, so it is binary data{_kind_of(data)}, "
                                 f"not text")
    return text


_MAGIC = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"PK\x03\x04", "a zip archive (or an Office file)"),
          (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc/.xls)"),
          (b"MZ", "a Windows program"),
          (b"\x7fELF", "a program"), (b"%PDF-", "a PDF"), (b"\x1f\x8b", "a gzip archive"),
          (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"))


def _kind_name(data: bytes) -> Optional[str]:
    """'a PNG image' for known binary formats (by their first bytes), else None."""
    return next((name for magic, name in _MAGIC if data.startswith(magic)), None)


def _kind_of(data: bytes) -> str:
    name = _kind_name(data)
    return f" ({name}, by its first bytes)" if name else ""


# --- plain text and markdown -----------------------------------------------------

_BLOCK_TAGS = "br|p|div|li|ul|ol|h[1-6]|tr|table|hr|blockquote|pre|section|article"
_INLINE_TAGS = "b|i|u|em|strong|span|font|a|sup|sub|small|big|code|s|strike|del|ins|mark"
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK_TAGS})\b[^<>]*>", re.IGNORECASE)
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE_TAGS}|td|th|tbody|thead|img)\b[^<>]*>",
                         re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


# Markdown's inline marks, as text exported from web pages carries them: what is
# quoted and shown is the text ("**mandag den 20. april 2015**", "[her](https://...)").
_MD_BOLD = re.compile(r"\*\*(?=[^\s*])([^\n]+?)(?<=[^\s*])\*\*")
_MD_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:https?://|www\.|mailto:)[^)\s]*\)")
_MD_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^<>\s]+)>")


def _strip_markup(text: str) -> str:
    """Remove stray HTML and Markdown's inline marks from plain-text files.

    Only well-known tag names are touched; block tags become line breaks so
    words are not glued together.  Entities need their ``;`` so URLs like
    ``?a=1&copy=2`` are left alone.  Tags go before entities: ``&lt;b&gt;``
    stays literal.  Markdown emphasis goes only in pairs that hug their words
    (a lone "*" or "2 * 3" stays); a link keeps its label, an autolink its
    address.  Headings and list marks stay: the chunker reads them.
    """
    text = _BLOCK_TAG.sub("\n", text)
    text = _INLINE_TAG.sub("", text)
    text = _MD_AUTOLINK.sub(r"\1", _MD_LINK.sub(r"\1", text))
    text = _MD_ITALIC.sub(r"\1", _MD_BOLD.sub(r"\1", text))
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def _load_text(data: bytes, path: Path, limits: Limits) -> ExtractedText:
    """Plain text; a .txt file wrapped at a fixed width (an e-mail, a case
    system's export) is reflowed into paragraphs as a PDF page is, a Markdown
    file's paragraphs as Markdown reads them."""
    text = decode_text(data, path)
    if path.suffix.lower() == ".md":
        text = reflow_markdown(text)
    text = normalise_text(_strip_markup(text))
    if path.suffix.lower() == ".txt" and hard_wrapped(text):
        text = reflow_page(text)
    return ExtractedText(text)


# --- entry point ------------------------------------------------------------------------

def _reader(suffix: str):
    """The function that reads files with this (lower-case) suffix, or None.

    The format modules are imported here, on first use, not at the top: they
    import :func:`normalise_text` and the other shared helpers from this module.
    """
    if suffix in (".txt", ".md"):
        return _load_text
    if suffix == ".pdf":
        from .pdf_reader import load_pdf
        return load_pdf
    if suffix == ".docx":
        from .docx_reader import load_docx
        return load_docx
    if suffix in (".html", ".htm"):
        from .html_reader import load_html
        return load_html
    return None


def _too_big(path: Path, size: int, limits: Limits) -> ParseTooLarge:
    return ParseTooLarge(path, f"file is {_mb(size)}; the limit is {limits.max_file_mb:g} MB "
                               f"(setting max_file_mb / ASSISTANT_MAX_FILE_MB)")


def check_size(path: Path, limits: Limits) -> int:
    """The file's size; ParseTooLarge (naming the limit) if over ``max_file_mb``."""
    size = Path(path).stat().st_size
    if size > limits.max_file_bytes:
        raise _too_big(Path(path), size, limits)
    return size


def load_file(path: Path, limits: Optional[Limits] = None) -> ExtractedText:
    """Extract normalised text from one file; raises DocumentError subclasses only
    (and MemoryError, which :mod:`assistant.isolation` turns into one).

    This runs in the calling process with no time or memory limit; the indexer
    calls it through :mod:`assistant.isolation`, which adds both.
    """
    path = Path(path)
    limits = limits or Limits()
    loader = _reader(path.suffix.lower())
    if loader is None:
        raise UnsupportedFormat(path, f"file type {path.suffix or '(no suffix)'} is not "
                                      f"supported (supported: {_SUPPORTED_LIST})")
    try:
        size = check_size(path, limits)
        with path.open("rb") as handle:  # it may have grown since: stop one byte past the cap
            parts, left = [], limits.max_file_bytes + 1
            while left > 0 and (part := handle.read(min(left, max(size, 1 << 20)))):
                parts.append(part)
                left -= len(part)
            data = b"".join(parts)
    except OSError as exc:
        raise DocumentError(path, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > limits.max_file_bytes:
        raise _too_big(path, path.stat().st_size, limits)
    if not data:
        raise EmptyDocument(path, "file is empty (0 bytes)")
    extracted = loader(data, path, limits)
    if not extracted.text.strip():
        raise EmptyDocument(path, "file contains no text")
    return extracted
