from .roles import Role, roles_of


def roles(request):
    return {"user_roles": roles_of(getattr(request, "user", None)), "Role": Role}
