"""Browser tests: Playwright for Python drives Debian's chromium (/usr/bin/chromium, headless) against
pytest-django's live server. Run them alone with `.venv/bin/pytest amity/tests_browser` (docs/TESTING.md).

A live server answers from another thread, so these tests run in real transactions (`transactional_db`) and
pytest-django runs them after the others. Between them Django empties the database; here it keeps the
reference data loaded once per session (13,000 units, codelists, rates: reloading them would cost 9 s a test).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client

from amity.accounts.models import User
from amity.conftest import flush_keeping_reference_data

CHROMIUM = Path("/usr/bin/chromium")
# Final states of the workflows, kept as CI artifacts (var/ is not versioned).
SCREENSHOTS = Path(settings.VAR_DIR) / "browser-screenshots"


@pytest.fixture(scope="session", autouse=True)
def _flush_keeps_reference_data() -> Iterator[None]:
    """The flush after each transactional test empties every table but those of the reference data."""
    with flush_keeping_reference_data():
        yield


@contextmanager
def data_kept_between_tests() -> Iterator[None]:
    """While inside, the flush after each transactional test empties nothing: the tests of a module read one set of
    data, built once (`public_site`), instead of building it again for each test."""
    from django.core.management.commands import flush

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flush.Command, "handle", lambda self, *args, **options: None)
        yield


@pytest.fixture(scope="module")
def public_site(django_db_setup: None, django_db_blocker: Any, live_server: Any) -> Iterator[dict[str, str]]:
    """The public site of `public_site.py` (published news, events, NGOs, reports of each kind), built once for the
    module's tests, which only read it through the live server; emptied after the last (but the reference data).
    Returns the address of each kind of public page."""
    from django.core.cache import cache

    from amity.reference.models import AdministrativeUnit

    from .public_site import build_public_site

    with django_db_blocker.unblock():
        if not AdministrativeUnit.objects.exists():
            call_command("load_reference", verbosity=0)
        cache.clear()  # no public page cached by an earlier test's data
        paths = build_public_site()
    with data_kept_between_tests():
        yield paths
    with django_db_blocker.unblock():
        call_command("flush", verbosity=0, interactive=False)
        cache.clear()
        # Opened by the flush outside any test, this connection outlived the session and kept the worker's test
        # database from being dropped at its end ("being accessed by other users").
        connections.close_all()


def _as_is(application: Any) -> Any:
    return application


@pytest.fixture(scope="module")
def production_site(public_site: dict[str, str], production_static: Path) -> Iterator[str]:
    """A second live server on `public_site`'s data that serves as production does: the static files collected
    (hashed names, gzip copies) and served by WhiteNoise with their caching headers, where the live server serves
    them raw through Django's development handler. For the tests that measure what a visitor downloads. Its
    address; the paths are `public_site`'s."""
    from django.db import connections
    from django.test.testcases import LiveServerThread

    from amity.conftest import serving_production_static

    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    with serving_production_static(production_static):
        thread = LiveServerThread("localhost", static_handler=_as_is, connections_override=shared)
        thread.daemon = True
        for connection in shared.values():
            connection.inc_thread_sharing()
        thread.start()
        thread.is_ready.wait()
        try:
            if thread.error:
                raise thread.error
            yield f"http://localhost:{thread.port}"
        finally:
            thread.terminate()
            for connection in shared.values():
                connection.dec_thread_sharing()


@pytest.fixture
def reference_data(live_server: Any) -> None:
    """The reference data, reloaded if a transactional test outside this folder emptied the database."""
    from amity.reference.models import AdministrativeUnit

    if not AdministrativeUnit.objects.exists():
        call_command("load_reference", verbosity=0)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):  # CI installs it (.ci/run): a missing browser there is a failure, not a skip
            pytest.fail(f"{CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` (CI installs it) to run the browser tests")
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API runs an event loop in this thread, which Django takes for async code; the
    # test code around it is synchronous, so its database calls are safe.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


# Reports every violation of the Content-Security-Policy to the test (the browser's `securitypolicyviolation`
# event, on every page and frame of the context, before any script of the page runs).
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.amityCspViolation([event.effectiveDirective, event.blockedURI, event.sourceFile + ":" + event.lineNumber,
                            event.sample, document.location.pathname].join(" | "));
}, true);
"""


def watch_csp(context: Any) -> list[str]:
    """Collect the Content-Security-Policy violations of every page of `context`: those the pages' documents
    report, and those the browser only writes to the console (a blocked inline handler reports both)."""
    violations: list[str] = []

    def report(violation: str) -> None:
        violations.append(violation)

    context.expose_function("amityCspViolation", report)
    context.add_init_script(_REPORT_VIOLATIONS)

    def console(message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"console: {message.text}")

    context.on("console", console)
    return violations


def new_context(browser: Any, live_server: Any, **options: Any) -> tuple[Any, list[str]]:
    """A browser context on the live server, in Vietnamese unless told, watched for CSP violations."""
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", **options)
    context.set_default_timeout(10_000)
    return context, watch_csp(context)


def assert_no_csp_violation(violations: list[str]) -> None:
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(violations)))


@pytest.fixture
def page(browser: Any, live_server: Any, reference_data: None, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser page (no cookies: Vietnamese, signed out); its final state is saved as a screenshot. Any
    violation of the Content-Security-Policy on any page it opened fails the test."""
    context, violations = new_context(browser, live_server, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert_no_csp_violation(violations)


def snap(page: Any, name: str) -> None:
    """Save the visible part of the page (1280 × 800) as `var/browser-screenshots/<name>.png`: an intermediate
    state worth looking at, or a picture for docs/USER_GUIDE.md (copied to docs/images/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def sign_in_as(page: Any, user: User, live_server: Any) -> None:
    """Sign `user` in without the login form (one test uses the form): the browser gets the session cookie
    of a test client logged in as them."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
