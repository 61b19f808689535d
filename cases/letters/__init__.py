"""Resolution letters (投诉处理结果告知函): what a letter shows (content.py) and its PDF (rendering.py).

The Letter model, its storage and the task that renders it build on these; nothing here touches the
database except `letter_content_for`, which reads one case.
"""

# Recorded with every rendered letter; bump when the wording or the layout changes.
TEMPLATE_VERSION = "2026.3"
