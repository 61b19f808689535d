"""Letters for many cases at once (issue 10, item 7): from the queue's check boxes, rendered in the
background with a progress the page follows, and one zip at the end; a case that cannot have a letter
is listed with the reason instead of failing the batch."""

import io
import zipfile
from unittest import mock

import pytest
from django.test import Client

from cases.models import Letter, LetterBatch
from cases.services.letter_batches import (
    letter_batch_job,
    letter_batch_progress_message,
    letter_batch_run,
    letter_batch_start,
)
from core.errors import InvalidInput
from notifications.push import push_wait, sender
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


class RecordingLayer:
    """A channel layer that keeps what it is asked to send (tests/notifications/test_push.py's way)."""

    def __init__(self):
        self.sent = []

    async def group_send(self, group, message):
        self.sent.append((group, message))

    def progress(self):
        return [(group, message) for group, message in self.sent if message["type"] == "job.progress"]


def test_the_person_who_asked_is_told_after_each_letter_and_when_the_zip_is_there(
    agent, supervisor, django_capture_on_commit_callbacks
):
    """A supervisor starts a batch of an agent's cases: the progress goes to the supervisor's pages
    only (not the cases' owner), one push per letter, then one with the zip."""
    cases = [case_in_state("agreed", owner=agent) for _ in range(3)]
    layer = RecordingLayer()
    with mock.patch("notifications.push.get_channel_layer", return_value=layer):
        with django_capture_on_commit_callbacks(execute=True):
            batch = letter_batch_start(actor=supervisor, data={"cases": [case.pk for case in cases]})
        assert push_wait()
    pushed = layer.progress()
    assert {group for group, _message in pushed} == {f"user.{supervisor.pk}"}
    assert len(pushed) == len(cases) + 1
    messages = [message for _group, message in pushed]
    assert {message["job"] for message in messages} == {letter_batch_job(batch.pk)}
    assert [message["done"] for message in messages] == [1, 2, 3, 3]
    assert [message["state"] for message in messages] == ["running"] * 3 + ["done"]
    assert all(message["total"] == 3 and message["failed"] == 0 for message in messages)
    letters = {letter.pk for letter in Letter.objects.filter(batch=batch)}
    assert {message["letter"]["id"] for message in messages[:3]} == letters
    assert all(message["letter"]["state"] == "ready" for message in messages[:3])
    final = messages[-1]
    assert final["letter"] is None
    assert final["zip"] == f"/cases/letters/batches/{batch.pk}/zip/"
    assert all(message["zip"] is None for message in messages[:3])
    # The cases' owner hears that their cases changed (the letter_generated events), not the batch.
    assert (f"user.{agent.pk}", "case.changed") in {(group, message["type"]) for group, message in layer.sent}


def test_a_failed_letter_is_counted_and_named_in_its_push(agent, django_capture_on_commit_callbacks):
    cases = [case_in_state("agreed", owner=agent) for _ in range(2)]
    with django_capture_on_commit_callbacks():  # the task is not queued: run below
        batch = letter_batch_start(actor=agent, data={"cases": [case.pk for case in cases]})
    layer = RecordingLayer()
    broken = mock.Mock(side_effect=[b"%PDF-1.7 fine", RuntimeError("the printer caught fire")])
    with (
        mock.patch("notifications.push.get_channel_layer", return_value=layer),
        mock.patch("cases.services.letters.render_letter_pdf", broken),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            letter_batch_run(batch.pk)
        assert push_wait()  # inside: the sender asks for the layer again when it sends
    messages = [message for _group, message in layer.progress()]
    assert [(m["done"], m["failed"], m["state"]) for m in messages] == [
        (1, 0, "running"),
        (2, 1, "running"),
        (2, 1, "done"),
    ]
    assert messages[1]["letter"]["state"] == "failed" and "the printer caught fire" in messages[1]["letter"]["error"]
    assert messages[-1]["zip"]  # the zip holds the letter that was prepared


def test_progress_is_pushed_only_once_each_letter_is_committed(agent, django_capture_on_commit_callbacks):
    cases = [case_in_state("agreed", owner=agent) for _ in range(2)]
    with django_capture_on_commit_callbacks():
        batch = letter_batch_start(actor=agent, data={"cases": [case.pk for case in cases]})
    with mock.patch.object(sender, "send") as send:
        with django_capture_on_commit_callbacks() as callbacks:
            letter_batch_run(batch.pk)  # inside the test's transaction: nothing is committed yet
        assert send.call_count == 0
        for callback in callbacks:
            callback()
    progress = [
        message for call in send.call_args_list for _group, message in call.args[0] if message["type"] == "job.progress"
    ]
    assert len(progress) == 3


def test_the_progress_message_is_plain_data():
    """What the page receives, without a database: counts, state, the zip's link, the letter."""
    running = LetterBatch(pk=7, state="running")
    letter = Letter(pk=31, state="failed", error="it took longer than 20 seconds")
    message = letter_batch_progress_message(running, {"total": 3, "done": 2, "failed": 1, "rendering": 1}, letter)
    assert message == {
        "batch": 7,
        "state": "running",
        "total": 3,
        "done": 2,
        "failed": 1,
        "zip": None,
        "letter": {"id": 31, "state": "failed", "error": "it took longer than 20 seconds"},
    }
    done = LetterBatch(pk=7, state="done", archive="letters/batches/batch-7-0123456789abcdef.zip")
    final = letter_batch_progress_message(done, {"total": 3, "done": 3, "failed": 1, "rendering": 0})
    assert (final["state"], final["done"], final["zip"], final["letter"]) == (
        "done",
        3,
        "/cases/letters/batches/7/zip/",
        None,
    )


def test_a_running_batchs_page_carries_what_its_script_needs_to_follow_the_pushes(
    agent, django_capture_on_commit_callbacks
):
    case = case_in_state("agreed", owner=agent)
    with django_capture_on_commit_callbacks():  # not rendered yet
        batch = letter_batch_start(actor=agent, data={"cases": [case.pk]})
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page.force_login(agent)
    shown = page.get(f"/cases/letters/batches/{batch.pk}/").content.decode()
    letter = Letter.objects.get(batch=batch)
    assert f'data-batch-job="letter-batch:{batch.pk}"' in shown
    assert f'data-zip-url="/cases/letters/batches/{batch.pk}/zip/"' in shown
    assert 'data-text-count="已生成 {done} / {total} 份告知函"' in shown
    assert 'data-text-failed="{n} 份生成失败"' in shown
    assert 'data-label-ready="待发出"' in shown and 'data-label-failed="' in shown
    assert f'data-letter="{letter.pk}"' in shown
    assert 'data-testid="batch-zip"' not in shown  # the link's place is there, hidden, without a target
    assert "data-batch-zip hidden" in shown
