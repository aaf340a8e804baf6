from common.testing import CAST, access


def _zjj():
    from django.contrib.auth import get_user_model

    return {"pk": get_user_model().objects.get(username="zjj").pk}


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
    "accounts:user_list": access("sysadmin"),
    "accounts:user_create": access("sysadmin"),
    "accounts:user_set_active": access(
        "sysadmin", method="post", kwargs=_zjj, data=lambda: {"active": "1"}
    ),
    "accounts:user_reset_password": access("sysadmin", method="post", kwargs=_zjj, data=lambda: {}),
}
