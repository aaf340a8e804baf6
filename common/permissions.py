"""Roles and the questions every scoping function asks about a user.

The role lives on `org.Membership`; this module reads it without importing `org` so that
imports keep flowing one way (common ← org ← …).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")
    OFFICE = "office", _("Supervision office")
    LEADER = "leader", _("City leader")
    UNIT_HEAD = "unit_head", _("Unit head")
    UNIT_OFFICER = "unit_officer", _("Unit liaison officer")


# 三员分立: the three administrators never see or change business data.
ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
UNIT_ROLES = {Role.UNIT_HEAD, Role.UNIT_OFFICER}
CITYWIDE_ROLES = {Role.OFFICE}
BUSINESS_ROLES = {Role.OFFICE, Role.LEADER, *UNIT_ROLES}

VIEW = "view"
CHANGE = "change"


def membership_of(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.membership
    except Exception:  # RelatedObjectDoesNotExist has no common public base
        return None


def role_of(user) -> str | None:
    membership = membership_of(user)
    return membership.role if membership is not None else None


def unit_id_of(user) -> int | None:
    membership = membership_of(user)
    return membership.unit_id if membership is not None else None


def is_office(user) -> bool:
    return role_of(user) == Role.OFFICE


def sees_all_units(user) -> bool:
    """The office reads and supervises every unit."""
    return role_of(user) in CITYWIDE_ROLES
