"""An integrator can write a client from the OpenAPI schema alone: every step's body is typed, and
every error response is documented with the one error shape."""

import pytest
from rest_framework.test import APIClient

from cases.services import TRANSITIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client.get("/api/schema/?format=json").json()


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def body_of(schema, step):
    operation = schema["paths"][f"/api/cases/{{id}}/transitions/{step}/"]["post"]
    return resolve(schema, operation["requestBody"]["content"]["application/json"]["schema"])


@pytest.mark.parametrize("step", list(TRANSITIONS))
def test_each_step_has_its_own_operation_with_its_evidence_and_expected_state(schema, step):
    body = body_of(schema, step)
    expected = set(TRANSITIONS[step].form().fields) | {"expected_state"}
    assert set(body["properties"]) == expected
    assert "expected_state" not in body.get("required", [])
    assert (
        "409" in body["properties"]["expected_state"]["description"]
        or "moved on" in (body["properties"]["expected_state"]["description"])
    )


def test_item_shapes_choices_and_references_are_spelled_out(schema):
    options = body_of(schema, "offer_alternatives")["properties"]["options"]
    item = resolve(schema, options["items"])
    assert set(item["properties"]) == {"action", "benefit", "compensation"}
    commitments = resolve(schema, body_of(schema, "agree")["properties"]["commitments"]["items"])
    assert set(commitments["properties"]) == {"description", "due_at"}
    needs = body_of(schema, "acknowledge")["properties"]["emotional_needs"]
    assert set(resolve(schema, needs["items"])["enum"]) >= {"be_heard", "be_respected"}
    chosen = body_of(schema, "agree")["properties"]["chosen_option"]
    assert (
        chosen["type"] == "integer"
        and "position" in schema["paths"]["/api/cases/{id}/transitions/agree/"]["post"]["description"]
    )
    assert body_of(schema, "analyze")["properties"]["category"]["type"] == "string"


def test_every_operation_documents_its_errors_with_the_error_shape(schema):
    checked = 0
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/") or path.startswith(("/api/schema", "/api/docs")):
            continue
        for method, operation in operations.items():
            wanted = {"400", "401", "403", "404"} | ({"409", "415"} if method != "get" else set())
            assert wanted <= set(operation["responses"]), (method, path)
            error = operation["responses"]["404"]["content"]["application/json"]["schema"]
            assert set(resolve(schema, error)["properties"]) == {"code", "detail", "fields"}
            checked += 1
    assert checked >= 15
