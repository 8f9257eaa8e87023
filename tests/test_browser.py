"""End to end in a real browser: `streamlit run` on a free port, Chromium driven by Playwright.

The library is built with the real model from the sample minutes plus a made-up meeting whose minutes contain
`<script>`, `<b>` and `<img onerror>`. Screenshots go to tmp_path, and also to $MINUTEBOOK_TEST_ARTIFACTS
when that is set (CI keeps them).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.settings import MODEL_NAME
from tests.conftest import REPO
from tests.page_helpers import APP, SAMPLE_FILES, SCRIPT_MINUTES, build_library

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install -y chromium)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer on {url} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    library = tmp_path_factory.mktemp("browser-library")
    build_library(library, [*SAMPLE_FILES, SCRIPT_MINUTES], model_name=MODEL_NAME)
    port = free_port()
    env = dict(os.environ, MINUTEBOOK_LIBRARY=str(library), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    log = (tmp_path_factory.mktemp("streamlit") / "streamlit.log").open("wb")
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def browser_page(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server)
        page.get_by_placeholder("Ask about the minutes", exact=False).wait_for(timeout=60_000)
        yield page
        browser.close()


def save_screenshot(page: object, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=False)  # type: ignore[attr-defined]
    artifacts = os.environ.get("MINUTEBOOK_TEST_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(artifacts) / name)
    return shot


def ask(page: object, question: str) -> None:
    box = page.get_by_placeholder("Ask about the minutes", exact=False)  # type: ignore[attr-defined]
    box.fill(question)
    box.press("Enter")
    page.locator(".answer-line, .not-found").last.wait_for(timeout=60_000)  # type: ignore[attr-defined]


def test_question_gets_the_right_citation_and_a_marked_sentence(browser_page: object, tmp_path: Path) -> None:
    page = browser_page
    ask(page, "What did the independent scrutineer say about care leavers?")

    first_card = page.locator("h5").first  # type: ignore[attr-defined]
    assert first_card.inner_text() == (
        "Children and Young People Scrutiny Committee · 21 Jan 2025 · Item 48: HEREFORDSHIRE SAFEGUARDING "
        "CHILDREN PARTNERSHIP - YEARLY REVIEW OF EFFECTIVENESS REPORT 2023-24"
    )
    marks = page.locator(".passage").first.locator("mark").all_inner_texts()  # type: ignore[attr-defined]
    assert any("care leaver" in mark for mark in marks), marks
    assert "— Children and Young People Scrutiny Committee, 21 January 2025, item 48" in (
        page.locator(".answer-line").first.inner_text()  # type: ignore[attr-defined]
    )
    assert save_screenshot(page, tmp_path, "page-answer.png").stat().st_size > 10_000

    page.get_by_role("button", name="Open the whole item").first.click()  # type: ignore[attr-defined]
    passage = page.locator("#cited-passage")  # type: ignore[attr-defined]
    passage.wait_for(timeout=30_000)
    assert "meeting=children-and-young-people-scrutiny-committee-2025-01-21" in page.url  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => { const r = document.getElementById('cited-passage').getBoundingClientRect();"
        " return r.top < window.innerHeight && r.bottom > 0; }",
        timeout=10_000,
    )
    save_screenshot(page, tmp_path, "page-meeting.png")


def test_markup_in_minutes_is_shown_as_text_and_never_runs(browser_page: object, tmp_path: Path) -> None:
    page = browser_page
    ask(page, "What did the clerk report about the contact form on the parish website?")

    card = page.locator("h5").first  # type: ignore[attr-defined]
    assert card.inner_text() == "Evilton Parish Council · 4 Mar 2025 · Item 2: WEBSITE SECURITY"
    passage = page.locator(".passage").first  # type: ignore[attr-defined]
    text = passage.inner_text()
    assert '<script>window.__pwned = 1; alert("pwned")</script>' in text
    assert "<b>bold</b>" in text
    assert '<img src=x onerror="window.__pwned = 2">' in text
    assert passage.locator("script, b, img").count() == 0
    assert page.evaluate("() => window.__pwned === undefined")  # type: ignore[attr-defined]
    save_screenshot(page, tmp_path, "page-markup-as-text.png")
