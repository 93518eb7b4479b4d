"""The real app in a real browser: Debian's headless chromium driven by Playwright.

One user session walks through what staff and politicians do: ask about
Aalborg, open a source in context, download the original, ask a follow-up,
filter by document type, upload a DOCX and find it, meet a document carrying
script, switch to English and take the answer away as Markdown.  Screenshots
of each state go to ``test-output/screenshots``; the time from question to
answer is printed (reported, not asserted).
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from apprunner import running_app
from conftest import REPO, SHIPPED_DOCS
from fixtures import make_docx

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "test-output" / "screenshots"
TIMINGS = REPO / "test-output" / "browser-timings.json"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="Debian chromium is not installed (apt-get install chromium)")

XSS_TEXT = ("# Parkering i midtbyen\n\n"
            "Kommunen vil indføre digitale parkeringsautomater i midtbyen. "
            "<script>window.__xss = 'script'</script> Borgerne kan betale parkering med en app. "
            "Ordningen for parkeringsautomaterne evalueres efter et år.\n")
XSS_TITLE = "Parkering <img src=x onerror=\"window.__xss='img'\">"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app started as users start it (``python app.py``) on a copy of the
    shipped documents plus one document carrying script and markup."""
    root = tmp_path_factory.mktemp("browser")
    docs = root / "documents"
    shutil.copytree(SHIPPED_DOCS, docs)
    (docs / "parkering.md").write_text(XSS_TEXT, encoding="utf-8")
    (docs / "parkering.md.meta.json").write_text(
        json.dumps({"title": XSS_TITLE}), encoding="utf-8")
    with running_app(docs, root / "index", root / "app.log") as url:
        yield {"url": url, "docs": docs, "root": root}


@pytest.fixture(scope="module")
def page(app):
    from playwright.sync_api import sync_playwright

    shutil.rmtree(SHOTS, ignore_errors=True)  # only this run's screenshots
    SHOTS.mkdir(parents=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"])
        context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                      accept_downloads=True)
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        dialogs: list[str] = []
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        pg.dialogs = dialogs
        pg.goto(app["url"])
        pg.locator("#question textarea").wait_for()
        yield pg
        browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def ask(page, question: str) -> float:
    """Type a question, press the button, wait for the new answer; seconds taken."""
    bot_messages = page.locator("#chat .message.bot, #chat [data-testid='bot']")
    before = bot_messages.count()
    page.locator("#question textarea").fill(question)
    started = time.perf_counter()
    page.locator("#send").click()
    page.wait_for_function(
        "n => document.querySelectorAll(\"#chat .message.bot, #chat [data-testid='bot']\")"
        ".length > n", arg=before)
    page.wait_for_function("() => !document.querySelector('#sources .pending, #chat .pending')")
    page.wait_for_timeout(300)  # the sources panel is updated in the same event
    return time.perf_counter() - started


def last_answer(page) -> str:
    return page.locator("#chat .message.bot, #chat [data-testid='bot']").last.inner_text()


def citations(page) -> list[str]:
    return page.locator("#sources .source .cite").all_inner_texts()


