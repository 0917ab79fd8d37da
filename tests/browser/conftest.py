"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium), never a downloaded
browser, against a live server on the real database.

Every page the ``page`` and ``phone_page`` fixtures load is checked with axe-core (vendored in
``vendor/``, given to the browser by the tests and never served by the application): a serious or
critical violation on any of them fails the test, with the list of what was found where."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("VENTANILLA_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")

# Runs in every document of the context, after axe itself: each page checks itself once loaded
# and reports to the test; checks are chained, because axe refuses to run twice at once. The
# API reference's Swagger UI widget is django-ninja's, not a template of ours: its page is
# checked, the widget is left out.
AXE_HOOK = """
(() => {
  let running = Promise.resolve();
  window.__ventanillaAxe = () => {
    const options = {resultTypes: ["violations"]};
    running = running.then(() => axe.run({exclude: [["#swagger-ui"]]}, options))
      .then((result) => result.violations
        .filter((v) => IMPACTS.includes(v.impact))
        .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                      targets: v.nodes.slice(0, 5).map((n) => n.target.join(" "))})));
    return running;
  };
  window.addEventListener("load", () => {
    window.__ventanillaAxe().then((found) => window.__ventanillaAxeReport(location.href, found));
  });
})();
""".replace("IMPACTS", json.dumps(FAILING_IMPACTS))

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class AccessibilityReport:
    """What axe found on the pages of one browser context, by page and rule."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str], dict[str, Any]] = {}

    def record(self, url: str, violations: list[dict[str, Any]]) -> None:
        for violation in violations:
            self.found.setdefault((url, violation["id"]), violation)

    def failure(self) -> str:
        lines = [f"axe-core found {len(self.found)} serious or critical problem(s):"]
        for (url, _rule), v in sorted(self.found.items()):
            lines.append(f"- {url}: [{v['impact']}] {v['id']}: {v['help']}")
            lines += [f"    {target}" for target in v["targets"]]
        return "\n".join(lines)


def checked_context(browser: Any, **options: Any) -> tuple[Any, AccessibilityReport]:
    """A browser context whose every page load is checked by axe-core."""
    context = browser.new_context(**options)
    report = AccessibilityReport()
    context.expose_binding(
        "__ventanillaAxeReport", lambda _source, url, found: report.record(url, found)
    )
    context.add_init_script(script=AXE.read_text(encoding="utf-8") + AXE_HOOK)
    return context, report


def assert_accessible(page: Any, report: AccessibilityReport | None = None) -> None:
    """Check the page as it is now (after htmx swaps too); fail on serious or critical."""
    report = report or AccessibilityReport()
    report.record(page.url, page.evaluate("window.__ventanillaAxe()"))
    assert not report.found, report.failure()


def _close_checked(context: Any, page: Any, report: AccessibilityReport) -> None:
    # The last page is checked as the test left it, which also waits for a check still running.
    from playwright.sync_api import Error as PlaywrightError

    if not page.is_closed() and page.url.startswith("http"):
        try:
            report.record(page.url, page.evaluate("window.__ventanillaAxe()"))
        except PlaywrightError as error:
            # A page still navigating cannot be asked; its load will not be checked.
            if "navigat" not in str(error) and "destroyed" not in str(error):
                raise
    context.close()
    assert not report.found, report.failure()


def fits_the_screen(page: Any) -> bool:
    """Nothing on the page is wider than the screen. On a phone (``is_mobile``) the browser
    zooms out to show a page that is too wide, so ``innerWidth`` grows with it: the page is
    measured against the layout viewport instead, which stays the device's width."""
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context, report = checked_context(browser, locale="es-ES")
    page = context.new_page()
    yield page
    _close_checked(context, page, report)


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    context, report = checked_context(
        browser,
        locale="en-GB",
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    _close_checked(context, page, report)
