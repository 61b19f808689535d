"""Service errors reach the page field by field, the way the API names them."""

import pytest
from django import forms

from core.errors import InvalidInput
from core.forms import add_service_errors, add_service_errors_to_forms, service_error_messages


class NameForm(forms.Form):
    name = forms.CharField(max_length=5)


class PhoneForm(forms.Form):
    phone = forms.CharField()


def test_each_field_gets_its_messages_and_the_rest_are_non_field_errors():
    form = add_service_errors(
        NameForm({"name": "ok"}),
        InvalidInput(fields={"name": ["Already taken."], "__all__": ["Blocked."], "owner_id": ["Gone."]}),
    )
    assert form.errors["name"] == ["Already taken."]
    assert form.non_field_errors() == ["Blocked.", "Gone."]
    assert not form.is_valid()


def test_a_message_the_form_already_shows_is_not_repeated():
    form = NameForm({"name": "far too long"})
    own = form.errors["name"][0]
    add_service_errors(form, InvalidInput(fields={"name": [own, "Also on the blocklist."]}))
    assert form.errors["name"] == [own, "Also on the blocklist."]


def test_several_forms_each_get_their_own_fields_and_the_first_the_rest():
    name, phone = NameForm({"name": "ok"}), PhoneForm({"phone": "1"})
    add_service_errors_to_forms(
        [name, phone], InvalidInput(fields={"phone": ["Not a number we can call."], "__all__": ["Blocked."]})
    )
    assert phone.errors["phone"] == ["Not a number we can call."] and "phone" not in name.errors
    assert name.non_field_errors() == ["Blocked."] and not phone.non_field_errors()


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (InvalidInput("Summary.", fields={"owner": ["Pick a colleague."], "__all__": ["Ended."]}),
         ["Pick a colleague.", "Ended."]),
        (InvalidInput("Summary."), ["Summary."]),
    ],
)  # fmt: skip
def test_a_control_without_a_form_shows_every_message_or_the_summary(error, expected):
    assert [str(m) for m in service_error_messages(error)] == expected
