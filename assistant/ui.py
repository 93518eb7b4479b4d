"""A plain Gradio page over :class:`assistant.Assistant` (the full chat UI is
built on top of this later).  UI code only: all logic lives in the API."""
from __future__ import annotations

from . import messages
from .api import Assistant
from .errors import AssistantError
from .render import answer_markdown

EXAMPLES = [
    "Hvad siger Aalborg om sikkerhed?",
    "What does Aalborg say about security?",
    "Hvad er fristen for at sende høringssvar til KL?",
    "Hvad besluttede Økonomiudvalget i Slagelse?",
]


def build_app(bot: Assistant):
    import gradio as gr

    def ask(question: str) -> str:
        try:
            return answer_markdown(bot.ask(question))
        except AssistantError as exc:
            return messages.describe(exc, bot.settings.language)

    with gr.Blocks(title="Strategiassistenten") as app:
        gr.Markdown("# Strategiassistenten\nSpørg om den fælleskommunale "
                    "digitaliseringsstrategi 2016-2020 og høringssvarene. "
                    "*Ask in Danish or English.*")
        question = gr.Textbox(label="Spørgsmål / question", lines=1)
        button = gr.Button("Spørg / ask", variant="primary")
        output = gr.Markdown()
        gr.Examples(EXAMPLES, inputs=question)
        button.click(ask, question, output, api_name="ask")
        question.submit(ask, question, output)
    return app
