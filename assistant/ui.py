"""The Gradio web app: layout and event wiring only.

The handlers are in ``ui_logic`` (plain methods over the API); this file
places components and connects them.  Document text reaches the page only
through ``render`` (escaped).
"""

import os

from . import messages
from .api import Assistant
from .errors import AssistantError
from .models import DOC_TYPES
from .ui_logic import AppLogic, Turn, sources_html_empty
from .ui_text import EXAMPLES, LABELS
from .websafety import FriendlyBusy, SafeFileRoute

CSS = """
.source {border-left: 3px solid #b4c6e7; padding: 4px 10px; margin-bottom: 12px;}
.source .cite {font-size: 0.85em; color: #444;}
.closest-note {font-style: italic; color: #8a4b00;}
.source mark, .context-text mark {background: #ffe58a;}
.context-text {white-space: pre-wrap; font-size: 0.9em; color: #555;}
.context-text .ctx-passage {color: #000; background: #eef3fb;}
blockquote.passage {white-space: pre-wrap; margin: 6px 0;}
"""


def build_app(bot: Assistant):
    import gradio as gr

    logic = AppLogic(bot)
    da = LABELS["da"]
    type_choices = [(messages.doc_type_label(t, "da"), t) for t in DOC_TYPES]

    with gr.Blocks(title="Strategiassistenten") as app:
        lang = gr.State("da")
        previous = gr.State(None)
        # the themes overview once opened: None, or the cell last opened (row, col) / ()
        shown_cell = gr.State(None)
        with gr.Row():
            title = gr.Markdown(da["title"], elem_id="title")
            language = gr.Radio([("Dansk", "da"), ("English", "en")], value="da",
                                label="Sprog / language", elem_id="language", scale=0)
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label=da["chat"], elem_id="chat", height=460)
                comparison = gr.Dataframe(headers=[da["organisation"], da["statement"], ""],
                                          label=da["comparison"], elem_id="comparison",
                                          visible=False, interactive=False, wrap=True,
                                          column_widths=["28%", "62%", "10%"])
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
                    themes = gr.Dropdown(logic.theme_choices("da"), multiselect=True,
                                         label=da["theme_filter"], elem_id="theme-filter")
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
        with gr.Accordion(da["themes_tab"], open=False, elem_id="themes-panel") as themes_panel:
            themes_help = gr.Markdown(da["themes_help"])
            overview = gr.Dataframe(elem_id="theme-overview", interactive=False, wrap=True,
                                    max_height=1000)   # all ten themes, no inner scroll
            overview_csv = gr.DownloadButton(da["themes_csv"], elem_id="themes-csv")
            cell_passages = gr.HTML(elem_id="theme-passages")
        with gr.Accordion(da["index_tab"], open=False, elem_id="index-panel") as index_panel:
            info = gr.Markdown(logic.index_info("da"), elem_id="index-info")
            refresh_help = gr.Markdown(da["refresh_help"])
            refresh_btn = gr.Button(da["refresh_btn"], elem_id="refresh-btn", size="sm")
            refresh_status = gr.Markdown(elem_id="refresh-status")

        outputs = [chat, sources, originals, export, download, download_docx, comparison, note,
                   previous]
        inputs = [question, chat, previous, orgs, types, lang, themes]

        def on_ask(*args):
            for turn in logic.turns(*args):
                yield turn._replace(comparison=gr.update(value=turn.comparison or [],
                                                         visible=bool(turn.comparison)))
        for trigger in (send.click, question.submit):
            trigger(on_ask, inputs, outputs, api_name=False).then(
                lambda: "", None, question, api_name=False)

        def api_ask(q: str, organisations: list[str] | None = None,
                    doc_types: list[str] | None = None) -> dict:
            """The answer with its passages as JSON, the same shape as the CLI's --json.

            Its three inputs stay fixed (callers send them positionally); a theme
            filter is asked for in the question itself ("... tema 4")."""
            try:
                return bot.ask(q, organisations=organisations or None,
                               doc_types=doc_types or None).to_dict()
            except AssistantError as exc:  # a message for the caller, not a bare "error"
                raise gr.Error(messages.describe(exc, bot.settings.language),
                               print_exception=False) from exc

        gr.api(api_ask, api_name="ask")

        def show_overview(lang_value, cell=()):
            headers, rows, csv_path = logic.theme_overview(lang_value)
            passages = logic.theme_cell(*cell, lang_value) if cell else ""
            share = f"{60 / max(len(headers) - 1, 1):.1f}%"   # theme titles get 40 %
            return (gr.update(value=rows, headers=headers,
                              column_widths=["40%"] + [share] * (len(headers) - 1)),
                    csv_path, passages, cell)
        overview_outputs = [overview, overview_csv, cell_passages, shown_cell]
        themes_panel.expand(show_overview, lang, overview_outputs, api_name=False)

        def open_cell(lang_value, evt: gr.SelectData):  # resolved at def time: no __future__ annotations here
            row, col = evt.index
            return logic.theme_cell(row, col, lang_value), (row, col)
        overview.select(open_cell, lang, [cell_passages, shown_cell], api_name=False)

        def reset(lang_value):
            return Turn([], sources_html_empty(logic.labels(lang_value)), None, "", None, None,
                        gr.update(value=[], visible=False), "", None)
        clear.click(reset, lang, outputs, api_name=False)

        def after_upload(file_list, lang_value, progress=gr.Progress(track_tqdm=True)):
            status = logic.upload(file_list, lang_value)
            return (status, logic.index_info(lang_value),
                    gr.update(choices=logic.organisation_choices()), None)
        upload_btn.click(after_upload, [files, lang], [upload_status, info, orgs, files],
                         api_name=False, concurrency_limit=1, concurrency_id="indexing")

        def after_refresh(lang_value, progress=gr.Progress(track_tqdm=True)):
            return (logic.refresh(lang_value), logic.index_info(lang_value),
                    gr.update(choices=logic.organisation_choices()))
        refresh_btn.click(after_refresh, lang, [refresh_status, info, orgs], api_name=False,
                          concurrency_limit=1, concurrency_id="indexing")

        def switch_language(value):
            t = logic.labels(value)
            return (value, t["title"], gr.update(label=t["chat"]),
                    gr.update(label=t["question"], placeholder=t["placeholder"]),
                    gr.update(value=t["send"]), gr.update(label=t["org_filter"]),
                    gr.update(label=t["type_filter"], choices=[
                        (messages.doc_type_label(d, value), d) for d in DOC_TYPES]),
                    gr.update(value=t["clear"]), gr.update(label=t["export"]),
                    gr.update(label=t["download"]), gr.update(label=t["download_docx"]),
                    gr.update(label=t["comparison"],
                              headers=[t["organisation"], t["statement"], ""]),
                    f"### {t['sources']}",
                    gr.update(label=t["originals"]), gr.update(label=t["upload_tab"]),
                    gr.update(label=t["upload"]), gr.update(value=t["upload_btn"]),
                    gr.update(label=t["index_tab"]), logic.index_info(value),
                    gr.update(label=t["theme_filter"], choices=logic.theme_choices(value)),
                    gr.update(label=t["themes_tab"]), t["themes_help"],
                    gr.update(label=t["themes_csv"]), t["refresh_help"],
                    gr.update(value=t["refresh_btn"]))
        language.change(switch_language, language,
                        [lang, title, chat, question, send, orgs, types, clear, export, download,
                         download_docx, comparison, sources_title, originals, upload_panel,
                         files, upload_btn, index_panel, info, themes, themes_panel,
                         themes_help, overview_csv, refresh_help, refresh_btn],
                        api_name=False).then(
            # an overview already opened is redrawn in the new language
            lambda value, cell: show_overview(value, cell) if cell is not None
            else (gr.update(),) * len(overview_outputs),
            [lang, shown_cell], overview_outputs, api_name=False)
    return app


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
                      app_kwargs={"middleware": [Middleware(SafeFileRoute),
                                                 Middleware(FriendlyBusy)]}, **kwargs)
