from .permissions import Role, role_of


def luoshi(request):
    role = role_of(getattr(request, "user", None))
    return {"luoshi_role": role, "Role": Role}
