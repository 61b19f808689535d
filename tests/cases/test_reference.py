import pytest

from cases.models import Category
from cases.reference import active_rows
from complaints.services import complaint_log
from core.errors import InvalidInput
from tests.factories import intake_data

pytestmark = pytest.mark.django_db


def test_a_new_category_can_be_chosen_once_saved(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        category = Category.objects.create(code="roaming", name_zh="漫游", name_en="Roaming")
    complaint, _ = complaint_log(actor=agent, data=intake_data(category=category.pk))
    assert complaint.category == category


def test_a_deactivated_category_is_refused(agent, django_capture_on_commit_callbacks):
    category = Category.objects.get(code="billing")
    assert category.pk in active_rows(Category)
    with django_capture_on_commit_callbacks(execute=True):
        category.active = False
        category.save()
    with pytest.raises(InvalidInput) as exc:
        complaint_log(actor=agent, data=intake_data(category=category.pk))
    assert "category" in exc.value.fields


def test_an_unknown_category_id_is_a_field_error(agent):
    with pytest.raises(InvalidInput) as exc:
        complaint_log(actor=agent, data=intake_data(category=987654))
    assert "category" in exc.value.fields
