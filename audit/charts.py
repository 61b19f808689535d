"""Server-rendered SVG charts for the dashboard: small pure functions returning safe markup.

Each chart is an `<svg role="img">` named by `aria-label` and `<title>`, with a `<desc>` listing every
label and value, a `<title>` per bar (a tooltip), and the value printed beside each bar, so the page
reads without JavaScript, with a screen reader, and in print. Labels are escaped here; they inherit
the page's font, so Chinese labels render as the rest of the page. No JavaScript, no library.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

BAR_FILL = "#0b5cad"  # app.css --accent
EMPTY_FILL = "#d9dee7"  # app.css --line
TEXT_FILL = "#1d2330"
MUTED_FILL = "#5b6474"


def _text(value) -> str:
    return escape(str(value))


def _svg(title, width, height, body, rows, value_text) -> str:
    desc = "; ".join(f"{label}: {value_text(value)}" for label, value in rows)
    # Safe: every label, value and title went through _text (escape) above; the rest is our markup.
    return mark_safe(  # noqa: S308
        f'<svg class="chart" role="img" aria-label="{_text(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{_text(title)}</title><desc>{_text(desc)}</desc>{''.join(body)}</svg>"
    )


def _scale(rows, max_value):
    top = max([max_value or 0, *(value or 0 for _label, value in rows)])
    return top if top > 0 else 1


def _label_room(labels) -> int:
    """Room for the longest label at 13px: a CJK character is about a square, a Latin one about half.
    The bars take what is left, so no label is cut at the chart's left edge."""
    widest = max((sum(13 if ord(ch) > 0x2E80 else 7.4 for ch in str(label)) for label in labels), default=0)
    return int(widest) + 16


def hbar_chart(rows, *, title, value_text=str, max_value=None, label_width=None, width=520, row_height=26) -> str:
    """Horizontal bars, one row per (label, value), labels left and values right of each bar. Good for
    long or many labels (states, channels, customer types, agents). A value of None is drawn as no
    bar and printed through `value_text` (e.g. "—"). The label column is as wide as the longest label
    (the chart's width grows rather than a label being cut)."""
    rows = [(label, value) for label, value in rows]
    label_width = label_width or max(80, _label_room(label for label, _value in rows))
    width = max(width, label_width + 200)
    top = _scale(rows, max_value)
    bar_room = width - label_width - 70
    height = max(row_height * len(rows), row_height) + 4
    body = []
    for i, (label, value) in enumerate(rows):
        y = i * row_height + 2
        length = 0 if not value else max(2, round(bar_room * value / top, 1))
        shown = _text(value_text(value))
        body.append(
            f'<g class="bar"><title>{_text(label)}: {shown}</title>'
            f'<text x="{label_width - 8}" y="{y + row_height * 0.62:.1f}" text-anchor="end" font-size="13" '
            f'fill="{TEXT_FILL}">{_text(label)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{length}" height="{row_height - 8}" rx="2" '
            f'fill="{BAR_FILL if value else EMPTY_FILL}"/>'
            f'<text x="{label_width + length + 6}" y="{y + row_height * 0.62:.1f}" font-size="13" '
            f'fill="{TEXT_FILL}" class="value">{shown}</text></g>'
        )
    return _svg(title, width, height, body, rows, value_text)


def bar_chart(rows, *, title, value_text=str, max_value=None, width=520, height=200, gap=0.3, caption="") -> str:
    """Vertical bars, one per (label, value), the value printed above each bar and its label below.
    `gap` is the share of each slot left empty (0 for a histogram). `caption` names the x axis."""
    rows = [(label, value) for label, value in rows]
    top = _scale(rows, max_value)
    slot = width / max(len(rows), 1)
    plot_top, plot_bottom = 20, height - (42 if caption else 24)
    body = [f'<line x1="0" y1="{plot_bottom}" x2="{width}" y2="{plot_bottom}" stroke="{EMPTY_FILL}"/>']
    for i, (label, value) in enumerate(rows):
        bar_width = slot * (1 - gap)
        x = i * slot + (slot - bar_width) / 2
        length = 0 if not value else max(2, (plot_bottom - plot_top) * value / top)
        shown = _text(value_text(value))
        centre = i * slot + slot / 2
        body.append(
            f'<g class="bar"><title>{_text(label)}: {shown}</title>'
            f'<rect x="{x:.1f}" y="{plot_bottom - length:.1f}" width="{bar_width:.1f}" height="{length:.1f}" '
            f'fill="{BAR_FILL if value else EMPTY_FILL}"/>'
            f'<text x="{centre:.1f}" y="{plot_bottom - length - 5:.1f}" text-anchor="middle" font-size="13" '
            f'fill="{TEXT_FILL}" class="value">{shown}</text>'
            f'<text x="{centre:.1f}" y="{plot_bottom + 17}" text-anchor="middle" font-size="13" '
            f'fill="{TEXT_FILL}">{_text(label)}</text></g>'
        )
    if caption:
        body.append(
            f'<text x="{width / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="12" '
            f'fill="{MUTED_FILL}">{_text(caption)}</text>'
        )
    return _svg(title, width, height, body, rows, value_text)


def histogram(bins, *, title, caption="", value_text=str, width=520, height=200) -> str:
    """Counts per bin, bars side by side (bins are ordered values: satisfaction 1 … 5)."""
    return bar_chart(bins, title=title, value_text=value_text, width=width, height=height, gap=0.06, caption=caption)
