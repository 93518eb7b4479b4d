"""Find documents in the documents folder and turn each file into clean text.

Every format ends in :func:`normalise_text`, so the rest of the pipeline sees
one kind of text (NFC, plain spaces, ``\\n`` line ends) and every offset in the
index points into exactly the string stored here.  A file that cannot be read
raises a :class:`~assistant.errors.DocumentError` subclass naming the file and
the reason, so indexing can report it and carry on; :func:`discover` likewise
reports, never silently drops, files it will not load.
"""
from __future__ import annotations

import codecs
import html
import io
import logging
import os
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Optional

from .errors import (
    ConfigError, CorruptDocument, DocumentError, EmptyDocument, EncryptedDocument,
    UnsupportedFormat,
)
from .models import ExtractedText, LoadFailure

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".pdf", ".docx", ".html", ".htm"})
_SUPPORTED_LIST = ", ".join(sorted(SUPPORTED_SUFFIXES))


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
_TRAILING_SPACES = re.compile(r" +\n")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def normalise_text(text: str) -> str:
    """The one canonical form of document text (see module docstring).

    Curly quotes, dashes, bullets and markdown are content and are kept.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TABLE)
    text = _TRAILING_SPACES.sub("\n", text + "\n")
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
            raise CorruptDocument(path, "contains NUL bytes: a binary file, not text")
        for encoding in ("utf-8", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f")
    if text and controls / len(text) > _MAX_CONTROL_SHARE:
        raise CorruptDocument(path, f"{controls / len(text):.0%} of the characters are "
                                    f"control characters: a binary file, not text")
    return text


# --- plain text and markdown -----------------------------------------------------

_BLOCK_TAGS = "br|p|div|li|ul|ol|h[1-6]|tr|table|hr|blockquote|pre|section|article"
_INLINE_TAGS = "b|i|u|em|strong|span|font|a|sup|sub|small|big|code|s|strike|del|ins|mark"
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK_TAGS})\b[^<>]*>", re.IGNORECASE)
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE_TAGS}|td|th|tbody|thead|img)\b[^<>]*>",
                         re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def _strip_markup(text: str) -> str:
    """Remove stray HTML left in text exported from web pages or e-mails.

    Only well-known tag names are touched, so markdown autolinks such as
    ``<https://...>`` survive; block tags become line breaks so words are not
    glued together.  Entities need their ``;`` so URLs like ``?a=1&copy=2``
    are left alone.  Tags go before entities: ``&lt;b&gt;`` stays literal.
    """
    text = _BLOCK_TAG.sub("\n", text)
    text = _INLINE_TAG.sub("", text)
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def _load_text(data: bytes, path: Path) -> ExtractedText:
    return ExtractedText(normalise_text(_strip_markup(decode_text(data, path))))


# --- PDF ---------------------------------------------------------------------------

def _load_pdf(data: bytes, path: Path) -> ExtractedText:
    """Page by page, so ``page_starts`` can cite pages exactly.

    pypdf raises many exception types on damaged files (not only its own), so
    anything it raises is reported as a corrupt PDF instead of ending indexing.
    """
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    # pypdf logs every quirk of real-world PDFs ("EOF marker not found", ...) as
    # a warning on stderr; what matters is reported through our exceptions.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise EncryptedDocument(path, "PDF is encrypted and the empty password "
                                          "does not open it")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = _one_line(reader.metadata.title if reader.metadata else None)
    except DocumentError:
        raise
    except DependencyError:
        raise EncryptedDocument(path, "PDF is AES-encrypted and the 'cryptography' package "
                                      "needed to decrypt it is not installed") from None
    except Exception as exc:  # noqa: BLE001 - see docstring
        raise CorruptDocument(path, f"not a readable PDF: {exc or type(exc).__name__}") from None
    if not pages:
        raise EmptyDocument(path, "PDF has no pages")
    text, starts = "", []
    for page in map(normalise_text, pages):
        sep = "\n\n" if text else ""
        starts.append(len(text) + len(sep))
        if page:
            text += sep + page
    if not text:
        raise EmptyDocument(path, "PDF has no text layer; it seems to be scanned "
                                  "(run OCR on it first)")
    # An empty last page would start past the end; it owns no text either way.
    return ExtractedText(text, tuple(min(s, len(text)) for s in starts), title=title)


# --- DOCX --------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADING_STYLES = ("heading", "overskrift", "title", "titel")


def _docx_table(table) -> str:
    """One line per row, cells joined by ' | '; a merged cell appears once."""
    lines = []
    for row in table.rows:
        cells, last = [], None
        for cell in row.cells:
            if cell._tc is last:
                continue
            last = cell._tc
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def _load_docx(data: bytes, path: Path) -> ExtractedText:
    """Body paragraphs and tables in document order; heading styles as hints."""
    import docx
    from docx.table import Table

    if data.startswith(_OLE_MAGIC):
        # Password-protected DOCX files are OLE containers with this stream.
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise EncryptedDocument(path, "DOCX is password-protected")
        raise CorruptDocument(path, "this is an old Word .doc file with a .docx name; "
                                    "save it as .docx")
    try:
        document = docx.Document(io.BytesIO(data))
        blocks, headings = [], []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                block = normalise_text(_docx_table(item))
            else:
                block = normalise_text(item.text)
                style = (item.style.name if item.style is not None else "") or ""
                if block and style.lower().startswith(_HEADING_STYLES):
                    headings.append(block)
            if block:
                blocks.append(block)
        title = _one_line(document.core_properties.title)
    except zipfile.BadZipFile as exc:
        raise CorruptDocument(path, f"not a valid DOCX (zip) file: {exc}") from None
    except KeyError as exc:
        raise CorruptDocument(path, f"DOCX is missing a required part: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - damaged XML raises many types
        raise CorruptDocument(path, f"not a readable DOCX file: {exc or type(exc).__name__}") \
            from None
    return ExtractedText("\n\n".join(blocks), headings=tuple(headings), title=title)


# --- HTML ----------------------------------------------------------------------------

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


def _load_html(data: bytes, path: Path) -> ExtractedText:
    """Visible text in blocks; an explicit walk (not ``get_text``) keeps block
    boundaries, and a stack (not recursion) copes with deeply nested pages."""
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(_decode_html(data, path), "html.parser")
    title = _one_line(soup.title.get_text()) if soup.title else None
    if title is None and soup.h1 is not None:
        title = _one_line(soup.h1.get_text(" "))
    for tag in soup.find_all(_DROP):
        tag.decompose()
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
    return ExtractedText("\n\n".join(blocks), headings=tuple(headings), title=title)


# --- entry point ------------------------------------------------------------------------

_LOADERS = {".txt": _load_text, ".md": _load_text, ".pdf": _load_pdf,
            ".docx": _load_docx, ".html": _load_html, ".htm": _load_html}


def load_file(path: Path) -> ExtractedText:
    """Extract normalised text from one file; raises DocumentError subclasses only."""
    path = Path(path)
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnsupportedFormat(path, f"file type {path.suffix or '(no suffix)'} is not "
                                      f"supported (supported: {_SUPPORTED_LIST})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(path, f"cannot read file: {exc.strerror or exc}") from None
    if not data:
        raise EmptyDocument(path, "file is empty (0 bytes)")
    extracted = loader(data, path)
    if not extracted.text.strip():
        raise EmptyDocument(path, "file contains no text")
    return extracted
