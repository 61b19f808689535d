"""The auditors' workspace opens for auditors and supervisors, and for no one else."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("who, status", [("auditor", 200), ("supervisor", 200), ("agent", 403), ("desk", 403)])
def test_workspace_opens_for_its_readers_only(db, client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("audit:workspace"))
    assert response.status_code == status
    nav_link = f'href="{reverse("audit:workspace")}"'
    home = client.get(reverse("cases:queue"))
    assert (nav_link in home.content.decode()) is (status == 200)
