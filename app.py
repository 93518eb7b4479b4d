"""Start the strategy assistant's web app on the shipped (or configured) documents.

Updates the index first (built on the first run, only changes after that),
then serves on http://127.0.0.1:7860 (ASSISTANT_HOST / ASSISTANT_PORT to change).
"""
import os

from assistant import Assistant
from assistant.ui import build_app

if __name__ == "__main__":
    bot = Assistant()
    report = bot.index()
    print(f"Indeks: {report.documents} dokumenter, {report.chunks} afsnit; "
          f"{len(report.failures)} filer kunne ikke læses.")
    for failure in report.failures:
        print(f"  {failure.reason}")
    build_app(bot).launch(server_name=os.environ.get("ASSISTANT_HOST", "127.0.0.1"),
                          server_port=int(os.environ.get("ASSISTANT_PORT", "7860")),
                          share=False, enable_monitoring=False)
