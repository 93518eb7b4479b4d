"""Text out of PDF files, page by page, with the defences a shared drive needs.

Split from :mod:`assistant.loaders` (which dispatches here by suffix) because
PDF is the one format whose reading is a small program of its own: pypdf's
many failure modes each get a message that says what is wrong (encrypted,
damaged, a compression bomb, over the page cap, scanned without a text
layer), and text nobody can see (render mode 3, zero-size, white on the bare
page) is blanked before extraction by :class:`_InvisibleText` and reported
through :attr:`~assistant.models.ExtractedText.warnings`.
"""
from __future__ import annotations

import io
import logging
from pathlib import Path

from .errors import (
    CorruptDocument, DocumentError, EmptyDocument, EncryptedDocument, NotADocument,
    ParseTooLarge, ScannedDocument,
)
from .loaders import Limits, _kind_name, _one_line, normalise_text
from .models import ExtractedText
from .reflow import drop_running_lines, reflow_page

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


def load_pdf(data: bytes, path: Path, limits: Limits) -> ExtractedText:
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
    for page in (reflow_page(normalise_text(p)) for p in drop_running_lines(pages)):
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

