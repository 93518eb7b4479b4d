"""The handlers behind the web page, as plain methods testable without a browser.

Each method takes what the page sends and returns what it shows; every
decision is made by the API modules (follow-ups in ``chat``, answers in
``api``, uploads in ``uploads``), and document text reaches the page only
through ``render`` (escaped).
"""
from __future__ import annotations

import html
import tempfile
from pathlib import Path
from typing import Iterator, NamedTuple

from . import generate, messages
from .api import Assistant
from .briefing import (
    briefing_docx, briefing_markdown, comparison_rows, theme_columns, theme_table, write_csv,
)
from .chat import resolve_followup
from .errors import AssistantError
from .models import Answer
from .themes_data import THEMES, theme_label
from .render import answer_markdown, escape, sources_html
from .ui_text import LABELS
from .uploads import safe_filename, save_upload


class Turn(NamedTuple):
    """What one chat turn updates on the page, in the order of the outputs."""

    history: list
    sources: str
    originals: list | None
    exported: str
    markdown_file: str | None
    docx_file: str | None
    comparison: list | None       # rows (organisation, statement, citation)
    note: str
    previous: str | None


class AppLogic:
    """The handlers behind the page, as plain methods (testable without a browser)."""

    def __init__(self, bot: Assistant):
        self.bot = bot

    def labels(self, lang: str) -> dict:
        return LABELS.get(lang, LABELS["da"])

    def ask(self, question: str, history: list, previous: str | None, orgs: list[str] | None,
            types: list[str] | None, lang: str, themes: list[int] | None = None) -> Turn:
        """One chat turn, answered completely (the last of :meth:`turns`)."""
        *_, last = self.turns(question, history, previous, orgs, types, lang, themes)
        return last

    def turns(self, question: str, history: list, previous: str | None,
              orgs: list[str] | None, types: list[str] | None, lang: str,
              themes: list[int] | None = None) -> Iterator[Turn]:
        """One chat turn as the page shows it: the extractive answer at once;
        then, when a language model is configured, its answer as it streams in
        (an unchecked preview) and finally the checked one, or the extractive
        answer again with a note saying why."""
        labels = self.labels(lang)
        history = list(history or [])
        question = (question or "").strip()
        if not question:
            yield Turn(history, sources_html_empty(labels), None, "", None, None, None, "",
                       previous)
            return
        resolved = resolve_followup(question, previous, self.bot.organisations())
        try:
            answer = self.bot.ask(resolved, organisations=orgs or None, doc_types=types or None,
                                  themes=themes or None)
        except AssistantError as exc:
            history += [{"role": "user", "content": question},
                        {"role": "assistant", "content": messages.describe(exc, lang)}]
            yield Turn(history, sources_html_empty(labels), None, "", None, None, None, "",
                       previous)
            return
        history.append({"role": "user", "content": question})
        note = f"*{labels['resolved']}: {resolved}*" if resolved != question else ""
        turn = self._turn(answer, history, note, resolved, lang)
        yield turn
        if not (generate.enabled(self.bot.settings) and answer.passages) \
                or answer.not_in_documents:   # nothing there to write an answer from
            return
        for chunk in generate.stream_answer(answer, self.bot.settings):
            if chunk.done:
                yield self._turn(chunk.answer, history, note, resolved, lang)
            else:
                preview = escape(chunk.text) + " ▌"
                yield turn._replace(history=history + [{"role": "assistant", "content": preview}])

    def _turn(self, answer, history: list, note: str, resolved: str, lang: str) -> Turn:
        labels = self.labels(lang)
        history = history + [{"role": "assistant",
                              "content": answer_markdown(answer, lang, with_sources=False)}]
        contexts = [p.in_context() for p in answer.passages]
        originals = sorted({str(self.bot.source_file(p.chunk.doc_id)) for p in answer.passages})
        exported = briefing_markdown(answer, lang)
        folder = Path(tempfile.mkdtemp(prefix="strategiassistent-"))
        md_file = folder / "notat.md"
        md_file.write_text(exported, encoding="utf-8")
        docx_file = briefing_docx(answer, folder / "notat.docx", lang)
        rows = [list(r) for r in comparison_rows(answer, lang)] or None
        return Turn(history, sources_html(answer, contexts, labels), originals or None, exported,
                    str(md_file), str(docx_file), rows, note, resolved)

    def upload(self, files: list | None, lang: str) -> str:
        """Save uploads into the documents folder, index incrementally, report per file."""
        labels = self.labels(lang)
        if not files:
            return labels["none_uploaded"]
        settings = self.bot.settings
        lines, saved, renamed = [], [], []
        for f in files:
            path = Path(getattr(f, "name", f))
            original = getattr(f, "orig_name", None) or path.name
            try:
                saved.append(save_upload(path, original, settings.docs_dir,
                                         int(settings.max_upload_mb * 1e6)))
                wanted = safe_filename(original)
                if saved[-1].name != wanted:   # the name was taken
                    renamed.append((saved[-1], wanted))
            except AssistantError as exc:
                lines.append(f"- {labels['refused']}: {messages.describe(exc, lang)}")
        try:
            report = self.bot.index(show_progress=True)
        except AssistantError as exc:
            return "\n".join(lines + [messages.describe(exc, lang)])
        failed = {Path(f.path).resolve(): f for f in report.failures}
        for path in saved:
            failure = failed.get(path.resolve())
            if failure:
                lines.append(f"- {labels['refused']}: " + messages.describe_failure(
                    failure.reason_code, failure.reason, lang))
            else:
                lines.append(f"- {labels['uploaded']}: {path.name}")
        for path, wanted in renamed:
            lines.append(f"- {labels['note']}: " + labels["renamed"].format(
                old=escape(wanted), new=escape(path.name)))
        lines += [f"- {labels['note']}: {escape(w)}" for w in report.warnings]
        return "\n".join(lines)

    def refresh(self, lang: str) -> str:
        """Index what changed in the documents folder (files copied there, edited
        or deleted while the app runs) and say what was done, file by file."""
        try:
            report = self.bot.index(show_progress=True)
        except AssistantError as exc:
            return messages.describe(exc, lang)
        done, problems = messages.index_report(report, lang)
        return "\n".join([f"**{escape(done[0])}**", ""] +
                         [f"- {escape(line)}" for line in done[1:] + problems])

    def index_info(self, lang: str) -> str:
        labels = self.labels(lang)
        try:
            s = self.bot.summary()
        except AssistantError as exc:
            return messages.describe(exc, lang)
        rows = [f"**{s['documents']} {labels['documents']}, {s['chunks']} {labels['chunks']}**  ",
                f"{labels['embedder']}: `{s['embedder']}` ({s['dimension']})  ",
                f"{labels['built']}: {messages.moment(s['built'], lang)}", "",
                f"| {labels['organisation']} | {labels['documents']} | {labels['chunks']} |",
                "| --- | ---: | ---: |"]
        rows += [f"| {escape(messages.shown(org, lang))} | {v['documents']} | {v['chunks']} |"
                 for org, v in s["by_organisation"].items()]
        rows += ["", f"| {labels['type']} | {labels['documents']} | {labels['chunks']} |",
                 "| --- | ---: | ---: |"]
        rows += [f"| {messages.doc_type_label(t, lang) or messages.shown(t, lang)} "
                 f"| {v['documents']} | {v['chunks']} |"
                 for t, v in s["by_type"].items()]
        for label, items in ((labels["refused"], s["failures"]), (labels["note"], s["notes"])):
            if items:
                rows += ["", f"**{label}:**"] + [f"- {escape(r)}" for r in items]
        return "\n".join(rows)

    # -- the strategy's themes ---------------------------------------------
    def theme_overview(self, lang: str) -> tuple[list[str], list[list], str]:
        """Themes x organisations: headers, rows of passage counts, and a CSV file."""
        headers, rows = theme_table(self.bot.theme_overview(), lang)
        path = Path(tempfile.mkdtemp(prefix="strategiassistent-")) / "temaer.csv"
        return headers, rows, str(write_csv(path, headers, rows))

    def theme_cell(self, row: int, col: int, lang: str) -> str:
        """The passages behind one cell of the overview (row = theme, col = organisation)."""
        labels = self.labels(lang)
        overview = self.bot.theme_overview()
        orgs, themes = theme_columns(overview), list(overview)  # the columns as the page shows them
        if not (0 <= row < len(themes)) or not (1 <= col <= len(orgs)):
            return sources_html_empty(labels)
        org, title = orgs[col - 1], theme_label(themes[row], lang)
        passages = overview[themes[row]].get(org, [])
        if not passages:
            return sources_html_empty(labels)
        answer = Answer(title, "", tuple(passages), language=lang)
        heading = f"<h4>{html.escape(title)} · {html.escape(messages.shown(org, lang))}</h4>"
        return heading + sources_html(answer, [p.in_context() for p in passages], labels)

    def theme_choices(self, lang: str) -> list[tuple[str, int]]:
        return [(theme_label(t.number, lang), t.number) for t in THEMES]

    def organisation_choices(self) -> list[str]:
        try:
            return self.bot.organisations()
        except AssistantError:
            return []


def sources_html_empty(labels: dict) -> str:
    return f"<p class='no-sources'>{labels['no_sources']}</p>"
