"""Customer types (issue 9, item 1): the nine types with their playbooks in both languages; an agent
tags a case at any step, the playbook shows beside the steps, and every tag and removal is on the
record with who, when and why."""

import re

import pytest
from django.test import Client

from cases.models import CaseEvent
from core.errors import Conflict, InvalidInput, NotAllowed
from escalation.models import CaseCustomerType, CustomerType
from escalation.services import case_customer_type_remove, case_customer_type_tag
from tests.api.test_api import client_for
from tests.factories import case_in_state, log_case

pytestmark = pytest.mark.django_db

CODES = {
    "chronic_complainer", "out_of_control", "rambling", "withholding_info", "demands_escalation", "comparer",
    "professional", "legal", "billing_dispute",
}  # fmt: skip


def test_the_nine_types_of_the_brief_each_have_a_playbook_in_both_languages():
    types = list(CustomerType.objects.all())
    assert {t.code for t in types} == CODES
    for t in types:
        for part in ("do", "say", "avoid", "hand_over"):
            zh, en = getattr(t, f"{part}_zh"), getattr(t, f"{part}_en")
            assert zh and en and zh != en, (t.code, part)
    assert CustomerType.objects.get(code="legal").escalation_prone


def test_an_agent_tags_a_case_and_the_tag_is_on_the_record(agent):
    case = case_in_state("analyzed", owner=agent)
    tag = case_customer_type_tag(
        case=case, actor=agent, data={"customer_type": "legal", "note": "提到消费者权益保护法"}
    )
    assert (tag.tagged_by, tag.customer_type.code) == (agent, "legal")
    event = case.events.get(kind="customer_type_tagged")
    assert (event.actor, event.payload) == (agent, {"customer_type": "legal", "note": "提到消费者权益保护法"})
    assert tag.history.get().history_user == agent
    with pytest.raises(Conflict):
        case_customer_type_tag(case=case, actor=agent, data={"customer_type": "legal"})
    assert CaseCustomerType.objects.filter(case=case).count() == 1


def test_removing_a_type_needs_a_reason_and_keeps_the_tag_on_the_record(agent):
    case = log_case(agent)
    case_customer_type_tag(case=case, actor=agent, data={"customer_type": "rambling"})
    with pytest.raises(InvalidInput) as refused:
        case_customer_type_remove(case=case, actor=agent, code="rambling", data={"reason": ""})
    assert "reason" in refused.value.fields
    case_customer_type_remove(case=case, actor=agent, code="rambling", data={"reason": "客户后来很配合"})
    tag = CaseCustomerType.objects.get(case=case)
    assert (tag.removed_by, tag.removal_reason) == (agent, "客户后来很配合")
    assert case.events.get(kind="customer_type_removed").reason == "客户后来很配合"
    case_customer_type_tag(case=case, actor=agent, data={"customer_type": "rambling"})  # may come back
    with pytest.raises(Conflict):
        case_customer_type_remove(case=case, actor=agent, code="legal", data={"reason": "没有"})


@pytest.mark.parametrize("data, field", [({"customer_type": "vip"}, "customer_type"), ({}, "customer_type"),
                                         ({"customer_type": ["legal"]}, "customer_type")])  # fmt: skip
def test_an_unknown_or_malformed_type_is_refused_naming_the_field(agent, data, field):
    case = log_case(agent)
    with pytest.raises(InvalidInput) as refused:
        case_customer_type_tag(case=case, actor=agent, data=data)
    assert field in refused.value.fields
    assert not CaseEvent.objects.filter(kind="customer_type_tagged").exists()


def test_only_someone_who_works_the_case_may_tag_it_and_not_once_it_ended(agent, other_agent, auditor):
    case = log_case(agent)
    for outsider in (other_agent, auditor):
        with pytest.raises(NotAllowed):
            case_customer_type_tag(case=case, actor=outsider, data={"customer_type": "legal"})
    closed = case_in_state("closed", owner=agent)
    with pytest.raises(Conflict):
        case_customer_type_tag(case=closed, actor=agent, data={"customer_type": "legal"})


