"""Exports of an audit search: CSV streamed as it is read, XLSX written row by row to a temporary file,
both from one query whatever the number of rows, guarded against formula injection."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from escalation.escalations import escalation_request
from escalation.services import case_customer_type_tag
from tests.audit.test_search import bulk_cases
from tests.factories import case_in_state

pytestmark = pytest.mark.django_db

HEADER = [
    "Case number", "Opened (Asia/Shanghai)", "First response (Asia/Shanghai)", "Closed (Asia/Shanghai)",
    "State", "Channel", "Customer tier", "Priority", "Owner", "Customer", "Summary", "Customer types",
    "Ever escalated", "Satisfaction (1–5)", "Times reopened",
]  # fmt: skip


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_streams_every_row_with_a_bom_and_a_header(agent, auditor, client):
    bulk_cases(agent, 2000)
    client.force_login(auditor)
    response = client.get(reverse("audit:export_csv"))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    rows = _csv(response)
    assert rows[0] == HEADER
    assert len(rows) == 2001
    assert rows[1][4:10] == ["New", "Phone hotline", "Standard", "Normal", "张伟", rows[1][9]]


def test_xlsx_holds_every_row(agent, auditor, client):
    bulk_cases(agent, 2000)
    client.force_login(auditor)
    response = client.get(reverse("audit:export_xlsx"))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert len(rows) == 2001


def test_the_export_carries_types_escalation_and_the_filters(agent, auditor, client):
    tagged = case_in_state("accepted", owner=agent)
    case_customer_type_tag(case=tagged, actor=agent, data={"customer_type": "rambling"})
    escalation_request(case=tagged, actor=agent, data={"level": 2, "reason": "客户要求升级"})
    bulk_cases(agent, 3)
    client.force_login(auditor)
    rows = _csv(client.get(reverse("audit:export_csv") + "?escalated=yes"))
    assert len(rows) == 2 and rows[1][0] == tagged.number
    assert rows[1][11] == "Rambling / talkative" and rows[1][12] == "Yes"
    assert len(_csv(client.get(reverse("audit:export_csv") + "?escalated=no"))) == 4


def test_a_cell_that_would_be_a_formula_is_written_as_text(agent, auditor, client):
    bulk_cases(agent, 1, customer_name='=HYPERLINK("http://evil.example","点我")', summary="+86 话费")
    client.force_login(auditor)
    row = _csv(client.get(reverse("audit:export_csv")))[1]
    assert row[9] == '\'=HYPERLINK("http://evil.example","点我")' and row[10] == "'+86 话费"
    book = load_workbook(io.BytesIO(b"".join(client.get(reverse("audit:export_xlsx")).streaming_content)))
    sheet = book.worksheets[0]
    assert sheet["J2"].value.startswith("'=HYPERLINK") and sheet["J2"].data_type == "s"


@pytest.mark.parametrize("export", ["audit:export_csv", "audit:export_xlsx"])
def test_the_query_count_does_not_grow_with_rows(agent, auditor, client, export):
    client.force_login(auditor)
    counts = []
    for n in (10, 1990):
        bulk_cases(agent, n)
        client.get(reverse(export))  # warm the caches (roles, customer types)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(export))
            b"".join(response.streaming_content)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("export", ["audit:export_csv", "audit:export_xlsx"])
@pytest.mark.parametrize(
    "query, name",
    [("?state=bogus", "state"), ("?from=2026-11-30&to=2026-11-01", "to"), ("?size=25", "size"), ("?sort=x", "sort")],
)
def test_a_bad_parameter_refuses_the_export(auditor, client, export, query, name):
    client.force_login(auditor)
    response = client.get(reverse(export) + query)
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{name}: ")


@pytest.mark.parametrize("export", ["audit:export_csv", "audit:export_xlsx"])
def test_only_auditors_and_supervisors_export_and_only_by_get(agent, auditor, client, export):
    client.force_login(agent)
    assert client.get(reverse(export)).status_code == 403
    client.force_login(auditor)
    assert client.post(reverse(export)).status_code == 405
