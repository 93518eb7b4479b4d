"""Text out of Word (DOCX) files, refusing zip bombs and dropping hidden runs.

Split from :mod:`assistant.loaders` (which dispatches here by suffix): a DOCX
is a zip archive, so its directory is checked (total unpacked size, entry
count, compression ratio) before python-docx unpacks anything, an old
``.doc`` or a password-protected file under a ``.docx`` name is named as such,
and runs formatted as hidden in Word are removed before the body paragraphs
and tables are read in document order.  Page headers and footers are read
once each, before and after the body: a letterhead or footer is often the
only place a letter names its sender and case number.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Optional

from .errors import CorruptDocument, EncryptedDocument, NotADocument, ParseTooLarge
from .loaders import _MB, Limits, _kind_name, _mb, _one_line, normalise_text
from .models import ExtractedText

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


def _drop_hidden_runs(root, hidden_styles: set[str]) -> int:
    """Remove runs formatted as hidden (``w:vanish``, directly or through their
    character or paragraph style) below ``root`` (the body, a header or a footer);
    return the characters removed."""
    from docx.oxml.ns import qn

    def vanish(props) -> Optional[bool]:
        flag = props.find(qn("w:vanish")) if props is not None else None
        if flag is None:
            return None
        return flag.get(qn("w:val"), "true").lower() not in ("0", "false", "off")

    def style_of(props, tag) -> Optional[str]:
        ref = props.find(qn(tag)) if props is not None else None
        return ref.get(qn("w:val")) if ref is not None else None

    dropped = 0
    for run in list(root.iter(qn("w:r"))):
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


def _text_blocks(container, headings: list[str] | None = None) -> list[str]:
    """Paragraphs and tables of a body, header or footer, in order; heading
    styles go to ``headings`` when given."""
    from docx.table import Table
    blocks = []
    for item in container.iter_inner_content():
        if isinstance(item, Table):
            block = normalise_text(_docx_table(item))
        else:
            block = normalise_text(item.text)
            style = (item.style.name if item.style is not None else "") or ""
            if headings is not None and block and style.lower().startswith(_HEADING_STYLES):
                headings.append(block)
        if block:
            blocks.append(block)
    return blocks


def _margins(document, which: str, hidden_styles: set[str]) -> tuple[list[str], int]:
    """Text blocks of every distinct page header (``which="header"``) or footer,
    each once, and the hidden characters dropped from them."""
    blocks, dropped = [], 0
    for section in document.sections:
        for kind in (f"first_page_{which}", which, f"even_page_{which}"):
            part = getattr(section, kind)
            if part.is_linked_to_previous:     # none of its own
                continue
            dropped += _drop_hidden_runs(part._element, hidden_styles)
            blocks += [b for b in _text_blocks(part) if b not in blocks]
    return blocks, dropped


def load_docx(data: bytes, path: Path, limits: Limits) -> ExtractedText:
    """Header, body paragraphs and tables in document order, footer; heading
    styles as hints."""
    import docx

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
        hidden_styles = _hidden_style_ids(document)
        dropped = _drop_hidden_runs(document.element.body, hidden_styles)
        headings: list[str] = []
        body = _text_blocks(document, headings)
        head, head_dropped = _margins(document, "header", hidden_styles)
        foot, foot_dropped = _margins(document, "footer", hidden_styles)
        dropped += head_dropped + foot_dropped
        blocks = [b for b in head if b not in body] + body + [b for b in foot if b not in body]
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

