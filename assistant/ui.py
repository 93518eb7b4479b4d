"""The Gradio web app: layout and event wiring only.

Every decision (follow-ups, filters, answers, uploads, what may be
downloaded) is made by the API modules; this file turns their results into
components.  Document text reaches the page only through ``render`` (escaped).
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Iterator, NamedTuple

from . import generate, messages
from .api import Assistant
from .chat import resolve_followup
from .errors import AssistantError
from .models import DOC_TYPES
from .briefing import briefing_docx, briefing_markdown, comparison_rows
from .render import answer_markdown, escape, sources_html
from .ui_text import EXAMPLES, LABELS
from .uploads import save_upload

CSS = """
.source {border-left: 3px solid #b4c6e7; padding: 4px 10px; margin-bottom: 12px;}
.source .cite {font-size: 0.85em; color: #444;}
.source mark, .context-text mark {background: #ffe58a;}
.context-text {white-space: pre-wrap; font-size: 0.9em; color: #555;}
.context-text .ctx-passage {color: #000; background: #eef3fb;}
blockquote.passage {white-space: pre-wrap; margin: 6px 0;}
"""


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
            types: list[str] | None, lang: str) -> Turn:
        """One chat turn, answered completely (the last of :meth:`turns`)."""
        *_, last = self.turns(question, history, previous, orgs, types, lang)
        return last

    def turns(self, question: str, history: list, previous: str | None,
              orgs: list[str] | None, types: list[str] | None, lang: str) -> Iterator[Turn]:
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
        resolved = resolve_followup(question, previous)
        try:
            answer = self.bot.ask(resolved, organisations=orgs or None, doc_types=types or None)
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
        if not (generate.enabled(self.bot.settings) and answer.passages):
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
        contexts = [self.bot.context(p) for p in answer.passages]
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
        lines, saved = [], []
        for f in files:
            path = Path(getattr(f, "name", f))
            original = getattr(f, "orig_name", None) or path.name
            try:
                saved.append(save_upload(path, original, settings.docs_dir,
                                         int(settings.max_upload_mb * 1e6)))
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
        return "\n".join(lines)

    def index_info(self, lang: str) -> str:
        labels = self.labels(lang)
        try:
            s = self.bot.summary()
        except AssistantError as exc:
            return messages.describe(exc, lang)
        rows = [f"**{s['documents']} {labels['documents']}, {s['chunks']} {labels['chunks']}**  ",
                f"{labels['embedder']}: `{s['embedder']}` ({s['dimension']})  ",
                f"{labels['built']}: {s['built']}", "",
                f"| {labels['organisation']} | {labels['documents']} | {labels['chunks']} |",
                "| --- | ---: | ---: |"]
        rows += [f"| {org} | {v['documents']} | {v['chunks']} |" for org, v in s["by_organisation"].items()]
        rows += ["", f"| {labels['type']} | {labels['documents']} | {labels['chunks']} |",
                 "| --- | ---: | ---: |"]
        rows += [f"| {messages.doc_type_label(t, lang) or t} | {v['documents']} | {v['chunks']} |"
                 for t, v in s["by_type"].items()]
        if s["failures"]:
            rows += ["", f"**{labels['refused']}:**"] + [f"- {r}" for r in s["failures"]]
        return "\n".join(rows)

    def organisation_choices(self) -> list[str]:
        try:
            return self.bot.organisations()
        except AssistantError:
            return []


def sources_html_empty(labels: dict) -> str:
    return f"<p class='no-sources'>{labels['no_sources']}</p>"


def build_app(bot: Assistant):
    import gradio as gr

    logic = AppLogic(bot)
    da = LABELS["da"]
    type_choices = [(messages.doc_type_label(t, "da"), t) for t in DOC_TYPES]

    with gr.Blocks(title="Strategiassistenten") as app:
        lang = gr.State("da")
        previous = gr.State(None)
        with gr.Row():
            title = gr.Markdown(da["title"], elem_id="title")
            language = gr.Radio([("Dansk", "da"), ("English", "en")], value="da",
                                label="Sprog / language", elem_id="language", scale=0)
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label=da["chat"], elem_id="chat", height=460)
                comparison = gr.Dataframe(headers=[da["organisation"], da["statement"], ""],
                                          label=da["comparison"], elem_id="comparison",
                                          visible=False, interactive=False, wrap=True)
                with gr.Row():
                    question = gr.Textbox(label=da["question"], placeholder=da["placeholder"],
                                          elem_id="question", scale=5)
                    send = gr.Button(da["send"], variant="primary", elem_id="send", scale=1)
                note = gr.Markdown(elem_id="resolved")
                with gr.Row():
                    orgs = gr.Dropdown(logic.organisation_choices(), multiselect=True,
                                       label=da["org_filter"], elem_id="org-filter")
                    types = gr.Dropdown(type_choices, multiselect=True, label=da["type_filter"],
                                        elem_id="type-filter")
                gr.Examples(EXAMPLES, inputs=question, label=da["examples"])
                clear = gr.Button(da["clear"], elem_id="clear", size="sm")
                export = gr.Textbox(label=da["export"], lines=4, max_lines=12, buttons=["copy"],
                                    elem_id="export", interactive=False)
                with gr.Row():
                    download = gr.DownloadButton(da["download"], elem_id="download-md")
                    download_docx = gr.DownloadButton(da["download_docx"], elem_id="download-docx")
            with gr.Column(scale=2):
                sources_title = gr.Markdown(f"### {da['sources']}")
                sources = gr.HTML(sources_html_empty(da), elem_id="sources")
                originals = gr.File(label=da["originals"], file_count="multiple",
                                    interactive=False, elem_id="originals")
        with gr.Accordion(da["upload_tab"], open=False, elem_id="upload-panel") as upload_panel:
            files = gr.File(label=da["upload"], file_count="multiple", elem_id="upload",
                            file_types=[".pdf", ".docx", ".txt", ".md", ".html", ".htm"])
            upload_btn = gr.Button(da["upload_btn"], elem_id="upload-btn")
            upload_status = gr.Markdown(elem_id="upload-status")
        with gr.Accordion(da["index_tab"], open=False, elem_id="index-panel") as index_panel:
            info = gr.Markdown(logic.index_info("da"), elem_id="index-info")

        outputs = [chat, sources, originals, export, download, download_docx, comparison, note,
                   previous]
        inputs = [question, chat, previous, orgs, types, lang]

        def on_ask(*args):
            for turn in logic.turns(*args):
                yield turn._replace(comparison=gr.update(value=turn.comparison or [],
                                                         visible=bool(turn.comparison)))
        for trigger in (send.click, question.submit):
            trigger(on_ask, inputs, outputs, api_name=False).then(
                lambda: "", None, question, api_name=False)

        def api_ask(q: str, organisations: list[str] | None = None,
                    doc_types: list[str] | None = None) -> dict:
            """The answer with its passages as JSON, the same shape as the CLI's --json."""
            try:
                return bot.ask(q, organisations=organisations or None,
                               doc_types=doc_types or None).to_dict()
            except AssistantError as exc:  # a message for the caller, not a bare "error"
                raise gr.Error(messages.describe(exc, bot.settings.language),
                               print_exception=False) from exc

        gr.api(api_ask, api_name="ask")

        def reset(lang_value):
            return Turn([], sources_html_empty(logic.labels(lang_value)), None, "", None, None,
                        gr.update(value=[], visible=False), "", None)
        clear.click(reset, lang, outputs, api_name=False)

        def after_upload(file_list, lang_value, progress=gr.Progress(track_tqdm=True)):
            status = logic.upload(file_list, lang_value)
            return (status, logic.index_info(lang_value),
                    gr.update(choices=logic.organisation_choices()), None)
        upload_btn.click(after_upload, [files, lang], [upload_status, info, orgs, files],
                         api_name=False, concurrency_limit=1)

        def switch_language(value):
            t = logic.labels(value)
            return (value, t["title"], gr.update(label=t["chat"]),
                    gr.update(label=t["question"], placeholder=t["placeholder"]),
                    gr.update(value=t["send"]), gr.update(label=t["org_filter"]),
                    gr.update(label=t["type_filter"], choices=[
                        (messages.doc_type_label(d, value), d) for d in DOC_TYPES]),
                    gr.update(value=t["clear"]), gr.update(label=t["export"]),
                    gr.update(value=t["download"]), gr.update(value=t["download_docx"]),
                    gr.update(label=t["comparison"],
                              headers=[t["organisation"], t["statement"], ""]),
                    f"### {t['sources']}",
                    gr.update(label=t["originals"]), gr.update(label=t["upload_tab"]),
                    gr.update(label=t["upload"]), gr.update(value=t["upload_btn"]),
                    gr.update(label=t["index_tab"]), logic.index_info(value))
        language.change(switch_language, language,
                        [lang, title, chat, question, send, orgs, types, clear, export, download,
                         download_docx, comparison, sources_title, originals, upload_panel, files, upload_btn, index_panel,
                         info], api_name=False)
    return app


_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+\-.]*:/")
_FILE_ROUTES = ("/gradio_api/file=", "/gradio_api/file/")
# types a browser runs as a page (with script) when opened inline
_ACTIVE_TYPES = {"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml",
                 "application/xml", "text/xsl"}


class _SafeFileRoute:
    """ASGI middleware for gradio's file route, which serves the originals in
    the documents folder (``/gradio_api/file=<path>``):

    * a URL instead of a path is refused, where gradio would fetch it from the
      internet: the app makes no network calls of its own;
    * a document a browser would run as a page (HTML, SVG, XML; shipped or
      uploaded) is sent as a sandboxed download, so its script cannot run with
      the app's origin and login cookie.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        route = next((r for r in _FILE_ROUTES if path.startswith(r)), None)
        if route is None:
            return await self.app(scope, receive, send)
        if _URL.match(path[len(route):].lstrip("/")):
            from starlette.responses import PlainTextResponse

            return await PlainTextResponse("File not allowed.", status_code=403)(
                scope, receive, send)

        async def send_safely(message):
            if message["type"] == "http.response.start":
                from starlette.datastructures import MutableHeaders

                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                kind = headers.get("content-type", "").split(";")[0].strip().lower()
                if kind in _ACTIVE_TYPES or kind.endswith("+xml"):
                    headers["Content-Security-Policy"] = "sandbox"
                    disposition = headers.get("content-disposition", "")
                    headers["Content-Disposition"] = "attachment" + (
                        disposition[len("inline"):] if disposition.startswith("inline") else "")
            await send(message)

        return await self.app(scope, receive, send_safely)


def launch(bot: Assistant, **kwargs):
    """Serve on the configured loopback address; login when configured."""
    from starlette.middleware import Middleware

    # no telemetry or version check to gradio's servers (unless set explicitly)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    s = bot.settings
    auth = (s.username, s.password) if s.username else None
    app = build_app(bot)
    app.queue(max_size=64, default_concurrency_limit=4)
    return app.launch(server_name=s.host, server_port=s.port, share=False, auth=auth,
                      enable_monitoring=False, max_file_size=int(s.max_upload_mb * 1e6),
                      allowed_paths=[str(s.docs_dir.resolve())], css=CSS,
                      footer_links=["api"],
                      app_kwargs={"middleware": [Middleware(_SafeFileRoute)]}, **kwargs)
