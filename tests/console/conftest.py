"""The console's fixtures: the Lombardy job site of the recovery tests, and a logged-in browser per role."""

import os
from pathlib import Path

import pytest
from django.test import Client

from tests import factories
from tests.factories import MONZA, SITE, machine_at


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dispatcher_client(dispatcher) -> Client:
    return client_for(dispatcher)


@pytest.fixture
def manager_client(manager) -> Client:
    return client_for(manager)


@pytest.fixture
def replacements(mini, midi, monza, milano, mini_accepts_midi):
    """Two exact machines (Monza is nearer than Milano) and a substitute midi in Monza."""
    return {
        "monza": machine_at(mini, monza, MONZA, "PR0000002"),
        "milano": machine_at(mini, milano, (45.4773, 9.1025), "PR0000003"),
        "midi": machine_at(midi, monza, MONZA, "PR0000004"),
    }


@pytest.fixture
def second_rental(mini, milano):
    """Another customer's mini excavator on a site next door: a second incident competes for machines."""
    machine = factories.MachineFactory(
        fleet_number="PR0000200",
        category=mini,
        home_branch=milano,
        status="on_rent",
        lat=SITE[0],
        lon=SITE[1],
    )
    customer = factories.CustomerFactory(company="Scavi Bianchi S.n.c.", contact_name="Marco Bianchi")
    return factories.RentalFactory(
        customer=customer, machine=machine, branch=milano, site_lat=SITE[0], site_lon=SITE[1]
    )


@pytest.fixture(scope="session", autouse=True)
def _italian_compiled():
    """`make test` compiles the translations; this covers a bare `pytest` run on a fresh checkout."""
    from django.core.management import call_command

    po = ROOT / "locale" / "it" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", locale=["it"], ignore_patterns=[".venv", "node_modules"], verbosity=0)


# --- Browser tests: Playwright's sync API driving Debian's chromium against the live server. ------

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Playwright's sync API keeps an event loop on the test's thread, and Django then refuses ORM calls
# from it, though they are plain synchronous calls. The guard is lifted around each browser test,
# fixtures and database flush included, and put back after: left on for the whole session, the
# variable would leak into subprocesses (and `check --deploy` rightly fails on it).
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if item.get_closest_marker("browser"):
        os.environ[ASYNC_UNSAFE] = "true"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        if item.get_closest_marker("browser"):
            os.environ.pop(ASYNC_UNSAFE, None)


# One chromium per test module, not per session: while Playwright runs, its event loop sits on
# this thread, and the rest of the suite must not find it there.
@pytest.fixture(scope="module")
def browser():
    if not (ROOT / "static" / "vendor" / "htmx.min.js").exists():
        pytest.fail("The console's front-end assets are missing: run `make assets` (make test does).")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No chromium at {CHROMIUM}: `make test` installs it with apt-get.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser, live_server):
    """A factory of pages, each in its own browser context (its own cookies: its own dispatcher)."""
    contexts = []

    def make(*, width: int = 1366, height: int = 900, locale: str = "en-GB"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, live_server, username: str, password: str = "pronto") -> None:  # noqa: S107 - test users
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
