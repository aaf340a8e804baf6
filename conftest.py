"""Fixtures shared by every app's tests: the demo situation and a user per role."""

import os

import pytest

# Demo accounts log in only in demo mode; the tests use them.
os.environ.setdefault("LUOSHI_DEMO", "1")


@pytest.fixture(autouse=True)
def _demo_mode(settings):
    settings.LUOSHI_DEMO = True


def cheap_password_hashers() -> list[str]:
    """The settings' hashers, Argon2 first at its lowest cost (common.testing)."""
    from django.conf import settings

    argon2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
    if settings.PASSWORD_HASHERS[0] != argon2:
        return list(settings.PASSWORD_HASHERS)
    return [
        "common.testing.CheapArgon2PasswordHasher",
        *(name for name in settings.PASSWORD_HASHERS if name != argon2),
    ]


@pytest.fixture(autouse=True)
def _cheap_password_hashes(settings):
    """Passwords set during a test are hashed with Argon2 at its lowest cost (the settings'
    Argon2 otherwise takes 100 MB and most of a second on a busy 2-core machine)."""
    settings.PASSWORD_HASHERS = cheap_password_hashers()


@pytest.fixture(autouse=True)
def _own_audit_anchor_file(settings, tmp_path_factory):
    """Each test anchors the audit chain in a file of its own: the anchor file lives outside
    the database, so the rows a test rolls back would otherwise stay anchored for the next."""
    settings.AUDIT_ANCHOR_FILE = tmp_path_factory.mktemp("anchors") / "audit_anchors.jsonl"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a test-client request that chose English
    activates it in this thread, and it would otherwise leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


# fixtures that give a test the database (pytest-django's blocker is in every test's closure)
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """A test that opens the browser is a browser test, marked or not; a test that uses no
    test database (no `db`, `django_db` or live server, not even through a fixture) is a
    `nodb` test: it gives the same result whichever database the run was given, so `make
    test` runs it in one of its two runs only, like the browser tests (see scripts/test.sh)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if not fixtures & DATABASE_FIXTURES and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.nodb)
    # The walks (thousands of hostile requests in one test) run last of their kind: on
    # PostgreSQL every test after them in the same process ran 1.8 times slower (the tests
    # after the walk 207 s on SQLite, 369 s on PostgreSQL; those before it 131 s on both).
    # pytest-django then sorts the transactional tests after the others, keeping this order
    # within each kind: a transactional test's flush empties what migrations wrote, which
    # the hostile walk (not transactional) reads.
    items.sort(key=lambda item: item.get_closest_marker("walk") is not None)


@pytest.fixture(scope="session", autouse=True)
def _static_files_listed_once():
    """WhiteNoise lists and stats every static file each time a middleware chain is built,
    and the test client builds one per `Client()`: thousands of times a run, most of a
    request's time. The list is made once per session here and copied into each new chain
    (the files do not change during a run; a change of the settings it depends on makes a
    new list)."""
    from django.conf import settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    original = WhiteNoiseMiddleware.add_files_from_finders
    listed: dict[tuple, dict] = {}

    def add_files_from_finders(self) -> None:
        key = (
            self.static_prefix,
            self.max_age,
            self.index_file,
            repr(settings.STORAGES.get("staticfiles")),
            tuple(map(str, getattr(settings, "STATICFILES_DIRS", ()))),
            tuple(settings.INSTALLED_APPS),
        )
        if key not in listed:
            before = dict(self.files)
            original(self)
            listed[key] = {u: f for u, f in self.files.items() if before.get(u) is not f}
        self.files.update(listed[key])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders
    yield
    WhiteNoiseMiddleware.add_files_from_finders = original


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory):
    """(data directory, environment) of Luoshi installed as the README's set-up installs it:
    `luoshi migrate` then `luoshi demo`, each in a subprocess under umask 022, on SQLite, with
    no keys in the environment. Made once per session: the tests that serve or export from an
    installed demo share it (a migrate and a demo load cost about ten seconds each)."""
    import subprocess
    import sys
    from pathlib import Path

    data = tmp_path_factory.mktemp("installed") / "var"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"LUOSHI_DATA_DIR": str(data), "LUOSHI_DEMO": "1"}
    for name in ("LUOSHI_SECRET_KEY", "LUOSHI_AUDIT_KEY", "LUOSHI_TOTP_KEY"):
        env.pop(name, None)
    for args in (("migrate", "--verbosity", "0"), ("demo",)):
        process = subprocess.run(
            [sys.executable, "-m", "luoshi.cli", *args],
            cwd=Path(__file__).parent,
            env=env,
            preexec_fn=lambda: os.umask(0o022),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=600,
        )
        assert process.returncode == 0, process.stderr.decode()
    return data, env


DEMO_COPY = pytest.StashKey["DemoCopy | None"]()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """pytest-django's test databases, and, when a collected test asks for `demo`, the demo
    loaded once through the services and kept as a copy (see demo.testing.DemoCopy)."""
    from django.db import connection
    from django.db.backends.signals import connection_created
    from django.test.utils import override_settings

    from demo.testing import DemoCopy

    _private_test_database(connection)
    wanted = {"demo", "demo_copy"}
    if not any(wanted & set(getattr(item, "fixturenames", ())) for item in request.session.items):
        yield
        return
    # The demo's passwords hashed at the tests' cost (`_cheap_password_hashes`): every login
    # of a demo user in the suite, through the form or a browser, checks a hash; at the real
    # cost (about 0.3 s on both cores each) they cost more than a minute of a run. A `luoshi
    # serve` subprocess checks them with its own settings, which read the cost from the hash
    # (and store the real cost at that person's first login there).
    hashers = override_settings(PASSWORD_HASHERS=cheap_password_hashers())
    with django_db_blocker.unblock(), hashers:
        copy = DemoCopy.take(connection)
    connection_created.connect(copy.attach_on_connect)
    request.config.stash[DEMO_COPY] = copy
    yield
    del request.config.stash[DEMO_COPY]
    connection_created.disconnect(copy.attach_on_connect)
    copy.discard()


def _private_test_database(connection) -> None:
    """The SQLite test database 0600, as Luoshi makes its own database (Django creates it
    under the umask): a `luoshi` subprocess pointed at it refuses a database others may
    read. Its -wal and -shm files take the database file's mode when SQLite makes them."""
    from pathlib import Path

    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    for path in (Path(name), Path(f"{name}-wal"), Path(f"{name}-shm")):
        if path.exists():
            path.chmod(0o600)


