"""The service dashboard: its figures on known cases, what readers see, its filters and its cost."""

import html
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from audit import charts, kpis
from audit.dashboard import dashboard_figures, figures_key
from audit.dashboard_params import period_parse
from cases.models import Deadline, Promise
from cases.services import case_transition
from cases.services.assignment import case_assign
from cases.services.deadline_sweeps import deadlines_sweep
from cases.services.promise_sweeps import promises_miss_overdue
from escalation.escalations import escalation_request
from escalation.models import Escalation
from escalation.services import case_customer_type_tag
from tests.factories import PATH_TO, UserFactory, evidence, log_case, promises_keep

URL = reverse("audit:dashboard")
STEPS = ["accept", "apologize", "acknowledge", "analyze", "offer_alternatives", "agree", "assure", "close"]


def walk(traveller, case, owner, hours):
    """Take `case` through the steps, `hours[step]` after the previous one (0 when not given)."""
    for step in STEPS[: len(hours)]:
        traveller.shift(timedelta(hours=hours[step]))
        if step == "assure":
            promises_keep(case, owner)
        case_transition(case=case, name=step, actor=owner, data=evidence(step, case))
    case.refresh_from_db()
    return case


def fast(**slower):
    """Hours between steps: the whole of Accept … Agreement on the first day unless told otherwise."""
    hours = {"accept": 1, "apologize": 0.5, "acknowledge": 0.5, "analyze": 2, "offer_alternatives": 1, "agree": 1}
    return {**hours, "assure": 2, "close": 1, **slower}


def table(response):
    """The dashboard's numbers as a reader sees them: each chart's `label: value` list (the SVG's
    <desc>) and the figure beside it, by chart."""
    page = response.content.decode()
    cards = {}
    for key, body in re.findall(r'data-chart="([\w-]+)">(.*?)</section>', page, re.S):
        desc = re.search(r"<desc>(.*?)</desc>", html.unescape(body), re.S)
        figure = re.search(r'class="figure">(.*?)</p>', body, re.S)
        cards[key] = {
            "values": dict(item.rsplit(": ", 1) for item in desc[1].split("; ")) if desc else {},
            "figure": figure[1] if figure else "",
        }
    return cards


@pytest.fixture
def team(agent, supervisor):
    Profile.objects.update_or_create(user=agent, defaults={"supervisor": supervisor})
    return supervisor


@pytest.fixture
def known(office_hours, agent, other_agent, supervisor, team):
    """Cases with known figures, all logged on Tuesday 2026-11-24 from 10:00 (Shanghai):

    - a: agreed the same day, assured (satisfaction 4) and closed the next morning: first-contact;
    - b: agreed the next day (a 20-hour Alternatives step), assured (5), closed, then reopened;
    - c: agreed the same day and assured (satisfaction 4), left assured;
    - d: new (its deadlines breach); e: analyzed, escalated with the legal type; f: withdrawn;
    - g: other_agent's (not in the team): agreed and then its promises are missed.
    """
    t = office_hours
    a = log_case(agent)
    walk(t, a, agent, fast(assure=14, close=1))
    b = log_case(agent)
    walk(t, b, agent, fast(offer_alternatives=20, assure=2, close=1))
    c = log_case(agent)
    walk(t, c, agent, {k: v for k, v in fast().items() if k != "close"})
    d = log_case(agent)
    e = log_case(agent)
    walk(t, e, agent, dict.fromkeys(PATH_TO["analyzed"], 0.25))
    case_customer_type_tag(case=e, actor=agent, data={"customer_type": "legal", "note": "引用消费者权益保护法"})
    if not e.escalations.exists():  # the legal type may already have opened one by rule
        escalation_request(case=e, actor=agent, data={"level": "2", "reason": "客户要求法律途径"})
    f = log_case(agent)
    case_transition(case=f, name="withdraw", actor=agent, data=evidence("withdraw", f))
    g = log_case(other_agent)
    walk(t, g, other_agent, dict.fromkeys(PATH_TO["agreed"], 0.1))
    t.shift(timedelta(hours=1))
    case_transition(case=b, name="reopen", actor=agent, data={"reason": "退款没有到账"})
    # Days later: g's promises are overdue and missed by the sweep, d's deadlines breached.
    t.shift(timedelta(days=4))
    assert promises_miss_overdue() >= 1
    deadlines_sweep()
    t.shift(timedelta(hours=1))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


