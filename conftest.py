"""Fixtures shared by every app's tests: the demo situation and a user per role."""

import os

import pytest

# Demo accounts log in only in demo mode; the tests use them.
os.environ.setdefault("LUOSHI_DEMO", "1")


@pytest.fixture(autouse=True)
def _demo_mode(settings):
    settings.LUOSHI_DEMO = True


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a test-client request that chose English
    activates it in this thread, and it would otherwise leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo(db):
    """The seed-speech demo data, loaded through the services."""
    from demo.loader import load_demo

    load_demo()


@pytest.fixture
def make_user(db):
    """make_user(role, unit=None, leader=None) → a user with that membership."""
    from org.services import create_person

    counter = {"n": 0}

    def make(role: str, unit=None, leader=None, password: str = "Luoshi@test2024"):
        counter["n"] += 1
        return create_person(
            user=None,
            username=f"{role}{counter['n']}",
            full_name=f"{role} {counter['n']}",
            role=role,
            password=password,
            unit=unit,
            leader=leader,
        )

    return make


@pytest.fixture
def cast(demo):
    """The demo users by username (see common.testing.CAST)."""
    from django.contrib.auth import get_user_model

    from common.testing import CAST

    users = get_user_model().objects.filter(username__in=CAST).select_related("membership")
    return {user.username: user for user in users}


# --- Browser tests: Debian's Chromium driven by Playwright, never a downloaded browser ---

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    import os

    # Playwright's sync API runs an event loop in this thread; the Django test code around
    # it is still synchronous, so Django's async-safety guard must not trip on it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(viewport=(w, h), locale="zh-CN") → a fresh page; closed after the test."""
    contexts = []

    def make(viewport=(1366, 900), locale="zh-CN"):
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            locale=locale,
            base_url=live_server.url,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def login(page, username: str, password: str = "Luoshi@2024demo") -> None:
    """Log in through the real form."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-submit")
    page.wait_for_load_state("networkidle")


def screenshot(page, name: str) -> str:
    """Save a full-page screenshot into test-artifacts/ and return its path."""
    from pathlib import Path

    folder = Path(__file__).parent / "test-artifacts"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return str(path)