@pytest.fixture(scope="session")
def demo_copy(django_db_setup, request):
    """The session's DemoCopy (None if no collected test asked for `demo`)."""
    return request.config.stash.get(DEMO_COPY, None)


@pytest.fixture
def demo(db, demo_copy):
    """The seed-speech demo data, as `demo.loader.load_demo` writes it through the services.

    The load runs once per session; each test gets an exact copy of its rows (same ids,
    times and audit hashes), gone again after the test like any row the test writes."""
    from django.db import connection

    if demo_copy is None:  # asked for only at run time (getfixturevalue): load it the slow way
        from demo.loader import load_demo

        load_demo()
    else:
        demo_copy.restore(connection)


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
    settle(page)


def settle(page, timeout: float | None = None) -> None:
    """Wait until the page has loaded and htmx has no request in flight.

    Playwright's "networkidle" waits for 500 ms of silence after the last request, on every
    page; this returns as soon as the page is ready. (A click that starts a navigation returns
    once the navigation has started, so "load" here is the new page's.)"""
    page.wait_for_load_state("load", timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')",
        timeout=timeout,
    )


def screenshot(page, name: str) -> str:
    """Save a full-page screenshot into test-artifacts/<database>/ and return its path (the
    SQLite and PostgreSQL runs go at the same time and would otherwise overwrite each other)."""
    from pathlib import Path

    from django.db import connection

    folder = Path(__file__).parent / "test-artifacts" / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return str(path)


@pytest.fixture
def job_worker():
    """The background job worker (django-tasks' database worker, as `luoshi serve` starts it)
    in a thread of this process, polling every 0.1 s, for a live server's test; stopped after
    the test."""
    import threading

    from django.db import connections
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"],
        interval=0.1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )

    def run() -> None:
        try:
            worker.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield worker
    worker.running = False
    thread.join(timeout=60)


def run_jobs() -> None:
    """Run every queued background job now, in this thread, as the worker runs each one
    (its loop would close the test's connection between two jobs: it expects autocommit)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-run-jobs",
        excluded_queue_names=[],
    )
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
