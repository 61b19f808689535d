"""Resolution letters on the record (issue 10, items 4–6): versions generated from the case page and
the API, stored with their SHA-256, immutable once sent, and a wording check that blocks sending
until the phrase is gone or a supervisor lets it through with a reason."""

import hashlib

import pytest
from django.test import Client

from cases.choices import LetterState
from cases.models import AvoidPhrase, Case, Letter
from cases.models.letter import SentLetterError
from cases.services.letters import letter_mark_sent, letter_request, letter_retry
from core.errors import Conflict, InvalidInput, NotAllowed
from tests.api.test_api import client_for
from tests.factories import UserFactory, case_in_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` — what runs after commit (the render, queued inline as with no broker)
    runs at the end of the block: the test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def agreed(agent):
    return case_in_state("agreed", owner=agent)


def page(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_an_agent_generates_a_letter_from_the_case_page_and_reads_the_pdf(agent, agreed, committed):
    client = page(agent)
    shown = client.get(f"/cases/{agreed.number}/").content.decode()
    assert 'data-testid="letter-generate"' in shown and "No letter yet" in shown
    with committed():
        response = client.post(f"/cases/{agreed.number}/letters/", {"language": "zh-hans"})
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert "Version 1 of the letter is being prepared" in shown  # the message of the moment it was asked
    assert 'data-testid="letter-preview"' in shown and "Mark version 1 as sent" in shown
    letter = Letter.objects.get(case=agreed)
    assert (letter.version, letter.state, letter.language, letter.requested_by) == (1, "ready", "zh-hans", agent)
    pdf = b"".join(client.get(f"/cases/{agreed.number}/letters/{letter.pk}/pdf/").streaming_content)
    assert pdf.startswith(b"%PDF") and len(pdf) == letter.size
    assert hashlib.sha256(pdf).hexdigest() == letter.sha256
    event = agreed.events.get(kind="letter_generated")
    assert event.actor == agent and event.payload["sha256"] == letter.sha256 and event.payload["version"] == 1


def test_each_render_is_a_new_version_and_the_customers_language_is_the_default(agent, agreed, committed):
    with committed():
        first = letter_request(case=agreed, actor=agent)
        second = letter_request(case=agreed, actor=agent, data={"language": "bilingual"})
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.language == Case.objects.get(pk=agreed.pk).customer_language
    assert first.file.name != Letter.objects.get(pk=second.pk).file.name


def test_a_sent_letter_never_changes(agent, agreed, committed):
    with committed():
        letter = letter_request(case=agreed, actor=agent)
    letter = letter_mark_sent(letter=letter, actor=agent)
    assert letter.state == LetterState.SENT and letter.sent_by == agent
    stored = Letter.objects.get(pk=letter.pk)
    stored.language = "en"
    with pytest.raises(SentLetterError):
        stored.save()
    with pytest.raises(SentLetterError):
        stored.delete()
    with pytest.raises(Conflict):
        letter_mark_sent(letter=stored, actor=agent)
    assert agreed.events.filter(kind="letter_sent").count() == 1


def test_a_letter_is_written_only_after_agreement_and_only_by_who_works_the_case(agent, auditor):
    early = case_in_state("analyzed", owner=agent)
    with pytest.raises(Conflict):
        letter_request(case=early, actor=agent)
    agreed = case_in_state("agreed", owner=agent)
    with pytest.raises(NotAllowed):
        letter_request(case=agreed, actor=auditor)
    other = UserFactory(username="agent_b", role="agent")
    with pytest.raises(NotAllowed):
        letter_request(case=agreed, actor=other)
    with pytest.raises(InvalidInput) as bad:
        letter_request(case=agreed, actor=agent, data={"language": "fr"})
    assert "language" in bad.value.fields
    assert not Letter.objects.exists()


def test_an_apology_too_long_for_a_letter_is_named_and_nothing_is_queued(agent, agreed):
    Case.objects.filter(pk=agreed.pk).update(apology_text="抱" * 20_001)  # written before the limit existed
    agreed.refresh_from_db()
    with pytest.raises(InvalidInput) as too_long:
        letter_request(case=agreed, actor=agent)
    assert "apology" in too_long.value.fields
    assert not Letter.objects.exists()


def test_a_render_that_fails_leaves_the_case_alone_and_can_be_retried(agent, agreed, monkeypatch, committed):
    def broken(content):
        raise RuntimeError("font server on fire")

    monkeypatch.setattr("cases.services.letters.render_letter_pdf", broken)
    with committed():
        letter = letter_request(case=agreed, actor=agent)
    letter = Letter.objects.get(pk=letter.pk)
    assert letter.state == LetterState.FAILED and "font server on fire" in letter.error
    assert not agreed.events.filter(kind="letter_generated").exists()
    assert Case.objects.get(pk=agreed.pk).state == "agreed"
    shown = page(agent).get(f"/cases/{agreed.number}/").content.decode()
    assert 'data-testid="letter-error"' in shown and "Retry" in shown
    monkeypatch.undo()
    with committed():
        letter = letter_retry(letter=letter, actor=agent)
    assert Letter.objects.get(pk=letter.pk).state == LetterState.READY


def test_the_wording_check_blocks_sending_until_a_supervisor_overrides_with_a_reason(agent, supervisor, committed):
    agreed = case_in_state("agreed", owner=agent)
    Case.objects.filter(pk=agreed.pk).update(apology_text="这是我们的规定，不过我们还是向您道歉。")
    agreed.refresh_from_db()
    with committed():
        letter = letter_request(case=agreed, actor=agent)
    shown = page(agent).get(f"/cases/{agreed.number}/").content.decode()
    assert "<mark>这是我们的规定</mark>" in shown
    with pytest.raises(InvalidInput) as blocked:
        letter_mark_sent(letter=letter, actor=agent)
    assert "这是我们的规定" in blocked.value.fields["wording"][0]
    with pytest.raises(NotAllowed):
        letter_mark_sent(letter=letter, actor=agent, data={"override_reason": "客户原话引用"})
    sent = letter_mark_sent(letter=letter, actor=supervisor, data={"override_reason": "客户原话引用，非我方措辞"})
    assert (sent.state, sent.wording_override_by, sent.wording_override_reason) == (
        "sent",
        supervisor,
        "客户原话引用，非我方措辞",
    )
    event = agreed.events.get(kind="letter_sent")
    assert event.reason == "客户原话引用，非我方措辞" and event.payload["wording_overridden"] == ["这是我们的规定"]


def test_an_admin_added_phrase_is_checked_in_english_whatever_the_case(agent, committed):
    agreed = case_in_state("agreed", owner=agent)
    AvoidPhrase.objects.create(text="per our records")
    Case.objects.filter(pk=agreed.pk).update(restated_problem="Per our records, That’s our policy.")
    agreed.refresh_from_db()
    with committed():
        letter = letter_request(case=agreed, actor=agent)
    response = client_for(agent).get(f"/api/letters/{letter.pk}/wording/")
    assert [hit["match"] for hit in response.json()] == ["Per our records", "That’s our policy"]


def test_the_api_generates_lists_downloads_and_sends(agent, agreed, committed):
    api = client_for(agent)
    with committed():
        created = api.post(f"/api/cases/{agreed.pk}/letters/", {"language": "en"}, format="json")
    assert created.status_code == 202 and created.json()["state"] == "rendering"
    letter = api.get(f"/api/letters/{created.json()['id']}/").json()
    assert letter["state"] == "ready" and letter["version"] == 1
    listed = api.get(f"/api/cases/{agreed.pk}/letters/").json()
    assert [row["version"] for row in listed] == [1]
    pdf = api.get(letter["pdf"])
    body = b"".join(pdf.streaming_content)
    assert pdf["Content-Type"] == "application/pdf" and hashlib.sha256(body).hexdigest() == letter["sha256"]
    sent = api.post(f"/api/letters/{letter['id']}/send/", {}, format="json")
    assert sent.status_code == 200 and sent.json()["state"] == "sent"
    again = api.post(f"/api/letters/{letter['id']}/send/", {}, format="json")
    assert again.status_code == 409
    assert api.post(f"/api/cases/{agreed.pk}/letters/", {"language": "klingon"}, format="json").status_code == 400


def test_assure_names_the_letter_sent_or_why_none_was_needed(agent, agreed, committed):
    from cases.services import case_transition
    from tests.factories import evidence, promises_keep

    promises_keep(agreed, agent)
    step = {key: value for key, value in evidence("assure").items() if key != "no_letter_reason"}
    with pytest.raises(InvalidInput) as neither:
        case_transition(case=agreed, name="assure", actor=agent, data=step)
    assert "resolution_letter" in neither.value.fields
    with committed():
        letter = letter_request(case=agreed, actor=agent)
    with pytest.raises(InvalidInput) as unsent:  # ready, not yet sent
        case_transition(case=agreed, name="assure", actor=agent, data={**step, "resolution_letter": letter.pk})
    assert "resolution_letter" in unsent.value.fields
    letter = letter_mark_sent(letter=letter, actor=agent)
    with pytest.raises(InvalidInput) as both:
        case_transition(
            case=agreed, name="assure", actor=agent,
            data={**step, "resolution_letter": letter.pk, "no_letter_reason": "told_in_person"},
        )  # fmt: skip
    assert "no_letter_reason" in both.value.fields
    case_transition(case=agreed, name="assure", actor=agent, data={**step, "resolution_letter": letter.pk})
    case = Case.objects.get(pk=agreed.pk)
    assert (case.state, case.resolution_letter, case.no_letter_reason) == ("assured", letter, None)
    payload = case.events.get(kind="assure").payload
    assert payload["resolution_letter"]["id"] == letter.pk and payload["no_letter_reason"] is None


def test_a_case_without_a_letter_is_assured_with_a_reason_from_the_admins_list(agent, agreed):
    from cases.services import case_transition
    from tests.factories import evidence, promises_keep

    promises_keep(agreed, agent)
    case_transition(case=agreed, name="assure", actor=agent, data=evidence("assure"))
    case = Case.objects.get(pk=agreed.pk)
    assert case.no_letter_reason.code == "told_in_person" and case.resolution_letter is None
    shown = page(agent).get(f"/cases/{agreed.number}/").content.decode()
    assert 'data-testid="letters"' in shown  # the panel stays, for a letter after all


def test_a_worker_child_sets_the_renderer_up_and_freezes_what_it_keeps(monkeypatch):
    from celery.signals import worker_process_init

    from cases.letters import rendering

    frozen = []
    monkeypatch.setattr("cases.tasks.gc.freeze", lambda: frozen.append(rendering._renderer is not None))
    monkeypatch.setattr(rendering, "_renderer", None)
    worker_process_init.send(sender=None)
    assert frozen == [True]  # the fonts and stylesheets were loaded before the freeze