def test_a_user_session_in_the_browser(app, page):
    timings: dict[str, float] = {}
    shot(page, "01-start")

    # 1. The headline question: an answer with numbered citations naming Aalborg.
    timings["Hvad siger Aalborg om sikkerhed?"] = ask(page, "Hvad siger Aalborg om sikkerhed?")
    answer = last_answer(page)
    assert "[1]" in answer
    cites = citations(page)
    assert cites and all("Aalborg Kommune" in c for c in cites), cites
    assert page.locator("#sources .source mark").count() >= 1  # matched sentences marked
    shot(page, "02-answer-aalborg")

    # 2. A source in context: the surrounding document text opens under the passage.
    first = page.locator("#sources .source").first
    passage = first.locator("blockquote.passage").inner_text()
    first.locator("details.context summary").click()
    context = first.locator(".context-text")
    context.wait_for(state="visible")
    assert passage.strip()[:80] in context.inner_text()
    assert len(context.inner_text()) > len(passage)
    shot(page, "03-source-in-context")

    # 3. The original document can be downloaded from the sources panel.
    link = page.locator("#originals a[href]").first
    href = link.get_attribute("href")
    response = page.request.get(href if href.startswith("http") else app["url"] + href.lstrip("/"))
    assert response.status == 200
    assert "Aalborg" in response.text()

    # 4. A follow-up borrows the topic and swaps the municipality.
    ask(page, "og hvad med Slagelse?")
    assert "Slagelse" in page.locator("#resolved").inner_text()
    cites = citations(page)
    assert cites and all("Slagelse Kommune" in c for c in cites), cites
    shot(page, "04-follow-up-slagelse")

    # 5. A document-type filter: only news passages are cited.
    page.locator("#clear").click()
    type_filter = page.locator("#type-filter input")
    type_filter.click()
    page.get_by_role("option", name="Nyhed").click()
    page.keyboard.press("Escape")
    ask(page, "Hvad sker der med strategien?")
    cites = citations(page)
    assert cites and all("· nyhed ·" in c for c in cites), cites
    shot(page, "05-filter-news")
    page.reload()
    page.locator("#question textarea").wait_for()

    # 6. Upload a DOCX from the browser; it is searchable at once.
    docx = make_docx(app["root"], "Vejen høringssvar.docx", [
        ("Heading 1", "Høringssvar fra Vejen Kommune"),
        ("Normal", "Vejen Kommune ønsker, at droner bruges til inspektion af kommunale "
                   "bygninger og broer i strategiperioden."),
    ], title="Høringssvar fra Vejen Kommune")
    page.locator("#upload-panel").get_by_text("Tilføj dokumenter").click()
    page.locator("#upload input[type=file]").set_input_files(str(docx))
    page.wait_for_timeout(500)
    page.locator("#upload-btn").click()
    page.locator("#upload-status").get_by_text("Indekseret").wait_for(timeout=120_000)
    assert "Vejen" in page.locator("#upload-status").inner_text()
    assert (app["docs"] / "uploads").is_dir()
    shot(page, "06-upload-indexed")
    ask(page, "Hvad siger Vejen om droner?")
    cites = citations(page)
    assert cites and "Vejen" in cites[0], cites
    assert "droner" in page.locator("#sources .source").first.inner_text()
    shot(page, "07-answer-from-upload")

    # 6b. A file copied into the documents folder while the app runs: the index
    #     panel's update button indexes it, and it is searchable.
    (app["docs"] / "horsens-notat.txt").write_text(
        "Notat fra Horsens Kommune\n\nHorsens Kommune vil teste selvkørende busser mellem "
        "stationen og sygehuset i 2017.\n", encoding="utf-8")
    page.locator("#index-panel").get_by_text("Indeks", exact=True).click()
    page.locator("#refresh-btn").click()
    page.locator("#refresh-status").get_by_text("nye: horsens-notat.txt").wait_for(timeout=120_000)
    assert "| Horsens Kommune | 1 |" not in page.locator("#index-info").inner_text()  # rendered
    assert "Horsens Kommune" in page.locator("#index-info").inner_text()
    shot(page, "07b-folder-update")
    ask(page, "Hvad vil Horsens teste?")
    cites = citations(page)
    assert cites and "Horsens Kommune" in cites[0], cites

    # 7. Script and markup in a document are shown as text and never run.
    ask(page, "Hvad skal parkeringsautomaterne evalueres?")
    sources = page.locator("#sources").inner_text()
    assert "window.__xss" in sources  # shown, as text
    assert page.evaluate("() => window.__xss === undefined")
    assert page.locator("#sources script, #sources img, #chat img[onerror]").count() == 0
    assert not page.dialogs
    shot(page, "08-script-shown-as-text")

    # 7b. A topic the documents never mention: said plainly, nothing quoted.
    ask(page, "Hvad siger Aalborg om vindmøller?")
    assert "nævner ikke «vindmøller»" in last_answer(page)
    assert page.locator("#sources .closest-note").count() == 1
    assert page.locator("#sources .source").count() >= 1
    assert page.locator("#sources .passage mark").count() == 0
    shot(page, "08b-topic-not-in-documents")

    # 7c. A municipality without documents that KL's letter names as a meeting place.
    ask(page, "Hvornår er dialogmødet i Vejle?")
    answer = last_answer(page)
    assert "ingen dokumenter fra Vejle Kommune" in answer
    assert "Andre organisationers dokumenter nævner Vejle Kommune" in answer
    assert all(c.split(" · ")[1] == "KL" for c in citations(page) if " · " in c)
    assert page.locator("#sources .passage mark").count() >= 1
    shot(page, "08c-named-by-others")

    # 8. A comparison across municipalities shows a table, silent ones included,
    #    and the briefing note downloads as DOCX.
    ask(page, "Hvad siger kommunerne om sikkerhed?")
    table = page.locator("#comparison")
    table.wait_for(state="visible")
    assert "Fredensborg Kommune" in table.inner_text() and "siger ikke noget" in table.inner_text()
    # the whole row fits: the citation column is inside the table, not scrolled off
    cite, box = table.get_by_text("[1]", exact=True).first.bounding_box(), table.bounding_box()
    assert cite and cite["x"] + cite["width"] <= box["x"] + box["width"]
    with page.expect_download() as download:
        page.locator("#download-docx").click()
    import docx
    note = docx.Document(download.value.path())
    assert any("Slagelse Kommune" == c.text for row in note.tables[0].rows for c in row.cells)
    shot(page, "09-comparison")

    # 9. The themes x organisations overview: a cell opens its passages.
    page.locator("#themes-panel").get_by_text("Temaer × organisationer").click()
    overview = page.locator("#theme-overview")
    overview.get_by_text("Tema 4: Sikkerhed").first.wait_for(timeout=120_000)
    headers = overview.locator("thead th").all_inner_texts()
    col = next(i for i, h in enumerate(headers) if "Aalborg" in h)
    overview.locator(f"[data-testid='cell-3-{col}']").click()
    page.locator("#theme-passages .source").first.wait_for()
    assert "Aalborg Kommune" in page.locator("#theme-passages").inner_text()
    shot(page, "09b-themes-overview")

    # 10. English interface and an English question.
    page.locator("#language").get_by_text("English").click()
    page.locator("#send").get_by_text("Ask").wait_for()
    # everything already on the page follows: buttons, the opened overview and
    # its cell; the comparison's note still downloads
    page.locator("#download-docx").get_by_text("Download note (.docx)").wait_for()
    assert "Download the overview (.csv)" in page.locator("#themes-csv").inner_text()
    overview.get_by_text("Theme 4: Security").first.wait_for()
    page.locator("#theme-passages").get_by_text("Theme 4: Security").first.wait_for()
    with page.expect_download() as download:
        page.locator("#download-docx").click()
    assert any("Slagelse Kommune" == c.text for row in docx.Document(download.value.path())
               .tables[0].rows for c in row.cells)
    timings["What does Aalborg say about security?"] = ask(
        page, "What does Aalborg say about security?")
    cites = citations(page)
    assert cites and all("Aalborg Kommune" in c for c in cites), cites
    assert not page.locator("#comparison").is_visible()
    shot(page, "10-english")

    # 11. The answer as Markdown for a meeting note: question, answer, quotes, citations.
    exported = page.locator("#export textarea").input_value()
    assert exported.startswith("## Question")
    assert "## Sources" in exported and "Aalborg Kommune" in exported and "\n> " in exported
    with page.expect_download() as download:
        page.locator("#download-md").click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert saved == exported
    shot(page, "11-export")

    # 12. An overview: a document's main points, quoted and marked in the sources.
    timings["Summarise Aalborg's hearing response"] = ask(
        page, "Summarise Aalborg's hearing response")
    assert last_answer(page).startswith("Main points")
    cites = citations(page)
    assert cites and all("Aalborg Kommune" in c for c in cites), cites
    assert page.locator("#sources .source mark").count() >= 4
    shot(page, "12-overview")

    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    TIMINGS.write_text(json.dumps(timings, ensure_ascii=False, indent=2), encoding="utf-8")
    print("question to answer in the browser (s):", timings)
