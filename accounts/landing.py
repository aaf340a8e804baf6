"""Where each role lands after logging in; later apps add their pages here."""

from django.urls import NoReverseMatch, reverse

from common.permissions import Role, role_of

LANDING_URL_NAMES: dict[str, str] = {
    Role.OFFICE: "dashboard:cockpit",
    Role.LEADER: "dashboard:cockpit",
    Role.UNIT_HEAD: "dashboard:workbench",
    Role.UNIT_OFFICER: "dashboard:workbench",
    Role.AUDIT_ADMIN: "audit:event_list",
    Role.SYSTEM_ADMIN: "accounts:user_list",
    Role.SECURITY_ADMIN: "accounts:security",
}


def landing_url_for(user) -> str | None:
    name = LANDING_URL_NAMES.get(role_of(user) or "")
    if not name:
        return None
    try:
        return reverse(name)
    except NoReverseMatch:
        return None
