import re
import zoneinfo
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Profile
from accounts.people import display_name
from cases.models import Case
from tests.factories import case_in_state, evidence, log_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_pages_need_a_login(client):
    response = client.get("/cases/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_cases_shows_only_my_open_cases(login, agent, other_agent):
    mine = log_case(agent, customer_name="李华")
    theirs = log_case(other_agent, customer_phone="13911112222", customer_name="赵敏")
    closed = case_in_state("closed", owner=agent)
    page = login(agent).get("/cases/?scope=mine").content.decode()
    assert mine.number in page
    assert theirs.number not in page and closed.number not in page


def test_the_queue_searches_by_number_phone_and_chinese_name(login, agent, supervisor):
    a = log_case(agent, customer_name="王小明", customer_phone="13800001111")
    b = log_case(agent, customer_name="陈晓红", customer_phone="13900002222")
    client = login(supervisor)
    for query, hit, miss in ((a.number, a, b), ("139000", b, a), ("陈晓红", b, a), ("陈", b, a), ("王小", a, b)):
        page = client.get("/cases/", {"scope": "all", "q": query}).content.decode()
        assert hit.number in page and miss.number not in page, query


@pytest.mark.parametrize("search", ["", "&q=1360000", "&q=小明"], ids=["no search", "digits", "name"])
def test_the_queue_runs_the_same_queries_for_any_page_size(login, agent, other_agent, supervisor, search):
    """However many rows and owners a page shows (a search reads its page's owners in a query of
    their own: cases/selectors.py)."""
    for i in range(30):
        log_case(agent if i % 2 else other_agent, customer_phone=f"1360000{i:04d}", customer_name=f"王小明{i}")
    counts = []
    for size in (25, 100):
        cache.clear()  # both requests start cold: roles not yet cached
        client = login(get_user_model().objects.get(pk=supervisor.pk))
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(f"/cases/?scope=all&size={size}{search}")
        assert page.status_code == 200
        counts.append(len(ctx.captured_queries))
        html = page.content.decode()
        assert html.count('<tr class="p') == min(size, 30)
        assert display_name(agent) in html and display_name(other_agent) in html
    assert counts[0] == counts[1] <= 10


def test_the_queue_pages_forward_and_back(login, agent):
    numbers = {log_case(agent, customer_phone=f"1350000{i:04d}").number for i in range(30)}
    client = english(login(agent))
    first = client.get("/cases/?scope=mine&size=25").content.decode()
    next_link = re.search(r'rel="next" href="\?([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(f"/cases/?{next_link}").content.decode()
    seen = set(re.findall(r"C-\d{4}-\d{6}", first)) | set(re.findall(r"C-\d{4}-\d{6}", second))
    assert seen == numbers
    assert 'rel="next"' not in second and 'rel="prev"' in second


def test_an_empty_queue_says_so_and_offers_intake(login, agent):
    page = english(login(agent)).get("/cases/?scope=mine").content.decode()
    assert "You have no open cases." in page and "/complaints/new/" in page


def test_a_garbled_page_link_falls_back_to_the_first_page(login, agent):
    log_case(agent)
    response = english(login(agent)).get("/cases/?scope=mine&after=!!garbage!!")
    assert response.status_code == 200
    assert "no longer valid" in response.content.decode()


def test_case_page_shows_stepper_evidence_form_and_timeline(login, agent):
    case = case_in_state("acknowledged", owner=agent)
    page = english(login(agent)).get(f"/cases/{case.number}/").content.decode()
    assert 'aria-current="step"' in page
    assert re.search(r'<li class="current"[^>]*><span>4</span> Analyze', page)
    assert 'data-step="analyze"' in page
    assert "你们凭什么多扣我两百块！" in page  # the customer's words recorded at Accept
    timeline = page.split('data-testid="timeline"')[1]
    assert timeline.count("<li>") == 4


def test_posting_a_step_with_missing_evidence_keeps_what_was_typed_and_names_the_gap(login, agent):
    case = case_in_state("acknowledged", owner=agent)
    data = {**evidence("analyze"), "expected_state": "acknowledged", "root_cause": ""}
    response = english(login(agent)).post(f"/cases/{case.number}/steps/analyze/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field="root_cause"' in page
    # root cause was left empty; everything else the agent typed is still in the form
    assert "多扣费" in page and "退费" in page
    assert Case.objects.get(pk=case.pk).state == "acknowledged"


def test_first_contact_form_records_three_steps(login, agent):
    case = log_case(agent)
    data = {**evidence("accept"), **evidence("apologize"), "expected_state": "new"}
    data["restated_problem"] = "您是说多扣了两百元"
    client = login(agent)
    response = client.post(f"/cases/{case.number}/steps/first_contact/", {**data, "emotional_needs": ["vent"]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "acknowledged"
    assert case.events.count() == 4


def test_posting_on_a_stale_page_changes_nothing_and_says_why(login, agent):
    case = case_in_state("accepted", owner=agent)
    client = english(login(agent))
    response = client.post(
        f"/cases/{case.number}/steps/apologize/", {**evidence("apologize"), "expected_state": "new"}, follow=True
    )
    assert "Someone else changed this case meanwhile" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == "accepted"


def test_alternatives_posted_from_the_form_rows(login, agent):
    case = case_in_state("analyzed", owner=agent)
    data = {
        "expected_state": "analyzed",
        "options-0-action": "退还费用",
        "options-0-benefit": "钱退回",
        "options-0-compensation": "20",
        "options-1-action": "送流量包",
        "options-1-benefit": "额外流量",
        "options-1-compensation": "",
    }
    assert login(agent).post(f"/cases/{case.number}/steps/offer_alternatives/", data).status_code == 302
    case.refresh_from_db()
    assert case.state == "alternatives_offered"
    assert [o.action for o in case.options.order_by("position")] == ["退还费用", "送流量包"]


def test_auditors_read_cases_but_cannot_post_steps(login, agent, auditor):
    case = log_case(agent)
    client = login(auditor)
    assert client.get(f"/cases/{case.number}/").status_code == 200
    assert client.get(f"/cases/{case.number}/history/").status_code == 200
    response = client.post(f"/cases/{case.number}/steps/accept/", {**evidence("accept"), "expected_state": "new"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == "new"
    assert client.get("/complaints/new/").status_code == 403


def test_intake_page_logs_a_complaint_and_opens_the_case(login, agent):
    client = login(agent)
    response = client.post(
        "/complaints/new/",
        {
            "customer_name": "刘洋",
            "customer_phone": "136 0013 6004",
            "channel": "retail_hall",
            "summary": "营业厅服务态度差",
            "what_happened": "营业员不耐烦",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    assert case.customer_phone == "13600136004" and case.channel == "retail_hall"


def test_intake_errors_keep_the_typed_text(login, agent):
    response = english(login(agent)).post(
        "/complaints/new/", {"customer_name": "刘洋", "customer_phone": "abc", "summary": "态度差", "channel": "phone"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field="customer_phone"' in page and 'data-field="what_happened"' in page
    assert "刘洋" in page and "态度差" in page
    assert not Case.objects.exists()


def test_intake_shows_the_customers_open_cases_to_attach_to(login, agent):
    case = log_case(agent, customer_phone="13800138000")
    page = login(agent).get("/complaints/customer-lookup/?phone=13800138000").content.decode()
    assert f'value="{case.number}"' in page


def test_the_interface_is_bilingual(login, agent):
    client = login(agent)
    chinese = client.get("/cases/?scope=mine").content.decode()
    english_page = english(client).get("/cases/?scope=mine").content.decode()
    assert "<h1>My cases</h1>" in english_page
    assert "<h1>My cases</h1>" not in chinese
    assert 'lang="zh-hans"' in chinese and 'lang="en"' in english_page


def test_times_are_shown_in_the_users_zone(client, agent):
    Profile.objects.create(user=agent, time_zone="Europe/London")
    case = log_case(agent)
    created = timezone.now() - timedelta(days=1)
    Case.objects.filter(pk=case.pk).update(created_at=created.replace(hour=12, minute=0))
    client.post("/accounts/login/", {"username": "agent_a", "password": "pw-for-tests-123"})
    page = client.get("/cases/?scope=mine").content.decode()
    london = created.replace(hour=12, minute=0).astimezone(zoneinfo.ZoneInfo("Europe/London"))
    assert london.strftime("%Y-%m-%d %H:%M") in page


def test_an_unknown_case_number_is_a_404_page(login, agent):
    assert english(login(agent)).get("/cases/C-1999-999999/").status_code == 404


def test_posting_an_unknown_step_is_a_404(login, agent):
    case = log_case(agent)
    assert login(agent).post(f"/cases/{case.number}/steps/teleport/", {}).status_code == 404


@pytest.fixture
def guard_on():
    """Registers a guard the way another app would, for this test only."""
    from cases.guards import register_guard, unregister_guard

    registered = []

    def _register(step, errors):
        def guard(case, evidence):
            return errors

        register_guard(step, guard)
        registered.append((step, guard))

    yield _register
    for step, guard in registered:
        unregister_guard(step, guard)


def test_a_guard_refusing_part_of_the_first_contact_shows_its_reason_on_that_step(login, agent, guard_on):
    guard_on("apologize", {"apology_text": "Use the approved apology script."})
    case = log_case(agent)
    data = {**evidence("accept"), **evidence("apologize"), **evidence("acknowledge"), "expected_state": "new"}
    response = english(login(agent)).post(f"/cases/{case.number}/steps/first_contact/", data)
    assert response.status_code == 400
    form = response.content.decode().split('data-step="first_contact"')[1].split("</form>")[0]
    apology = form.split("<legend>Apologize</legend>")[1].split("</fieldset>")[0]
    assert 'data-field="apology_text"' in apology and "Use the approved apology script." in apology
    assert Case.objects.get(pk=case.pk).state == "new"


def test_a_guard_refusing_a_step_shows_its_reason_on_the_step_form(login, agent, guard_on):
    guard_on("analyze", {"__all__": "Waiting for approval."})
    case = case_in_state("acknowledged", owner=agent)
    response = english(login(agent)).post(
        f"/cases/{case.number}/steps/analyze/", {**evidence("analyze"), "expected_state": "acknowledged"}
    )
    assert response.status_code == 400
    form = response.content.decode().split('data-step="analyze"')[1].split("</form>")[0]
    assert "Waiting for approval." in form
