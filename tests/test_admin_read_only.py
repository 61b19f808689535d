"""What the auditors audit cannot be changed from /admin/, not even by a superuser: cases, their events,
customers, complaints and letters are shown read-only, and no history table is registered at all."""

import pytest
from django.contrib import admin
from django.urls import reverse

from cases.models import Case, CaseEvent, Letter
from complaints.models import Complaint, Customer
from core.append_only import history_tables
from tests.factories import UserFactory, log_case

pytestmark = pytest.mark.django_db

AUDITED = (Case, CaseEvent, Customer, Complaint, Letter)


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", AUDITED, ids=lambda model: model.__name__)
def test_the_admin_cannot_add_change_or_delete_audited_records(superuser_client, agent, model):
    case = log_case(agent)
    row = {Case: case, CaseEvent: case.events.first(), Customer: case.complaints.get().customer,
           Complaint: case.complaints.get(), Letter: None}[model]  # fmt: skip
    opts = model._meta
    assert superuser_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    if row is None:
        return
    change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
    page = superuser_client.get(change_url)
    assert page.status_code == 200  # readable …
    assert b'name="_save"' not in page.content  # … with nothing to save
    before = model.objects.filter(pk=row.pk).values().get()
    assert superuser_client.post(change_url, {}).status_code == 403
    delete_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[row.pk])
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).values().get() == before


def test_no_history_table_is_in_the_admin():
    registered = {model._meta.db_table for model in admin.site._registry}
    assert not registered & set(history_tables())