def _figures(team_id=None):
    return dashboard_figures(period_parse("7d"), team_id)


def test_the_page_shows_the_figures_of_the_cases(client, auditor, known, agent, other_agent):
    client.force_login(auditor)
    client.cookies["django_language"] = "en"
    response = client.get(URL, {"period": "7d"})
    assert response.status_code == 200
    cards = table(response)
    # Open now: d new, b analyzed (reopened), e analyzed, c assured, g agreed.
    assert cards["open-per-state"]["values"] == {
        "New": "1", "Accepted": "0", "Apologized": "0", "Acknowledged": "0", "Analyzed": "2",
        "Alternatives offered": "0", "Agreed": "1", "Assured": "1",
    }  # fmt: skip
    assert cards["open-per-state"]["figure"] == "5 open cases now"
    assert cards["open-per-step"]["values"]["Alternatives"] == "2"
    assert cards["open-per-step"]["values"]["Accept"] == "1"
    assert cards["open-per-step"]["values"]["Assure"] == "1"
    medians = cards["median-hours"]["values"]
    # Accept: a, b, c 1 h; e 0.25 h; g 0.1 h → median 1 h. Alternatives: a, c 1 h; b 20 h; e none; g 0.1.
    assert medians["Accept"] == "1.0 h"
    assert medians["Alternatives"] == "1.0 h"  # 0.1, 1, 1, 20
    assert medians["Assure"] == "2.0 h"  # a 14 h, b 2 h, c 2 h
    # First contact: a and c agreed on the day and never reopened; b was not (and was reopened).
    first_contact = cards["first-contact"]["values"]
    assert first_contact == {"Agreed on the first contact's day": "2", "Took longer or reopened": "1"}
    assert cards["first-contact"]["figure"] == "67% of 3 cases assured in the period"
    # b was reopened and has no score any more; a and c said 4.
    assert cards["satisfaction"]["values"] == {"1": "0", "2": "0", "3": "0", "4": "2", "5": "0"}
    assert cards["reopen"]["values"] == {"Closed": "2", "Reopened": "1"}
    assert cards["reopen"]["figure"].startswith("50%")
    promises = Promise.objects.filter(case=known["g"])
    assert promises.filter(state="missed").count() >= 1
    values = cards["promises"]["values"]
    kept = Promise.objects.filter(state="kept", missed_at__isnull=True).count()
    assert values["Kept in time"] == str(kept) and kept >= 4  # a, b, c: each agreement's two promises
    assert values["Missed or moved by us"] == str(promises.filter(state="missed").count())
    assert cards["escalation-types"]["values"]["Legal type"] == "1"
    # e's, and those the sweeps' rules opened (d's breached deadlines, g's missed promises).
    escalated = Escalation.objects.filter(channel="phone").count()
    assert escalated > 1 and Escalation.objects.count() == escalated
    assert cards["escalation-channels"]["values"]["Phone hotline"] == str(escalated)
    assert cards["escalation-types"]["values"]["No customer type"] == str(escalated - 1)
    breached = Deadline.objects.filter(breached_at__isnull=False, case=known["d"])
    assert breached.exists()
    assert int(cards["deadlines"]["values"]["First response"]) >= 1
    assert "No quality scores yet" in response.content.decode()
    assert re.search(r"Figures as of \d\d:\d\d", response.content.decode())


def test_a_team_shows_its_members_cases_only(known, team, agent):
    everyone, mine = _figures(), _figures(team.pk)
    assert everyone["open_per_state"]["agreed"] == 1  # g, other_agent's
    assert mine["open_per_state"]["agreed"] == 0
    assert mine["open_per_state"]["new"] == 1
    assert mine["promises"]["missed"] == 0 < everyone["promises"]["missed"]
    assert mine["median_hours"]["accept"]["n"] == 4 < everyone["median_hours"]["accept"]["n"]
    # First responses due: a, b, c, e met theirs, d's was breached (f's ended with the withdrawal).
    assert mine["deadlines"]["kinds"]["first_response"] == {"counted": 5, "breached": 1}


