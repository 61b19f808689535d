"""The queue's search box: a case number exactly; any other text anywhere in the customer's name, the
summary or the phone number — "小明" finds 王小明, "宽带" finds 宽带频繁断线, "5678" finds 13812345678.

What decides the results is Django's own `icontains`/`contains` (a LIKE), the same SQL on every
database. On PostgreSQL, indexes make a substring LIKE fast over a million cases: pg_trgm's GIN
indexes for three characters or more (name, summary, phone; migrations 0003 and 0007). Two
characters — most Chinese words and given names — give pg_trgm nothing to look up, so a two-character
search carries one more condition, `case_search_bigrams(<name, summary>) @> ARRAY[<query>]`, which
the GIN index of migration 0007 answers. It is implied by the LIKE (a text containing the query
contains it as a 2-character piece), so it narrows what PostgreSQL reads, never what it returns; on
SQLite (the embedded default, small by design) it is left out and the LIKE scans.

One character is too little to find anywhere usefully (王 is in one name in fifty): it matches the
start of the customer's name, a family name, served by the prefix index of migration 0005. Digits
search the phone number from three on ("1380", "5678").
"""

import re

from django.db.models import BooleanField, Expression, Q

CASE_NUMBER_RE = re.compile(r"^C-\d{4}-\d{1,9}$", re.IGNORECASE)
PHONE_DIGITS_RE = re.compile(r"^\+?\d{3,}$")
SHORTEST_ANYWHERE = 2
BIGRAM = 2


class _NameOrSummaryHasBigram(Expression):
    """PostgreSQL: the case's upper-cased name and summary have `text` (two characters) as a piece,
    spelled as the index of migration 0007 is, so PostgreSQL can use it. Elsewhere: no condition."""

    output_field = BooleanField()

    def __init__(self, text):
        super().__init__()
        self.text = text

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.alias = query.get_initial_alias() if query is not None else None
        return resolved

    def as_sql(self, compiler, connection):
        return "1 = 1", []

    def as_postgresql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(self.alias)
        document = f'upper({table}."customer_name"::text || \' \' || {table}."summary"::text)'
        return f"case_search_bigrams({document}) @> ARRAY[upper(%s)]", [self.text]


def case_search(qs, text):
    """`qs` narrowed to the cases `text` finds; an empty text finds everything."""
    text = text.strip()
    if not text:
        return qs
    if CASE_NUMBER_RE.match(text):
        return qs.filter(number=text.upper())
    if len(text) < SHORTEST_ANYWHERE:
        return qs.filter(customer_name__istartswith=text)
    if PHONE_DIGITS_RE.match(text):
        return qs.filter(customer_phone__contains=text)
    found = qs.filter(Q(customer_name__icontains=text) | Q(summary__icontains=text))
    return found.filter(_NameOrSummaryHasBigram(text)) if len(text) == BIGRAM else found
