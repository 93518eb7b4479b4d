"""Generators of real document files for tests, so no binaries are committed.

Each function writes one file into ``directory`` and returns its path.  The
files are made by the same libraries real documents come from (reportlab for
PDF, python-docx for DOCX), so the loaders are tested against genuine formats.
Import with ``from fixtures import make_pdf`` (pytest puts ``tests/`` on the path).
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Optional, Sequence

# Bitstream Vera ships inside reportlab, so it is always there.  Unlike the
# built-in Helvetica (WinAnsi), an embedded TrueType font carries a ToUnicode
# map, so every character (æøå, curly quotes, dashes, bullets) survives
# extraction exactly.
_FONT = "Vera"
_FONT_SIZE = 11
_LEADING = 14
_MARGIN = 72


def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_FONT, "Vera.ttf"))
    return _FONT


def _pdf_bytes(pages: Sequence[str], title: Optional[str]) -> bytes:
    """One PDF page per string; lines are wrapped to the page width and a
    ``\\n`` in the string starts a new line.  Text that does not fit on one
    page is an error rather than silently spilling onto an extra page, which
    would shift every page number a test relies on."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    font = _register_font()
    width, height = A4
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    if title is not None:
        pdf.setTitle(title)
    max_lines = int((height - 2 * _MARGIN) // _LEADING)
    for number, page in enumerate(pages, start=1):
        lines = [wrapped for line in page.split("\n")
                 for wrapped in (simpleSplit(line, font, _FONT_SIZE, width - 2 * _MARGIN) or [""])]
        if len(lines) > max_lines:
            raise ValueError(f"page {number} needs {len(lines)} lines; at most {max_lines} fit")
        text = pdf.beginText(_MARGIN, height - _MARGIN)
        text.setFont(font, _FONT_SIZE, _LEADING)
        for line in lines:
            text.textLine(line)
        pdf.drawText(text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_pdf(directory: Path, name: str, pages: Sequence[str],
             title: Optional[str] = None) -> Path:
    """A text PDF with one page per string (an empty string gives a blank page)."""
    path = Path(directory) / name
    path.write_bytes(_pdf_bytes(pages, title))
    return path


def make_pdf_from_text(directory: Path, name: str, text: str, lines_per_page: int = 48) -> Path:
    """``text`` printed as a word processor would: each line wrapped to the page
    width, pages filled to ``lines_per_page`` lines.  Its paragraphs reach the
    PDF as wrapped lines, as in a real hearing response saved to PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit

    font, usable = _register_font(), A4[0] - 2 * _MARGIN
    pages, page, used = [], [], 0
    for line in text.split("\n"):
        height = len(simpleSplit(line, font, _FONT_SIZE, usable) or [""])
        if used + height > lines_per_page:
            pages.append("\n".join(page))
            page, used = [], 0
        page.append(line)
        used += height
    pages.append("\n".join(page))
    return make_pdf(directory, name, pages)


def make_encrypted_pdf(directory: Path, name: str, user_password: str = "hemmelig",
                       pages: Sequence[str] = ("Fortrolig side om økonomi.",)) -> Path:
    """An encrypted PDF.  ``user_password=""`` gives the common kind that opens
    without a password (only an owner password restricts it).  RC4 is used
    because pypdf needs the optional 'cryptography' package for AES."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf_bytes(pages, None))))
    writer.encrypt(user_password, owner_password="ejer-" + user_password,
                   algorithm="RC4-128")
    path = Path(directory) / name
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def make_corrupt_pdf(directory: Path, name: str) -> Path:
    """The first third of a real PDF: a valid header, then nothing usable."""
    data = _pdf_bytes(["Denne side bliver aldrig læst."], None)
    path = Path(directory) / name
    path.write_bytes(data[: len(data) // 3])
    return path


def make_docx(directory: Path, name: str, blocks: Sequence[tuple[str, str]],
              title: Optional[str] = None,
              table: Optional[Sequence[Sequence[str]]] = None,
              table_after: Optional[int] = None) -> Path:
    """A DOCX of ``(style, text)`` paragraphs, e.g. ``("Heading 1", "Sikkerhed")``
    or ``("Normal", "...")``; style names are Word's built-in English ones.
    ``table`` (rows of cell texts) is inserted after block ``table_after``
    (0-based; default: after the last block)."""
    import docx

    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    where = len(blocks) - 1 if table_after is None else table_after
    if table is not None and where < 0:
        _add_table(document, table)
    for i, (style, text) in enumerate(blocks):
        document.add_paragraph(text, style=style)
        if table is not None and i == where:
            _add_table(document, table)
    path = Path(directory) / name
    document.save(str(path))
    return path


def _add_table(document, rows: Sequence[Sequence[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for row, values in zip(table.rows, rows):
        for cell, value in zip(row.cells, values):
            cell.text = value


def make_html(directory: Path, name: str, title: str, body_html: str,
              charset: str = "utf-8", head_extra: str = "") -> Path:
    """An HTML page with ``<title>`` and ``<meta charset>``, encoded in ``charset``.

    ``body_html`` is inserted as is (entities, scripts and all); characters
    the charset cannot encode become numeric character references.
    """
    page = (f"<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"{charset}\">\n"
            f"<title>{html.escape(title)}</title>\n{head_extra}</head>\n"
            f"<body>\n{body_html}\n</body>\n</html>\n")
    path = Path(directory) / name
    path.write_bytes(page.encode(charset, errors="xmlcharrefreplace"))
    return path


def write_cp1252(directory: Path, name: str, text: str) -> Path:
    """Text as legacy Danish Windows software saved it: cp1252, CRLF line ends."""
    path = Path(directory) / name
    path.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    return path


def make_empty(directory: Path, name: str) -> Path:
    """A file of 0 bytes."""
    path = Path(directory) / name
    path.write_bytes(b"")
    return path
