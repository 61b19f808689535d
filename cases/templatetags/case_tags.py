from django import template
from django.utils.formats import number_format

from .. import deadline_status

register = template.Library()


@register.filter
def thousands(value):
    """1234567 -> 1,234,567 (grouping follows the active language)."""
    return number_format(value, force_grouping=True)


@register.simple_tag
def list_rows(form, name, count):
    """Rows for a repeated sub-form (options, commitments), refilled from a failed post."""
    submitted = list((form.data or {}).get(name) or []) if form is not None and form.is_bound else []
    rows = [dict(row) if isinstance(row, dict) else {} for row in submitted[:count]]
    return rows + [{} for _ in range(count - len(rows))]


@register.simple_tag(takes_context=True)
def case_panel(context, panel):
    """Render a registered case panel (cases/panels.py) with the page's context plus its own."""
    with context.push(**panel.context):
        return context.template.engine.get_template(panel.template).render(context)


@register.filter
def business_duration(amount):
    """A business-time span as "3 h 05 min" (cases/deadline_status.py); empty for None."""
    return "" if amount is None else deadline_status.business_duration(amount)