def test_the_case_page_shows_each_tagged_types_playbook_beside_the_steps(agent):
    case = log_case(agent)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="customer-type-tag"' in html and "No customer type tagged." in html
    done = client.post(f"/escalation/cases/{case.number}/types/", {"customer_type": "out_of_control"}, follow=True)
    html = done.content.decode()
    assert "Tagged “Completely out of control”" in html
    assert 'data-customer-type="out_of_control"' in html and "Never say “calm down”" in html
    chinese = Client()
    chinese.force_login(agent)
    assert "不要说“您冷静一点”" in chinese.get(f"/cases/{case.number}/").content.decode()


def test_an_auditor_sees_the_playbooks_but_no_form_and_is_refused(agent, auditor):
    case = log_case(agent)
    case_customer_type_tag(case=case, actor=agent, data={"customer_type": "legal"})
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(auditor)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-customer-type="legal"' in html and 'data-testid="customer-type-tag"' not in html
    assert client.post(f"/escalation/cases/{case.number}/types/", {"customer_type": "rambling"}).status_code == 403
    assert CaseCustomerType.objects.filter(case=case).count() == 1


def test_the_api_lists_playbooks_and_tags_and_removes_with_the_core_error_format(agent):
    case = log_case(agent)
    api = client_for(agent)
    types = api.get("/api/customer-types/").json()
    assert {t["code"] for t in types} == CODES and all(t["playbook"]["do"] for t in types)
    tagged = api.post(f"/api/cases/{case.pk}/customer-types/", {"customer_type": "legal"}, format="json")
    assert tagged.status_code == 200 and [t["customer_type"]["code"] for t in tagged.json()] == ["legal"]
    again = api.post(f"/api/cases/{case.pk}/customer-types/", {"customer_type": "legal"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    wrong = api.post(f"/api/cases/{case.pk}/customer-types/", {"customer_type": 7}, format="json")
    assert wrong.status_code == 400 and "customer_type" in wrong.json()["fields"]
    removed = api.post(f"/api/cases/{case.pk}/customer-types/legal/remove/", {"reason": "误标"}, format="json")
    assert removed.status_code == 200 and removed.json() == []


@pytest.mark.parametrize(
    "words, found",
    [
        ("我已经找了律师，准备去法院起诉你们", "律师"),
        ("再不处理我就打12300投诉到工信部", "12300"),
        ("My lawyer will hear about this, see you in court", "lawyer"),
        ("I will sue", "sue"),
    ],
)
def test_legal_words_suggest_the_legal_type_and_confirming_tags_it_on_the_record(agent, words, found):
    case = case_in_state("accepted", owner=agent)
    case.customer_words = words
    case.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-suggested-type="legal"' in html and found in html
    assert not CaseCustomerType.objects.filter(case=case).exists()  # suggested, never applied silently
    note = f"Confirmed the system's suggestion: The customer's words mention “{found}"
    client.post(f"/escalation/cases/{case.number}/types/", {"customer_type": "legal", "note": note + "”."})
    tag = CaseCustomerType.objects.get(case=case)
    assert (tag.customer_type.code, tag.tagged_by) == ("legal", agent) and tag.note.startswith(note)
    assert 'data-suggested-type="legal"' not in client.get(f"/cases/{case.number}/").content.decode()


def test_an_issue_with_the_bill_is_not_a_lawsuit(agent):
    case = case_in_state("accepted", owner=agent)
    case.customer_words = "There is an issue with my bill; please pursue it with the courteous team."
    case.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent)
    assert "data-suggested-type" not in client.get(f"/cases/{case.number}/").content.decode()


def test_a_customers_earlier_types_are_shown_at_intake(agent):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    earlier = log_case(agent)
    case_customer_type_tag(case=earlier, actor=agent, data={"customer_type": "legal"})
    case_customer_type_tag(case=earlier, actor=agent, data={"customer_type": "rambling"})
    case_customer_type_remove(case=earlier, actor=agent, code="rambling", data={"reason": "标错了"})
    client.force_login(agent)
    html = client.get("/complaints/customer-lookup/", {"phone": earlier.customer_phone}).content.decode()
    notes = re.findall(r'data-testid="intake-note-earlier_customer_types">([^<]*)<', html)
    assert len(notes) == 1 and "Legal type" in notes[0] and earlier.number in notes[0]
    stranger = client.get("/complaints/customer-lookup/", {"phone": "13700000000"}).content.decode()
    assert "intake-note" not in stranger