def test_figures_are_cached_with_their_time(known, team, django_assert_num_queries):
    first = _figures(team.pk)
    assert first["cached"] is False
    log_case(UserFactory(username="late", role="agent"))
    with django_assert_num_queries(0):
        again = _figures(team.pk)
    assert again["cached"] is True and again["as_of"] == first["as_of"]
    assert _figures()["cached"] is False  # another filter, another entry


def test_the_page_costs_the_same_whatever_the_number_of_cases(
    client, auditor, office_hours, agent, django_assert_max_num_queries
):
    client.force_login(auditor)
    key = figures_key(period_parse("30d"), None, "Asia/Shanghai")
    client.get(URL)  # who the reader is and the list of teams, cached from here on

    def uncached():
        office_hours.shift(timedelta(hours=1))
        cache.delete(key)
        with django_assert_max_num_queries(14) as counted:
            assert client.get(URL).status_code == 200
        return len(counted.captured_queries)

    few = uncached()
    for _i in range(3):
        walk(office_hours, log_case(agent), agent, fast())
    assert uncached() == few
    # Cached: none of the KPI queries (eleven of them), only the session, the user and the bell.
    with django_assert_max_num_queries(few - 11):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize("who, status", [("auditor", 200), ("supervisor", 200), ("agent", 403), ("desk", 403)])
