"""Test helpers shared by every app: the permission-matrix entry and the demo cast.

The demo's copy for tests (`DemoCopy`) is in demo/testing.py: it loads the demo, which sits
above every app."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import Argon2PasswordHasher

# The demo users (demo/data.py), one per role. The leader 李华 oversees ZJJ, CGJ, CTJT, ZRJ;
# zjj and zjj_head belong to ZJJ (市住房和城乡建设局).
CAST = ["office", "leader", "zjj", "zjj_head", "sysadmin", "secadmin", "auditor"]


@dataclass(frozen=True)
class Access:
    """Who may open a URL in the permission matrix.

    `allowed` are demo usernames from CAST that get a success (2xx, or a redirect for
    POST-only endpoints); every other user of CAST must get 403 or 404, and an anonymous
    visitor a redirect to the login page. `kwargs` builds the URL arguments after the
    demo data is loaded (e.g. another unit's object, to check IDOR).
    """

    allowed: frozenset[str]
    kwargs: Callable[[], dict] | None = None
    method: str = "get"
    data: Callable[[], dict] | None = None
    note: str = ""
    query: str = ""
    extra: dict = field(default_factory=dict)


def access(*allowed: str, **options) -> Access:
    unknown = set(allowed) - set(CAST)
    assert not unknown, f"unknown demo users {unknown}"
    return Access(allowed=frozenset(allowed), **options)


EVERY_BUSINESS_ROLE = ("office", "leader", "zjj", "zjj_head")


def all_matrix_entries() -> dict[str, Access]:
    """Every app's `tests/matrix.py` MATRIX, merged (keys: URL name, optionally `#variant`)."""
    import importlib

    from django.apps import apps

    entries: dict[str, Access] = {}
    for app in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{app.name}.tests.matrix")
        except ModuleNotFoundError:
            continue
        entries.update(module.MATRIX)
    return entries


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 at its lowest cost, for the passwords tests set (Django's advice for fast tests).

    The production cost (100 MB, about 0.2 s a hash) is what makes guessing slow; the tests
    check the rules around passwords, which do not depend on it. Hashes made at the real cost
    (the demo's, loaded once per session) still verify, and are never re-hashed on login.
    """

    time_cost = 1
    memory_cost = 64
    parallelism = 1

    def must_update(self, encoded: str) -> bool:
        return False
