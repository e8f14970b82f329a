"""Browser tests: Playwright driving Debian's Chromium (never ``playwright install``)."""

import json
import os
from contextlib import contextmanager
from pathlib import Path

import pytest

# The sync Playwright API runs an event loop in the test thread; the ORM calls of these tests are
# safe there (each test owns its connection). See ENVIRONMENT.md.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "e2e-screenshots"


def pytest_collection_modifyitems(config, items):
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"{CHROMIUM} missing: apt-get install chromium fonts-noto-cjk (.ci/run does)")
        for item in items:
            if "e2e" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "ja-JP",
        "timezone_id": "Asia/Tokyo",
        "viewport": {"width": 1400, "height": 1000},
    }


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Save a screenshot of the page when a browser test fails."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and page is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{item.name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            report.sections.append(("screenshot", str(path)))
        except Exception as exc:  # the page may be gone; the failure itself matters more
            report.sections.append(("screenshot", f"not taken: {exc}"))


@pytest.fixture(autouse=True)
def no_content_security_policy_violations(request):
    """Every browser test fails if the page breaks the Content-Security-Policy (an inline script or
    style, a handler attribute, a foreign resource): the admin, the chart and the letters work under it."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    violations = []

    def watch(watched):
        watched.on(
            "console",
            lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
        )

    watch(page)
    page.context.on("page", watch)  # pop-ups too (the printable letter)
    yield
    assert violations == []


# ------------------------------------------------------------------------------------------
# Page loads per scenario (issue 13): measured, printed at the end of the run, never asserted
# as a time. A form posted and the page it redirects to count as one load, as the user sees it.
# ------------------------------------------------------------------------------------------
PAGE_LOADS: dict[str, dict[str, int]] = {}
PAGE_LOADS_FILE = Path(__file__).resolve().parents[2] / "var" / "e2e-page-loads.json"


class PageLoads:
    """Counts the documents the tab loads — each commit of a new document in the main frame, so a
    page left before its ``load`` event still counts; ``handover()`` marks loads that are not desk
    work (signing in and out, opening the case from the address bar) so they are reported apart."""

    def __init__(self, page):
        self.total = 0
        self.handover_loads = 0
        self._start = 0
        self._page = page
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame):
        if frame == self._page.main_frame:
            self.total += 1

    def start(self) -> None:
        """From here on (the case page after intake) the scenario's loads are counted."""
        self._start, self.handover_loads = self.total, 0

    @contextmanager
    def handover(self):
        before = self.total
        yield
        self.handover_loads += self.total - before

    def report(self, scenario: str) -> dict[str, int]:
        total = self.total - self._start
        PAGE_LOADS[scenario] = {
            "after_intake": total,
            "work": total - self.handover_loads,
            "handover": self.handover_loads,
        }
        return PAGE_LOADS[scenario]


@pytest.fixture
def page_loads(page) -> PageLoads:
    return PageLoads(page)


def pytest_terminal_summary(terminalreporter):
    if not PAGE_LOADS:
        return
    terminalreporter.section("page loads per scenario (after intake: desk work + sign-in/out and navigation)")
    for scenario, counts in sorted(PAGE_LOADS.items()):
        terminalreporter.write_line(
            f"{scenario}: {counts['after_intake']} loads = {counts['work']} work + {counts['handover']} handover"
        )
    PAGE_LOADS_FILE.parent.mkdir(parents=True, exist_ok=True)
    PAGE_LOADS_FILE.write_text(json.dumps(PAGE_LOADS, indent=2, ensure_ascii=False))
