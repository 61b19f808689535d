import unicodedata


def _is_cjk(text: str) -> bool:
    return any("CJK" in unicodedata.name(ch, "") for ch in text)


def display_name(user) -> str:
    """How colleagues see a person: Chinese names family name first with no space (张伟),
    other names as "First Last"; the username when no name is set."""
    if user is None:
        return "—"
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last and (_is_cjk(first) or _is_cjk(last)):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part) or user.username
