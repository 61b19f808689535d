"""Channel-layer group names: one per user, one per role. Group names allow [a-zA-Z0-9_.-]."""


def user_group(user_id) -> str:
    return f"user.{user_id}"


def role_group(role) -> str:
    return f"role.{role}"
