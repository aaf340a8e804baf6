"""Test helpers shared by every app: the permission-matrix entry and the demo cast."""

from collections.abc import Callable
from dataclasses import dataclass, field

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
