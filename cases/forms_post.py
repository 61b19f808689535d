"""Turn an HTML form post into the plain evidence dict the services take (as the API sends it)."""

LIST_FIELDS = {
    "options": ("action", "benefit", "compensation"),
    "commitments": ("description", "due_at"),
}
MULTI_VALUE_FIELDS = ("emotional_needs",)
MAX_ROWS = 10


def evidence_data_from_post(post) -> dict:
    data = {}
    for key in post:
        if key == "csrfmiddlewaretoken" or "-" in key:
            continue
        data[key] = post.getlist(key) if key in MULTI_VALUE_FIELDS else post.get(key)
    for prefix, columns in LIST_FIELDS.items():
        rows = []
        for index in range(MAX_ROWS):
            row = {column: post.get(f"{prefix}-{index}-{column}", "").strip() for column in columns}
            if any(row.values()):
                rows.append(row)
        if rows or any(key.startswith(f"{prefix}-") for key in post):
            data[prefix] = rows
    return data
