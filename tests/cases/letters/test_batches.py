"""Letters for many cases at once (issue 10, item 7): from the queue's check boxes, rendered in the
background with a progress the page follows, and one zip at the end; a case that cannot have a letter
is listed with the reason instead of failing the batch."""

import io
import zipfile

import pytest
from django.test import Client

from cases.models import Letter, LetterBatch
from cases.services.letter_batches import letter_batch_start
from core.errors import InvalidInput
from tests.api.test_api import client_for
from tests.factories import case_in_state, log_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]


def test_an_agent_ticks_cases_on_the_queue_and_downloads_the_zip(agent, django_capture_on_commit_callbacks):
    agreed = [case_in_state("agreed", owner=agent) for _ in range(2)]
    early = log_case(agent, customer_phone="13900000009")
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(agent)
    queue = page.get("/cases/").content.decode()
    for case in agreed:
        assert f'name="case" value="{case.pk}"' in queue
    assert f'name="case" value="{early.pk}"' not in queue  # no agreement yet: nothing to write
    with django_capture_on_commit_callbacks(execute=True):
        started = page.post("/cases/letters/batch/", {"case": [str(c.pk) for c in agreed] + [str(early.pk)]})
    batch = LetterBatch.objects.get()
    assert started["Location"] == f"/cases/letters/batches/{batch.pk}/"
    shown = page.get(started["Location"]).content.decode()
    assert 'data-testid="batch-zip"' in shown and "2 of 2 letters prepared" in shown
    assert early.number in shown  # listed with why it got no letter
    body = b"".join(page.get(f"/cases/letters/batches/{batch.pk}/zip/").streaming_content)
    names = sorted(zipfile.ZipFile(io.BytesIO(body)).namelist())
    assert names == sorted(f"{case.number}-v1.pdf" for case in agreed)
    for case in agreed:
        letter = Letter.objects.get(case=case)
        assert (letter.batch, letter.state, letter.requested_by) == (batch, "ready", agent)


def test_the_api_reports_progress_and_refuses_a_batch_nobody_can_have(agent):
    case = case_in_state("agreed", owner=agent)
    api = client_for(agent)
    started = api.post("/api/letter-batches/", {"cases": [case.pk], "language": "en"}, format="json")
    assert started.status_code == 202
    body = started.json()
    assert (body["state"], body["total"], body["done"], body["zip"]) == ("running", 1, 0, None)
    assert api.post("/api/letter-batches/", {"cases": [log_case(agent).pk]}, format="json").status_code == 400
    assert api.post("/api/letter-batches/", {"cases": "all"}, format="json").status_code == 400
    assert api.post("/api/letter-batches/", {"cases": list(range(1, 202))}, format="json").status_code == 400
    with pytest.raises(InvalidInput):
        letter_batch_start(actor=agent, data={"cases": []})


def test_an_auditor_reads_a_batch_but_cannot_start_one(agent, auditor, django_capture_on_commit_callbacks):
    case = case_in_state("agreed", owner=agent)
    reader = Client()
    reader.force_login(auditor)
    assert reader.post("/cases/letters/batch/", {"case": [str(case.pk)]}).status_code == 403
    assert 'data-testid="letter-batch-start"' not in reader.get("/cases/?scope=all").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        batch = letter_batch_start(actor=agent, data={"cases": [case.pk]})
    assert reader.get(f"/cases/letters/batches/{batch.pk}/").status_code == 200
    assert not LetterBatch.objects.exclude(pk=batch.pk).exists()