def test_the_dashboard_opens_for_auditors_and_supervisors_only(db, client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == status


def test_the_dashboard_reads_only(db, client, auditor):
    client.force_login(auditor)
    assert client.post(URL, {"period": "7d"}).status_code == 405


def test_the_workspace_links_to_the_dashboard(db, client, auditor):
    client.force_login(auditor)
    assert f'href="{URL}"' in client.get(reverse("audit:workspace")).content.decode()


@pytest.mark.parametrize(
    "params, name, words",
    [
        ({"period": "365d"}, "period", "Unknown period “365d”"),
        ({"period": "month:2026-13"}, "period", "Unknown period"),
        ({"period": "month:2031-01"}, "period", "starts in the future"),
        ({"period": "range:2026-11-20..2026-11-01"}, "period", "ends before it starts"),
        ({"period": "range:2024-01-01..2026-11-01"}, "period", "at most 92 days"),
        ({"period": "range:2026-02-30..2026-03-02"}, "period", "Unknown period"),
        ({"team": "abc"}, "team", "Unknown team “abc”"),
        ({"team": "999999"}, "team", "Unknown team"),
    ],
)
def test_bad_parameters_are_named_in_a_400(db, client, auditor, agent, office_hours, params, name, words):
    client.force_login(auditor)
    client.cookies["django_language"] = "en"
    response = client.get(URL, params)
    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(rf'data-param="{name}"><strong>{name}</strong>: (.*?)</li>', page)
    assert error and words in error[1]
    assert "data-chart=" not in page


def test_a_team_costs_one_query_more_and_a_range_stays_selected(
    client, auditor, team, office_hours, django_assert_max_num_queries
):
    client.force_login(auditor)
    client.get(URL)
    with django_assert_max_num_queries(15):
        page = client.get(URL, {"team": str(team.pk), "period": "range:2026-11-01..2026-11-20"}).content.decode()
    assert '<option value="range:2026-11-01..2026-11-20" selected>' in page
    assert f'<option value="{team.pk}" selected>' in page


def test_an_agent_is_not_a_team(db, client, auditor, agent):
    client.force_login(auditor)
    assert client.get(URL, {"team": str(agent.pk)}).status_code == 400


def test_months_and_ranges_are_whole_days_in_the_readers_zone(office_hours):
    month = period_parse("month:2026-10")
    assert timezone.localtime(month.start).isoformat() == "2026-10-01T00:00:00+08:00"
    assert timezone.localtime(month.end).isoformat() == "2026-11-01T00:00:00+08:00"
    span = period_parse("range:2026-11-01..2026-11-03")
    assert (span.end - span.start) == timedelta(days=3)


def test_the_page_reads_in_chinese(client, auditor, known):
    client.force_login(auditor)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "服务看板" in page and "暂无质检评分" in page
    assert "首次接触解决率" in page


def test_charts_are_labelled_svg_with_their_numbers_as_text():
    svg = charts.hbar_chart([("<b>新</b>", 3), ("Closed", 0)], title="Open & closed")
    assert svg.startswith('<svg class="chart" role="img" aria-label="Open &amp; closed"')
    assert "<title>Open &amp; closed</title>" in svg
    assert "&lt;b&gt;新&lt;/b&gt;" in svg and "<b>" not in svg
    assert '<text x="' in svg and ">3</text>" in svg
    hist = charts.histogram([("1", 0), ("5", 7)], title="Satisfaction", caption="Score")
    assert "<desc>1: 0; 5: 7</desc>" in hist and ">7</text>" in hist


def test_qa_scores_come_best_first():
    assert kpis.qa_score_per_agent([("b", 70), ("a", 90)]) == [("a", 90.0), ("b", 70.0)]


def test_beat_keeps_the_rolling_periods_cached_for_everyone_and_each_team(
    client, auditor, known, team, django_assert_max_num_queries
):
    from audit.tasks import dashboard_warm_task

    warmed = dashboard_warm_task()
    assert {period for period, _team in warmed} == {"7d", "30d", "90d"}
    assert {who for _period, who in warmed} == {None, team.pk}
    client.force_login(auditor)
    client.cookies["django_language"] = "en"
    client.get(URL, {"period": "90d"})  # the reader, their roles and the teams, cached as in real use
    for period in ("7d", "30d", "90d"):
        for who in ({}, {"team": str(team.pk)}):
            # No KPI query: the figures the task computed, only the session, the user and the bell.
            with django_assert_max_num_queries(4):
                page = client.get(URL, {"period": period, **who})
            assert page.status_code == 200
    assert _figures()["cached"] is True and _figures(team.pk)["cached"] is True


def test_a_long_label_is_never_cut_at_the_charts_edge():
    import re as _re

    from audit import charts

    long_en, long_zh = "Agreed on the first contact's day", "在首次联系当天达成一致的投诉"
    svg = charts.hbar_chart([(long_en, 9), (long_zh, 2), ("x", 1)], title="t")
    label_x = float(_re.search(r'<text x="([\d.]+)"[^>]*text-anchor="end"', svg).group(1))
    # Right-aligned at label_x: the longest label (about 7 px a Latin letter, 13 a Chinese one) fits left of it.
    assert label_x >= len(long_en) * 7 and label_x >= len(long_zh) * 13
    width = float(_re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    assert width - label_x >= 150  # and the bars keep their room


def test_step_times_under_an_hour_read_in_minutes():
    from audit.dashboard_views import _hours

    assert (_hours(0.25), _hours(2), _hours(None)) == ("15 min", "2.0 h", "—")
    assert _hours(12 / 3600) == "12 s"


def test_a_step_counts_for_the_team_of_whoever_owned_the_case_when_it_was_done(
    known, team, agent, other_agent, supervisor
):
    """g's steps were done by other_agent (no team member): handing g to agent afterwards does not make
    them the team's, and the events written from then on are agent's."""
    before = _figures(team.pk)["median_hours"]["accept"]["n"]
    case_assign(case=known["g"], owner_id=agent.pk, actor=supervisor)
    mine = dashboard_figures(period_parse("7d"), team.pk, refresh=True)
    assert mine["median_hours"]["accept"]["n"] == before == 4
    assert mine["open_per_state"]["agreed"] == 1  # the open case itself is agent's now
    last = known["g"].events.order_by("-seq").first()
    assert (last.kind, last.owner_id) == ("assigned", agent.pk)
    assert set(known["g"].events.exclude(pk=last.pk).values_list("owner_id", flat=True)) == {other_agent.pk}
