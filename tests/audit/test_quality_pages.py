"""The quality review pages: the month's sample, running one, the scorecard, scores over time."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import QualitySample, SampledCase, Scorecard
from audit.services import quality_sample_create, scorecard_save

from .test_scorecards import OCTOBER, WELL_DONE


def page_for(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def sample(october, auditor, office_hours):
    return quality_sample_create(actor=auditor, data=OCTOBER)


def test_the_month_page_lists_each_agents_cases_with_why_and_a_link(sample, october, auditor):
    html = page_for(auditor).get(reverse("audit:quality") + "?month=2026-10").content.decode()
    assert "Quality sample of 2026-10" in html
    assert "seed 42: 4 cases, 0 scored" in html
    for case in october:
        assert f'href="{reverse("cases:detail", args=[case.number])}"' in html
    assert "peak hours, " in html and "night shift, " in html
    assert "every case the agent closed this month" in html
    assert html.count("Not scored yet") == 4
    assert "张伟 <small" in html  # the agent as colleagues know them
    assert "3 closed · 3 sampled · 0 scored" in html
    assert "09:00–12:00 and 14:00–18:00" in html  # the rules are on the page


def test_the_month_page_in_chinese(sample, auditor):
    html = page_for(auditor, "zh-hans").get(reverse("audit:quality") + "?month=2026-10").content.decode()
    assert "2026-10 质检抽样" in html
    assert "高峰时段" in html


@pytest.mark.parametrize("month", ["2026-13", "oct", "2026-10-01", "９９"])
def test_a_bad_month_is_named_not_a_crash(sample, auditor, month):
    response = page_for(auditor).get(reverse("audit:quality"), {"month": month})
    assert response.status_code == 200
    assert "month: Enter a month as YYYY-MM" in response.content.decode()
    assert "Quality sample of 2026-10" in response.content.decode()  # the latest sample instead


def test_a_bad_page_is_named(sample, auditor):
    response = page_for(auditor).get(reverse("audit:quality"), {"month": "2026-10", "page": "x"})
    assert "page: there is no such page" in response.content.decode()


def test_a_month_without_a_sample_says_so(auditor, office_hours):
    html = page_for(auditor).get(reverse("audit:quality") + "?month=2026-08").content.decode()
    assert "No sample has been drawn for 2026-08." in html


def test_the_month_page_runs_a_fixed_number_of_queries(sample, auditor, django_assert_max_num_queries):
    client = page_for(auditor)
    client.get(reverse("audit:quality"))  # the session and roles cached, as on any later page
    with django_assert_max_num_queries(10):
        response = client.get(reverse("audit:quality") + "?month=2026-10")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "who, quality, run, scores",
    [
        ("auditor", 200, 200, 200),
        ("supervisor", 200, 403, 200),
        ("agent", 403, 403, 403),
        ("desk", 403, 403, 403),
        ("admin_user", 403, 403, 403),
    ],
)
def test_who_opens_which_page(db, request, who, quality, run, scores, office_hours):
    client = page_for(request.getfixturevalue(who))
    assert client.get(reverse("audit:quality")).status_code == quality
    assert client.get(reverse("audit:sample_run")).status_code == run
    assert client.get(reverse("audit:scores")).status_code == scores


def test_the_workspace_links_to_the_quality_pages(auditor):
    html = page_for(auditor).get(reverse("audit:workspace")).content.decode()
    assert f'href="{reverse("audit:quality")}"' in html
    assert f'href="{reverse("audit:scores")}"' in html


def test_running_a_sample_previews_then_draws_on_confirmation(october, auditor, office_hours):
    client = page_for(auditor)
    form = client.get(reverse("audit:sample_run")).content.decode()
    assert 'value="2026-10"' in form
    preview = client.post(reverse("audit:sample_run"), {"month": "2026-10", "seed": "42"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "4 cases from 2 agents, seed 42." in html
    assert 'data-testid="confirm-sample"' in html
    assert not QualitySample.objects.exists()  # nothing written before the confirmation
    done = client.post(reverse("audit:sample_run"), {"month": "2026-10", "seed": "42", "confirm": "yes"})
    assert done.status_code == 302
    assert done["Location"] == reverse("audit:quality") + "?month=2026-10"
    assert SampledCase.objects.count() == 4
    again = client.post(reverse("audit:sample_run"), {"month": "2026-10", "seed": "42"})
    assert "2026-10 has been sampled already" in again.content.decode()
    twice = client.post(reverse("audit:sample_run"), {"month": "2026-10", "seed": "1", "confirm": "yes"})
    assert twice.status_code == 409
    assert QualitySample.objects.count() == 1


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"month": "2026-11", "seed": "1"}, "month", "not over yet"),
        ({"month": "nope", "seed": "1"}, "month", "Enter a month as YYYY-MM"),
        ({"month": "2026-10", "seed": "x"}, "seed", "Enter a whole number"),
        ({"month": "2026-10", "seed": "1\x00"}, "seed", "NUL character"),
    ],
)
def test_a_bad_run_form_names_the_field(auditor, office_hours, data, field, message):
    for confirm in ("", "yes"):
        response = page_for(auditor).post(reverse("audit:sample_run"), {**data, "confirm": confirm})
        assert response.status_code == 400
        errors = re.findall(rf'data-field="{field}">([^<]*)<', response.content.decode())
        assert errors and message in errors[0]
    assert not QualitySample.objects.exists()


@pytest.mark.parametrize("who", ["supervisor", "agent"])
def test_others_cannot_run_a_sample(db, request, who, october, office_hours):
    response = page_for(request.getfixturevalue(who)).post(
        reverse("audit:sample_run"), {"month": "2026-10", "seed": "42", "confirm": "yes"}
    )
    assert response.status_code == 403
    assert not QualitySample.objects.exists()


def test_the_auditor_scores_a_case_from_the_prefilled_form(sample, october, auditor):
    row = SampledCase.objects.get(sample=sample, case=october[0])
    client = page_for(auditor)
    html = client.get(reverse("audit:scorecard", args=[row.pk])).content.decode()
    assert "Pre-filled from the record" in html
    assert re.search(r'name="step_accept" value="2"[^>]*checked', html)
    assert re.search(r'name="escalation_right" value="na"[^>]*checked', html)
    response = client.post(reverse("audit:scorecard", args=[row.pk]), {**WELL_DONE, "step_agree": "1"})
    assert response.status_code == 302
    assert str(Scorecard.objects.get(sampled_case=row).percent) == "94.4"
    month = client.get(response["Location"]).content.decode()
    assert "Scorecard saved for case" in month
    assert "94.4%" in month


def test_a_bad_scorecard_is_shown_on_its_field(sample, auditor):
    row = SampledCase.objects.filter(sample=sample).first()
    response = page_for(auditor).post(
        reverse("audit:scorecard", args=[row.pk]), {**WELL_DONE, "step_analyze": "9", "promises_kept": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="step_analyze"' in html and 'data-field="promises_kept"' in html
    assert not Scorecard.objects.exists()


@pytest.mark.parametrize("who, status", [("supervisor", 403), ("agent", 403), ("desk", 403)])
def test_others_cannot_score(sample, request, who, status):
    row = SampledCase.objects.filter(sample=sample).first()
    response = page_for(request.getfixturevalue(who)).post(reverse("audit:scorecard", args=[row.pk]), WELL_DONE)
    assert response.status_code == status
    assert not Scorecard.objects.exists()


def test_the_supervisor_reads_the_scorecard(sample, auditor, supervisor):
    row = SampledCase.objects.filter(sample=sample).first()
    scorecard_save(sampled_case=row, actor=auditor, data={**WELL_DONE, "comment": "道歉真诚"})
    html = page_for(supervisor).get(reverse("audit:scorecard", args=[row.pk])).content.decode()
    assert "100.0%" in html and "道歉真诚" in html
    assert '<form method="post" novalidate>' not in html


def test_an_unknown_sampled_case_is_404(auditor):
    assert page_for(auditor).get(reverse("audit:scorecard", args=[999999])).status_code == 404


def test_scores_over_time_show_each_agents_months_and_trend(sample, october, auditor):
    for row in SampledCase.objects.filter(sample=sample):
        scorecard_save(sampled_case=row, actor=auditor, data=WELL_DONE)
    html = page_for(auditor).get(reverse("audit:scores")).content.decode()
    assert ">2026-10</a>" in html
    assert f'data-agent="{october[0].owner.username}"' in html
    assert "100.0% <small>(3)</small>" in html
    assert "<polyline" in html


def test_scores_over_time_when_nothing_is_scored(auditor):
    assert "No scorecards yet" in page_for(auditor).get(reverse("audit:scores")).content.decode()
