"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's
live_server. Never a downloaded browser. Where /usr/bin/chromium is missing they are skipped
with the install command, except on CI (CI=true), where they fail."""

import os
import re
from collections.abc import Generator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from pytest_django.live_server_helper import LiveServer

from tests.browser.support import watch_csp

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls (the
# tests' factories and services) from a thread with a running loop unless told otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "apt-get install -y chromium"
ARTIFACTS = "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not CHROMIUM.exists():
        message = f"Browser tests need Debian's Chromium at {CHROMIUM}: {INSTALL}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",  # root in a container has no user namespace for the sandbox
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, live_server: LiveServer) -> dict:
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def csp_violations(context: BrowserContext) -> list[str]:
    """CSP violations of the test's default context; a test asserts it stays empty."""
    found: list[str] = []
    watch_csp(context, found)
    return found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Generator:
    """Screenshot every open page of a failed browser test under test-artifacts/ (before
    the fixtures close the contexts)."""
    report = yield
    browser: Browser | None = getattr(item, "funcargs", {}).get("browser")
    if report.failed and report.when == "call" and browser is not None:
        folder = item.config.rootpath / ARTIFACTS
        folder.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.nodeid)
        pages: list[Page] = [page for context in browser.contexts for page in context.pages]
        for number, page in enumerate(pages, start=1):
            path = folder / f"{name}-{number}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as error:  # a closed page must not hide the test's failure
                report.sections.append(("screenshot", f"{path}: {error}"))
            else:
                report.sections.append(("screenshot", str(path)))
    return report
