from unittest import mock

import pytest
from django.core import mail
from django.db import transaction

from cases.services import case_assign, case_transition
from core.errors import InvalidInput, NotAllowed
from notifications.models import EmailDelivery, Notification, Preference
from notifications.push import push_wait, sender
from notifications.services import job_progress_push, notify
from tests.factories import UserFactory, evidence, log_case

pytestmark = pytest.mark.django_db


def pushes(mocked):
    """(group, message) pairs handed to the push sender."""
    return [item for call in mocked.call_args_list for item in call.args[0]]


def test_a_supervisor_changing_an_agents_case_tells_the_agent_after_commit(
    agent, supervisor, django_capture_on_commit_callbacks
):
    case = log_case(agent)
    with (
        mock.patch.object(sender, "send") as push,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        case_transition(case=case, name="accept", actor=supervisor, data=evidence("accept"))
        assert push.call_count == 0  # nothing leaves before commit
    note = Notification.objects.get(recipient=agent)
    assert note.event == "case_changed" and note.subject_ref == case.number and note.actor == supervisor
    with mock.patch.object(sender, "send") as push:
        for callback in callbacks:
            callback()
    groups = [group for group, _message in pushes(push)]
    assert f"user.{agent.pk}" in groups
    new = [message for _group, message in pushes(push) if message["type"] == "notification.new"]
    assert new == [
        {
            "type": "notification.new",
            "id": note.pk,
            "event": "case_changed",
            "text": case.summary,
            "subject": case.number,
            "url": f"/cases/{case.number}/",
        }
    ]


def test_people_are_not_told_about_their_own_steps(agent):
    case = log_case(agent)
    case_transition(case=case, name="accept", actor=agent, data=evidence("accept"))
    assert not Notification.objects.exists()


def test_a_rolled_back_step_sends_and_stores_nothing(agent, supervisor, django_capture_on_commit_callbacks):
    case = log_case(agent)
    with (
        mock.patch.object(sender, "send") as push,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        case_transition(case=case, name="accept", actor=supervisor, data=evidence("accept"))
        raise RuntimeError("something later in the same transaction failed")
    assert push.call_count == 0
    assert not Notification.objects.exists()


def test_the_same_occurrence_is_delivered_once_per_recipient(agent):
    first = notify("message", recipients=[agent], text="hello", key="k-1")
    again = notify("message", recipients=[agent, agent], text="hello", key="k-1")
    assert len(first) == 1 and again == []
    assert Notification.objects.filter(recipient=agent).count() == 1


def test_redis_down_the_step_still_succeeds_and_the_inbox_has_it(
    agent, supervisor, django_capture_on_commit_callbacks, caplog
):
    case = log_case(agent)

    class Down:
        async def group_send(self, *args, **kwargs):
            raise ConnectionError("Redis is down")

    with mock.patch("notifications.push.get_channel_layer", return_value=Down()):
        with django_capture_on_commit_callbacks(execute=True):
            case_transition(case=case, name="accept", actor=supervisor, data=evidence("accept"))
        assert push_wait()
    case.refresh_from_db()
    assert case.state == "accepted"
    assert Notification.objects.filter(recipient=agent, event="case_changed").count() == 1
    assert "failed" in caplog.text and "Redis is down" in caplog.text


def test_email_goes_to_those_who_asked_once_even_if_the_task_runs_twice(
    agent, supervisor, django_capture_on_commit_callbacks
):
    agent.email = "agent@example.com"
    agent.save()
    Preference.objects.create(user=agent, event="case_assigned", email=True)
    other = UserFactory(username="agent_c", email="c@example.com", role="agent")
    case = log_case(other)
    with django_capture_on_commit_callbacks(execute=True):
        case_assign(case=case, owner_id=agent.pk, actor=supervisor)
    delivery = EmailDelivery.objects.get()
    assert delivery.status == "sent" and len(mail.outbox) == 1 and mail.outbox[0].to == ["agent@example.com"]
    from notifications.tasks import email_send

    assert email_send(delivery.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_failed_email_is_kept_as_failed_for_the_sweep(agent, supervisor, django_capture_on_commit_callbacks):
    agent.email = "agent@example.com"
    agent.save()
    Preference.objects.create(user=agent, event="case_assigned", email=True)
    other = UserFactory(username="agent_c", role="agent")
    case = log_case(other)
    with (
        mock.patch("notifications.tasks.send_mail", side_effect=OSError("SMTP down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        case_assign(case=case, owner_id=agent.pk, actor=supervisor)
    delivery = EmailDelivery.objects.get()
    assert delivery.status == "failed" and "SMTP down" in delivery.last_error and delivery.attempts == 1
    from notifications.tasks import email_send_pending

    assert email_send_pending() == 1
    assert EmailDelivery.objects.get().status == "sent"


def test_assignment_is_for_the_desk_and_supervisors_and_tells_the_new_owner(agent, other_agent, supervisor):
    case = log_case(other_agent)
    with pytest.raises(NotAllowed):
        case_assign(case=case, owner_id=agent.pk, actor=agent)
    with pytest.raises(InvalidInput):
        case_assign(case=case, owner_id=other_agent.pk, actor=supervisor)
    auditor = UserFactory(username="aud", role="auditor")
    with pytest.raises(InvalidInput):
        case_assign(case=case, owner_id=auditor.pk, actor=supervisor)
    case_assign(case=case, owner_id=agent.pk, actor=supervisor)
    case.refresh_from_db()
    assert case.owner == agent
    assert case.events.filter(kind="assigned").count() == 1
    assert case.history.order_by("-history_id").first().owner_id == agent.pk
    assert Notification.objects.get(recipient=agent).event == "case_assigned"


def test_reassigning_refreshes_the_previous_owners_pages_too(
    agent, other_agent, supervisor, django_capture_on_commit_callbacks
):
    case = log_case(other_agent)
    with mock.patch.object(sender, "send") as push, django_capture_on_commit_callbacks(execute=True):
        case_assign(case=case, owner_id=agent.pk, actor=supervisor)
    changed = {group for group, message in pushes(push) if message["type"] == "case.changed"}
    assert {f"user.{agent.pk}", f"user.{other_agent.pk}"} <= changed


def test_a_jobs_progress_goes_to_its_user_after_commit_and_not_on_rollback(agent, django_capture_on_commit_callbacks):
    with mock.patch.object(sender, "send") as push:
        with django_capture_on_commit_callbacks(execute=True):
            job_progress_push(user_id=agent.pk, job="letter-batch:9", data={"done": 1, "total": 2})
        assert pushes(push) == [
            (f"user.{agent.pk}", {"done": 1, "total": 2, "type": "job.progress", "job": "letter-batch:9"})
        ]
        push.reset_mock()
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            job_progress_push(user_id=agent.pk, job="letter-batch:9", data={"type": "spoofed"})
            transaction.set_rollback(True)
        assert push.call_count == 0
    # The caller's data cannot change what kind of message it is.
    with mock.patch.object(sender, "send") as push, django_capture_on_commit_callbacks(execute=True):
        job_progress_push(user_id=agent.pk, job="x", data={"type": "notification.new"})
    assert pushes(push)[0][1]["type"] == "job.progress"
