"""People as they are chosen and reached: one label everywhere a person is picked, and the
people of a unit with their contact details."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from common.permissions import Role


def person_label(person) -> str:
    """“周伟（规划科）· 13800000000 · zjj@example.gov.cn”: whoever picks a person sees how
    they will be reached (a person without either is reached in the app only)."""
    membership = getattr(person, "membership", None)
    section = getattr(membership, "section", None) if membership is not None else None
    name = person.get_full_name() or person.get_username()
    parts = [f"{name}（{section.name}）" if section else name]
    mobile = getattr(membership, "phone", "") if membership is not None else ""
    parts += [value for value in (mobile, person.email) if value]
    return " · ".join(parts)


def people_of(unit_id: int) -> QuerySet:
    """The active people of a unit (liaison officers first), with what their label reads."""
    return (
        get_user_model()
        .objects.filter(is_active=True, membership__unit_id=unit_id)
        .filter(membership__role__in=[Role.UNIT_HEAD, Role.UNIT_OFFICER])
        .select_related("membership", "membership__section")
        .order_by("-membership__role", "first_name", "username")
    )
