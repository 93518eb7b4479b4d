"""Start the strategy assistant's web app on the shipped (or configured) documents.

Updates the index first (built on the first run, only changes after that),
then serves on http://127.0.0.1:7860 (settings: ASSISTANT_HOST, ASSISTANT_PORT,
ASSISTANT_USERNAME + ASSISTANT_PASSWORD for a login; see the README).
"""
from assistant import Assistant
from assistant.ui import launch

if __name__ == "__main__":
    bot = Assistant()
    report = bot.index()
    print(f"Indeks: {report.documents} dokumenter, {report.chunks} afsnit; "
          f"{len(report.failures)} filer kunne ikke læses.")
    for failure in report.failures:
        print(f"  {failure.reason}")
    launch(bot)
