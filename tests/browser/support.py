"""What the browser tests share: signing in through the login form, and collecting the CSP
violations a page reports."""

import re

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

PASSWORD = "tutela-test"  # UserFactory's
# Chromium reports a blocked inline script, style or eval as a console error naming the CSP.
CSP_VIOLATION = re.compile(r"Content Security Policy", re.IGNORECASE)


def sign_in(
    page: Page, username: str, url: str = "/accounts/login/", button: str = "Sign in"
) -> None:
    """Sign in through a login form (Tutela's, or the admin's with button="Log in")."""
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def sign_in_to_dashboard(page: Page, username: str) -> None:
    sign_in(page, username)
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def watch_csp(context: BrowserContext, found: list[str]) -> BrowserContext:
    """Collect the CSP violations reported by any page of the context into found."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and CSP_VIOLATION.search(message.text):
            found.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", on_console)
    return context
