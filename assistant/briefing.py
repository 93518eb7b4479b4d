"""Briefing notes: an answer (or comparison) as Markdown and as DOCX.

For a politician's meeting folder: the question, the answer, the comparison
table when there is one, and every quote with its full citation (document,
organisation, type, date, case number, section, page, offsets).  Document text
is written as text: the DOCX gets plain runs, the Markdown gets quoted lines.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from . import messages
from .models import Answer

_HEAD = {
    "da": {"title": "Notat", "question": "Spørgsmål", "answer": "Svar", "comparison": "Sammenligning",
           "organisation": "Organisation", "says": "Udsagn",
           "made": "Udarbejdet med Strategiassistenten"},
    "en": {"title": "Briefing note", "question": "Question", "answer": "Answer",
           "comparison": "Comparison", "organisation": "Organisation", "says": "Statement",
           "made": "Prepared with the strategy assistant"},
}


def _labels(answer: Answer, lang: str | None) -> tuple[str, dict]:
    lang = lang or answer.language
    return lang, _HEAD["en" if lang == "en" else "da"]


def comparison_rows(answer: Answer, lang: str = "da") -> list[tuple[str, str, str]]:
    """(organisation, statement, citation numbers) per row; silent organisations too."""
    lang, _ = _labels(answer, lang)
    rows = []
    for f in answer.comparison:
        if f.silent:
            rows.append((f.organisation, messages.silence(f, lang), ""))
        for p in f.passages:
            rows.append((messages.party(f, lang), p.quote(),
                         messages.citation_number(p.rank, p.page_of(), lang)))
    return rows


def briefing_markdown(answer: Answer, lang: str | None = None) -> str:
    """Question, answer, comparison table, quoted passages with full citations."""
    lang, h = _labels(answer, lang)
    lines = [f"## {h['question']}", "", answer.question, "", f"## {h['answer']}", "",
             answer.answer, ""]
    if answer.comparison:
        lines += [f"## {h['comparison']}", "", f"| {h['organisation']} | {h['says']} | |",
                  "| --- | --- | --- |"]
        lines += [f"| {o} | {s.replace('|', '/')} | {c} |" for o, s, c in comparison_rows(answer, lang)]
        lines.append("")
    if answer.passages:
        lines += [f"## {messages.sources_heading(answer, lang)}", ""]
        for p in answer.passages:
            lines.append(messages.cite(p, lang))
            lines.append("")
            lines += ["> " + line if line.strip() else ">" for line in p.chunk.text.split("\n")]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def briefing_docx(answer: Answer, path: Path | str, lang: str | None = None) -> Path:
    """The same note as a Word document (python-docx), every citation in full."""
    import docx

    lang, h = _labels(answer, lang)
    doc = docx.Document()
    doc.core_properties.title = f"{h['title']}: {answer.question}"[:250]
    doc.add_heading(h["title"], level=0)
    doc.add_paragraph().add_run(f"{h['made']}, {date.today().isoformat()}").italic = True
    doc.add_heading(h["question"], level=1)
    doc.add_paragraph(answer.question)
    doc.add_heading(h["answer"], level=1)
    for line in answer.answer.split("\n"):
        if line.strip():
            style = "List Bullet" if line.startswith("- ") else None
            doc.add_paragraph(line[2:] if style else line, style=style)
    if answer.comparison:
        doc.add_heading(h["comparison"], level=1)
        rows = comparison_rows(answer, lang)
        table = doc.add_table(rows=1 + len(rows), cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, (h["organisation"], h["says"], "")):
            cell.text = text
        for row, values in zip(table.rows[1:], rows):
            for cell, text in zip(row.cells, values):
                cell.text = text
    if answer.passages:
        doc.add_heading(messages.sources_heading(answer, lang), level=1)
        for p in answer.passages:
            doc.add_paragraph(messages.cite(p, lang)).runs[0].bold = True
            doc.add_paragraph(p.chunk.text, style="Quote")
    path = Path(path)
    doc.save(str(path))
    return path


def theme_columns(overview: dict) -> list[str]:
    """The organisations of the themes x organisations table, in column order
    (alphabetical; documents of unknown organisation last)."""
    return sorted({o for cells in overview.values() for o in cells},
                  key=lambda o: (o == messages.UNKNOWN, o))


def theme_table(overview: dict, lang: str = "da") -> tuple[list[str], list[list]]:
    """Themes x organisations as (headers, rows): passage counts per cell."""
    from .themes_data import theme_label

    orgs = theme_columns(overview)
    headers = ["Tema" if lang != "en" else "Theme"] + [messages.shown(o, lang) for o in orgs]
    rows = [[theme_label(t, lang)] + [len(cells.get(o, [])) for o in orgs]
            for t, cells in overview.items()]
    return headers, rows


def write_csv(path: Path | str, headers: list[str], rows: list[list]) -> Path:
    """Semicolon-separated with a BOM, as Danish Excel opens it with æ, ø, å intact."""
    import csv

    path = Path(path)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([headers, *rows])
    return path
