"""The web page in a real browser: Playwright driving Debian's Chromium, against the real app.

Never downloads a browser: it launches ``/usr/bin/chromium`` (``apt-get install
chromium``; ``.ci/run`` installs it) and fails with that hint when it is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.api.conftest import Served
from tests.crawl.outlets import NewsWeb

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_page_shows_a_pasted_urls_story_and_a_diff(
    served_factory: Callable[..., Served], sqlite_url: str, news: NewsWeb, tmp_path: Path
) -> None:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: apt-get install chromium", pytrace=False)
    served = served_factory(sqlite_url, allow_networks="127.0.0.0/8")
    with served.client("submit") as client:
        for url in (
            news.wire.url("/2024/05/17/flood.html"),
            news.courier.url("/news/flood-copy.html"),
        ):
            assert (
                served.wait_job(client.post("/api/submissions", json={"url": url}).json())["status"]
                == "done"
            )
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS, headless=True,
            viewport={"width": 1366, "height": 900},
        )  # fmt: skip
        try:
            page = browser.new_page()
            page.goto(served.url + "/")
            page.fill("#token", served.tokens["submit"])
            page.dispatch_event("#token", "change")
            page.fill("#submit-input", news.metro.url("/city/river.html"))
            page.keyboard.press("Tab")
            page.keyboard.press("Enter")  # the submit button, reached by keyboard
            expect(page.locator("#origin-card")).to_contain_text("Wire Service", timeout=20_000)
            nodes = page.locator("#tree .node")
            expect(nodes).to_have_count(3)
            root = page.locator('#tree .node[data-root="true"]')
            expect(root).to_have_count(1)
            assert "Wire Service" in (root.get_attribute("aria-label") or "")
            # The root is the top node: every other node sits below it.
            root_y = root.bounding_box()["y"]  # type: ignore[index]
            others = page.locator('#tree .node[data-root="false"]')
            assert all(others.nth(i).bounding_box()["y"] > root_y for i in range(2))  # type: ignore[index]
            expect(page.locator("#copies tbody tr")).to_have_count(3)
            others.first.focus()
            page.keyboard.press("Enter")
            expect(page.locator("#diff .diff p").first).to_be_visible(timeout=10_000)
            expect(page.locator("#diff h2")).to_contain_text("against")
            page.screenshot(path=str(tmp_path / "story.png"), full_page=True)
            page.goto(served.url + "/#/network")
            expect(page.locator("#network .node")).to_have_count(3, timeout=10_000)
        finally:
            browser.close()
    assert (tmp_path / "story.png").stat().st_size > 10_000
