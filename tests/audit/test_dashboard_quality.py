"""The dashboard's QA chart reads the quality review's scorecards: each sampled agent's mean score over
the months the period touches, with the number of scorecards behind it."""

import pytest
from django.urls import reverse

from accounts.people import display_name
from audit.models import SampledCase
from audit.services import quality_sample_create, scorecard_save
from tests.audit.test_scorecards import OCTOBER, WELL_DONE

pytestmark = pytest.mark.django_db


def test_the_qa_chart_shows_each_sampled_agents_mean_score(client, october, agent, other_agent, auditor, office_hours):
    sample = quality_sample_create(actor=auditor, data=OCTOBER)
    for row in SampledCase.objects.filter(sample=sample, agent=agent):
        scorecard_save(sampled_case=row, actor=auditor, data=WELL_DONE)  # 100%
    poor = {**WELL_DONE, "step_assure": "1", "wording_ok": "no", "promises_kept": "no"}
    scorecard_save(sampled_case=SampledCase.objects.get(sample=sample, agent=other_agent), actor=auditor, data=poor)
    client.force_login(auditor)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("audit:dashboard"), {"period": "month:2026-10"}).content.decode()
    assert "No quality scores yet" not in page
    best, worst = f"{display_name(agent)} (3)", f"{display_name(other_agent)} (1)"
    assert best in page and worst in page
    assert page.index(best) < page.index(worst)  # best first
    assert "72" in page[page.index(worst) :][:400]  # 13 of 18 points
    later = client.get(reverse("audit:dashboard"), {"period": "7d"}).content.decode()
    assert "No quality scores yet" in later  # November has no sample
