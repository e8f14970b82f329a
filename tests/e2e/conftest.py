"""Browser tests: Playwright driving Debian's Chromium (never ``playwright install``)."""

import os
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
