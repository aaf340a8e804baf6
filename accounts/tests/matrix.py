from common.testing import CAST, access


def _zjj():
    from django.contrib.auth import get_user_model

    return {"pk": get_user_model().objects.get(username="zjj").pk}


def _pending(kind: str):
    """A request of the system administrator waiting for the security administrator."""

    def kwargs():
        from django.contrib.auth import get_user_model

        from accounts import services

        users = get_user_model().objects
        sysadmin = users.get(username="sysadmin")
        if kind == "create":
            made = services.request_person(
                user=sysadmin, username="matrix-new", full_name="矩阵新账号", role="office"
            )
        else:
            made = services.request_password_reset(user=sysadmin, person=users.get(username="zjj"))
        return {"pk": made.pk}

    return kwargs


def _deactivated():
    """A login with a role, deactivated (not one of the cast, who must still log in)."""
    from common.permissions import Role
    from org.tests.factories import PersonFactory

    person = PersonFactory(role=Role.OFFICE, is_active=False)
    return {"pk": person.pk}


MATRIX = {
    # the login pages redirect a logged-in user to their landing page
    "accounts:login": access(*CAST, extra={"public": True}),
    "accounts:two_factor": access(*CAST, extra={"public": True}),
    "accounts:logout": access(*CAST, method="post", data=lambda: {}, extra={"public": True}),
    "accounts:home": access(*CAST),
    "accounts:password_change": access(*CAST),
    "accounts:security": access("secadmin"),
    "accounts:unlock": access("secadmin", method="post", kwargs=_zjj, data=lambda: {}),
    "accounts:reset_totp": access("secadmin", method="post", kwargs=_zjj, data=lambda: {}),
    "accounts:request_approve": access(
        "secadmin", method="post", kwargs=_pending("create"), data=lambda: {}
    ),
    "accounts:request_reject": access(
        "secadmin", method="post", kwargs=_pending("reset"), data=lambda: {}
    ),
    "accounts:person_activate": access(
        "secadmin", method="post", kwargs=_deactivated, data=lambda: {}
    ),
    "accounts:user_list": access("sysadmin"),
    "accounts:user_create": access("sysadmin"),
    "accounts:user_set_active": access(
        "sysadmin", method="post", kwargs=_zjj, data=lambda: {"active": "0"}
    ),
    "accounts:user_reset_password": access("sysadmin", method="post", kwargs=_zjj, data=lambda: {}),
}
