"""Reference data is listed by the API, and requests name it the way responses do: by code."""

import pytest
from rest_framework.test import APIClient

from cases.models import Category, ResponsibleUnit
from tests.factories import case_in_state, evidence, intake_data

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("path", "model"),
    [("/api/reference/categories/", Category), ("/api/reference/responsible-units/", ResponsibleUnit)],
)
def test_the_active_rows_are_listed_with_their_codes_and_both_names(agent, path, model):
    model.objects.filter(code=model.objects.order_by("code").first().code).update(active=False)
    body = client_for(agent).get(path).json()
    assert [row["code"] for row in body] == list(
        model.objects.filter(active=True).order_by("code").values_list("code", flat=True)
    )
    assert set(body[0]) == {"code", "name_zh", "name_en"}


def test_products_are_listed_too(agent):
    assert client_for(agent).get("/api/reference/products/").status_code == 200


def test_analyze_takes_the_codes_the_case_detail_answers_with(agent):
    case = case_in_state("acknowledged", owner=agent)
    client = client_for(agent)
    data = {**evidence("analyze"), "category": "billing", "responsible_unit": "billing_centre"}
    response = client.post(f"/api/cases/{case.pk}/transitions/analyze/", data, format="json")
    assert response.status_code == 200, response.content
    detail = client.get(f"/api/cases/{case.pk}/").json()
    assert (detail["category"], detail["responsible_unit"]) == ("billing", "billing_centre")


def test_an_unknown_code_is_a_400_naming_the_field(agent):
    response = client_for(agent).post("/api/complaints/", intake_data(category="no-such-category"), format="json")
    assert response.status_code == 400
    assert "category" in response.json()["fields"]


def test_intake_takes_a_category_code(agent):
    response = client_for(agent).post("/api/complaints/", intake_data(category="billing"), format="json")
    assert response.status_code == 201, response.content
