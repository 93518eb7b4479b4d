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
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import (
    ConfigError, CorruptDocument, DocumentError, EmptyDocument, EncryptedDocument, NotADocument,
    ParseTooLarge, ScannedDocument, UnsupportedFormat,
)
from .models import ExtractedText, LoadFailure

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


def _load_text(data: bytes, path: Path, limits: Limits) -> ExtractedText:
    return ExtractedText(normalise_text(_strip_markup(decode_text(data, path))))


# --- PDF ---------------------------------------------------------------------------

_TEXT_SHOWING = (b"Tj", b"TJ", b"'", b'"')
_FILLS = (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*")
_MIN_VISIBLE_PT = 1.0   # effective font size below this is unreadable: hidden text


def _numbers(args) -> list[float]:
    out = []
    for a in args:
        try:
            out.append(float(a))
        except (TypeError, ValueError):
            return []  # a pattern or colour-space name: not a plain colour
    return out


class _InvisibleText:
    """A pypdf ``visitor_operand_before`` that blanks text nobody can see.

    It follows the parts of the graphics state that decide visibility
    (``q``/``Q``, text render mode ``Tr``, font size ``Tf`` scaled by the text
    and transformation matrices, the fill colour) and empties the operands of
    text-showing operators that draw invisibly, before pypdf extracts them:

    * render mode 3 (invisible) or 7 (clip only);
    * an effective font size under 1 pt (zero-size text);
    * white fill on a page where nothing has been painted yet: white text on a
      coloured box is design, white text on the bare page is hidden.  Any
      earlier non-white fill, image or shading counts as a possible background,
      so white text is then kept: no rendering, so we keep when unsure.
    """

    def __init__(self):
        self.state = {"tr": 0, "size": 12.0, "white": False}
        self.stack: list[dict] = []
        self.painted = False
        self.dropped = 0

    def __call__(self, op, args, cm, tm) -> None:
        if op == b"q":
            self.stack.append(dict(self.state))
        elif op == b"Q":
            if self.stack:
                self.state = self.stack.pop()
        elif op == b"Tr" and args:
            self.state["tr"] = int(_numbers(args[:1])[0]) if _numbers(args[:1]) else 0
        elif op == b"Tf" and len(args) >= 2 and _numbers(args[1:2]):
            self.state["size"] = _numbers(args[1:2])[0]
        elif op in (b"g", b"rg", b"k", b"sc", b"scn"):
            n = _numbers(args)
            self.state["white"] = bool(n) and (
                all(v >= 0.98 for v in n) if len(n) in (1, 3) else
                len(n) == 4 and all(v <= 0.02 for v in n))
        elif op in (b"cs",):
            self.state["white"] = False  # a new colour space resets the fill to its default
        elif op in _FILLS:
            self.painted = self.painted or not self.state["white"]
        elif op in (b"Do", b"sh", b"INLINE IMAGE", b"BI"):
            self.painted = True
        elif op in _TEXT_SHOWING and args and self._invisible(cm, tm):
            self._blank(op, args)

    def _invisible(self, cm, tm) -> bool:
        st = self.state
        if st["tr"] in (3, 7):
            return True
        try:  # vertical scale of Tm x CTM, times the font size
            c = tm[2] * cm[0] + tm[3] * cm[2]
            d = tm[2] * cm[1] + tm[3] * cm[3]
            if abs(st["size"]) * (c * c + d * d) ** 0.5 < _MIN_VISIBLE_PT:
                return True
        except (TypeError, IndexError):
            pass
        return st["white"] and not self.painted

    def _blank(self, op, args) -> None:
        at = 2 if op == b'"' else 0
        if len(args) <= at:
            return
        value = args[at]
        if op == b"TJ" and isinstance(value, list):
            self.dropped += sum(len(v) for v in value if isinstance(v, (str, bytes)))
            del value[:]
        elif isinstance(value, (str, bytes)):
            self.dropped += len(value)
            args[at] = ""


def _has_images(page) -> bool:
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        return xobjects is not None and any(
            x.get_object().get("/Subtype") == "/Image" for x in xobjects.get_object().values())
    except Exception:  # noqa: BLE001 - only a hint for the message
        return False


def _not_a_pdf(data: bytes) -> str:
    kind = _kind_name(data)
    if kind:
        return f"not a document: the file is named .pdf but it is {kind} (by its first bytes)"
    looks = "text" if b"\x00" not in data[:4096] else "binary data"
    return f"not a document: the file is named .pdf but does not start with %PDF- (it is {looks})"


def _load_pdf(data: bytes, path: Path, limits: Limits) -> ExtractedText:
    """Page by page, so ``page_starts`` can cite pages exactly.

    pypdf raises many exception types on damaged files (not only its own); each
    of its own gets a message of its own, anything else is a corrupt PDF, so
    no file ends indexing.  MemoryError is left to the caller (the worker
    process reports it as over the memory limit).
    """
    from pypdf import PdfReader
    from pypdf import errors as pdf_errors

    if b"%PDF-" not in data[:1024]:
        raise NotADocument(path, _not_a_pdf(data))
    # pypdf logs every quirk of real-world PDFs ("EOF marker not found", ...) as
    # a warning on stderr; what matters is reported through our exceptions.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    dropped = 0
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise EncryptedDocument(path, "password protected: the PDF is encrypted and the "
                                          "empty password does not open it; save a copy "
                                          "without a password")
        count = len(reader.pages)
        if count > limits.max_pdf_pages:
            raise ParseTooLarge(path, f"PDF has {count:,} pages; the limit is "
                                      f"{limits.max_pdf_pages:,} (setting max_pdf_pages / "
                                      f"ASSISTANT_MAX_PDF_PAGES)")
        pages, images = [], 0
        for page in reader.pages:
            hide = _InvisibleText()
            pages.append(page.extract_text(visitor_operand_before=hide) or "")
            dropped += hide.dropped
            images += not pages[-1].strip() and _has_images(page)
        title = _one_line(reader.metadata.title if reader.metadata else None)
    except (DocumentError, MemoryError):
        raise
    except pdf_errors.DependencyError:
        raise EncryptedDocument(path, "PDF is AES-encrypted and the 'cryptography' package "
                                      "needed to decrypt it is not installed") from None
    except pdf_errors.FileNotDecryptedError as exc:
        raise EncryptedDocument(path, f"password protected: {exc}") from None
    except pdf_errors.LimitReachedError as exc:
        raise ParseTooLarge(path, f"a compressed part of the PDF unpacks to more than the "
                                  f"safety limit ({exc}); possibly a compression bomb") from None
    except pdf_errors.EmptyFileError:
        raise EmptyDocument(path, "PDF file is empty") from None
    except pdf_errors.PdfStreamError as exc:
        raise CorruptDocument(path, f"damaged PDF: a data stream cannot be read ({exc})") \
            from None
    except pdf_errors.PdfReadError as exc:
        raise CorruptDocument(path, f"damaged PDF: its structure cannot be read ({exc})") \
            from None
    except pdf_errors.ParseError as exc:
        raise CorruptDocument(path, f"damaged PDF: syntax error ({exc})") from None
    except RecursionError:
        raise CorruptDocument(path, "damaged PDF: its objects refer to each other in a loop "
                                    "(circular references)") from None
    except Exception as exc:  # noqa: BLE001 - see docstring
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise CorruptDocument(path, f"not a readable PDF ({detail})") from None
    if not pages:
        raise EmptyDocument(path, "PDF has no pages")
    text, starts = "", []
    for page in map(normalise_text, pages):
        sep = "\n\n" if text else ""
        starts.append(len(text) + len(sep))
        if page:
            text += sep + page
    if not text:
        if dropped:
            raise EmptyDocument(path, f"the PDF's only text is invisible ({dropped} characters "
                                      f"of white, zero-size or hidden text, dropped)")
        if images:
            raise ScannedDocument(path, f"scanned PDF without text: its {len(pages)} page(s) "
                                        f"hold only images; run OCR (text recognition) on it "
                                        f"first")
        raise ScannedDocument(path, f"PDF has no text layer on any of its {len(pages)} page(s); "
                                    f"it seems to be scanned (run OCR on it first)")
    warnings = (f"invisible text dropped: {dropped} characters of white, zero-size or "
                f"hidden (render mode 3) text in the PDF",) if dropped else ()
    # An empty last page would start past the end; it owns no text either way.
    return ExtractedText(text, tuple(min(s, len(text)) for s in starts), title=title,
                         warnings=warnings)


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


_ZIP_MAX_ENTRIES = 10_000
_ZIP_MAX_RATIO = 100            # unpacked : packed, for entries over _ZIP_RATIO_FROM
_ZIP_RATIO_FROM = 10 * _MB


def _check_zip(data: bytes, path: Path, limits: Limits) -> None:
    """Refuse a zip bomb from its directory alone, before anything is unpacked.

    The declared sizes bound what Python's zipfile will unpack (it stops at the
    declared size), so checking them is enough: a total over ``max_file_mb``,
    or one large entry packed over 100:1 (text XML packs 5-30:1), is refused.
    """
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise CorruptDocument(path, f"not a valid DOCX (zip) file: {exc}") from None
    if len(infos) > _ZIP_MAX_ENTRIES:
        raise ParseTooLarge(path, f"DOCX (zip) holds {len(infos):,} parts, more than "
                                  f"{_ZIP_MAX_ENTRIES:,}; not a real document, not opened")
    total = sum(i.file_size for i in infos)
    if total > limits.max_file_bytes:
        raise ParseTooLarge(path, f"DOCX would unpack to {_mb(total)} (declared in its zip "
                                  f"directory), over the {limits.max_file_mb:g} MB limit "
                                  f"(setting max_file_mb / ASSISTANT_MAX_FILE_MB); possibly a "
                                  f"zip bomb, not opened")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _ZIP_RATIO_FROM and ratio > _ZIP_MAX_RATIO:
            raise ParseTooLarge(path, f"DOCX part {info.filename} would unpack {ratio:,.0f}:1 "
                                      f"({_mb(info.file_size)} from {_mb(info.compress_size)}); "
                                      f"a zip bomb, not opened")


def _hidden_style_ids(document) -> set[str]:
    """Styles whose font is hidden (Word's 'Skjult'), directly or by inheritance."""
    hidden = set()
    for style in document.styles:
        current, depth = style, 0
        while current is not None and depth < 20:
            flag = getattr(getattr(current, "font", None), "hidden", None)
            if flag is not None:
                if flag:
                    hidden.add(style.style_id)
                break
            current, depth = getattr(current, "base_style", None), depth + 1
    return hidden


def _drop_hidden_runs(document) -> int:
    """Remove runs formatted as hidden (``w:vanish``, directly or through their
    character or paragraph style) from the body; return the characters removed."""
    from docx.oxml.ns import qn

    def vanish(props) -> Optional[bool]:
        flag = props.find(qn("w:vanish")) if props is not None else None
        if flag is None:
            return None
        return flag.get(qn("w:val"), "true").lower() not in ("0", "false", "off")

    def style_of(props, tag) -> Optional[str]:
        ref = props.find(qn(tag)) if props is not None else None
        return ref.get(qn("w:val")) if ref is not None else None

    hidden_styles = _hidden_style_ids(document)
    dropped = 0
    for run in list(document.element.body.iter(qn("w:r"))):
        props = run.find(qn("w:rPr"))
        hidden = vanish(props)
        if hidden is None:
            hidden = style_of(props, "w:rStyle") in hidden_styles or None
        if hidden is None:
            para = next(run.iterancestors(qn("w:p")), None)
            p_props = para.find(qn("w:pPr")) if para is not None else None
            hidden = style_of(p_props, "w:pStyle") in hidden_styles
        if hidden:
            dropped += sum(len(t.text or "") for t in run.iter(qn("w:t")))
            run.getparent().remove(run)
    return dropped


def _load_docx(data: bytes, path: Path, limits: Limits) -> ExtractedText:
    """Body paragraphs and tables in document order; heading styles as hints."""
    import docx
    from docx.table import Table

    if data.startswith(_OLE_MAGIC):
        # Password-protected DOCX files are OLE containers with this stream.
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise EncryptedDocument(path, "password protected: the DOCX is encrypted; save a "
                                          "copy without a password")
        raise CorruptDocument(path, "this is an old Word .doc file with a .docx name; "
                                    "save it as .docx")
    if not data.startswith(b"PK"):
        kind = _kind_name(data)
        if kind or b"\x00" in data[:4096]:
            raise NotADocument(path, f"not a document: the file is named .docx but it is "
                                     f"{kind or 'binary data'}, not a zip file")
    _check_zip(data, path, limits)
    try:
        document = docx.Document(io.BytesIO(data))
        dropped = _drop_hidden_runs(document)
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
    except MemoryError:
        raise
    except zipfile.BadZipFile as exc:
        raise CorruptDocument(path, f"not a valid DOCX (zip) file: {exc}") from None
    except KeyError as exc:
        raise CorruptDocument(path, f"DOCX is missing a required part: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - damaged XML raises many types
        raise CorruptDocument(path, f"not a readable DOCX file: {exc or type(exc).__name__}") \
            from None
    warnings = (f"hidden text dropped: {dropped} characters formatted as hidden in Word",) \
        if dropped else ()
    return ExtractedText("\n\n".join(blocks), headings=tuple(headings), title=title,
                         warnings=warnings)


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


_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|"
                           r"font-size\s*:\s*0(?![.\d]*[1-9])", re.IGNORECASE)


def _is_hidden(tag) -> bool:
    """Hidden by the page itself: ``hidden``, ``aria-hidden="true"`` or an
    inline style with display:none, visibility:hidden or font-size:0.  (Rules
    in style sheets are not evaluated.)"""
    return (tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true"
            or bool(_HIDING_STYLE.search(str(tag.get("style", "")))))


def _drop_hidden_elements(soup) -> int:
    """Remove hidden elements; return how many characters of text they held."""
    dropped = 0
    for tag in soup.find_all(_is_hidden):
        if tag.decomposed:  # inside an element already removed
            continue
        dropped += len("".join(tag.get_text().split()))
        tag.decompose()
    return dropped


def _load_html(data: bytes, path: Path, limits: Limits) -> ExtractedText:
    """Visible text in blocks; an explicit walk (not ``get_text``) keeps block
    boundaries, and a stack (not recursion) copes with deeply nested pages."""
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(_decode_html(data, path), "html.parser")
    title = _one_line(soup.title.get_text()) if soup.title else None
    for tag in soup.find_all(_DROP):
        tag.decompose()
    dropped = _drop_hidden_elements(soup)
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
                f"(hidden, aria-hidden or display:none)",) if dropped else ()
    return ExtractedText("\n\n".join(blocks), headings=tuple(headings), title=title,
                         warnings=warnings)


# --- entry point ------------------------------------------------------------------------

_LOADERS = {".txt": _load_text, ".md": _load_text, ".pdf": _load_pdf,
            ".docx": _load_docx, ".html": _load_html, ".htm": _load_html}


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
    loader = _LOADERS.get(path.suffix.lower())
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
