"""Start the strategy assistant's web app on the shipped (or configured) documents.

Updates the index first (built on the first run, only changes after that),
then serves on http://127.0.0.1:7860 (settings: ASSISTANT_HOST, ASSISTANT_PORT,
ASSISTANT_USERNAME + ASSISTANT_PASSWORD for a login; see the README).
"""
import sys

from assistant import Assistant, messages
from assistant.errors import AssistantError
from assistant.ui import launch

if __name__ == "__main__":
    try:
        bot = Assistant()
        report = bot.index()
    except AssistantError as exc:  # a damaged index, another model, a bad setting: say how to fix
        print(messages.describe(exc, "da"), file=sys.stderr)
        sys.exit(2)
    print(f"Indeks: {report.documents} dokumenter, {report.chunks} afsnit; "
          f"{len(report.failures)} filer kunne ikke læses.")
    for line in [f.reason for f in report.failures] + report.warnings:
        print(f"  {line}")
    launch(bot)
