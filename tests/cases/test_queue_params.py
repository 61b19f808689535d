"""The queue page and GET /api/cases/ read their filters with one strict parser: a value they cannot
use is named, never silently replaced by another (the API answers 400, the page warns and shows the
default for that filter)."""

import pytest
from rest_framework.test import APIClient

from cases.queue_params import API_PARAMS, PAGE_PARAMS, queue_query_parse
from tests.factories import case_in_state, log_case

pytestmark = pytest.mark.django_db

UNKNOWN_STATUS = "Unknown value “bogus”; expected one of: open, ended, all, new,"
NOT_A_USER_ID = "A user id is required: a whole number from 1."
API_PAGE_SIZE = "Between 1 and 100."
# The page's parameter, the API's, a value both must refuse and what they say (in English);
# None where only one of them has the parameter (the page offers 25/50/100 per page, the API 1–100).
REJECTED = [
    ("status", "state", "bogus", UNKNOWN_STATUS),
    (
        "sort",
        "sort",
        "bogus",
        "Unknown value “bogus”; expected one of: priority, oldest, newest, next_promise, deadline.",
    ),
    ("promise", "promise", "late", "Unknown value “late”; expected one of: overdue."),
    ("tier", "tier", "bogus", "Unknown value “bogus”; expected one of: vip, gold, silver, standard."),
    ("priority", "priority", "9", "Unknown value “9”; expected one of: 1, 2, 3, 4."),
    ("priority", "priority", "high", "Unknown value “high”; expected one of: 1, 2, 3, 4."),
    ("owner", "owner", "abc", NOT_A_USER_ID),
    ("owner", "owner", "0", NOT_A_USER_ID),
    ("scope", None, "everything", "Unknown value “everything”; expected one of: mine, all."),
    ("size", None, "0", "Unknown value “0”; expected one of: 25, 50, 100."),
    ("size", None, "1000", "Unknown value “1000”; expected one of: 25, 50, 100."),
    (None, "page_size", "0", API_PAGE_SIZE),
    (None, "page_size", "101", API_PAGE_SIZE),
    (None, "page_size", "ten", API_PAGE_SIZE),
]
# How the page names its filters in a warning: the labels the filter form shows.
PAGE_LABELS = {
    "status": "Status",
    "sort": "Sort",
    "tier": "Tier",
    "priority": "Priority",
    "owner": "Owner",
    "scope": "Which cases",
    "size": "Per page",
    "promise": "Promises",
}
PAGE_REJECTS = [(page, value, message) for page, _api, value, message in REJECTED if page]
API_REJECTS = [(api, value, message) for _page, api, value, message in REJECTED if api]


def english_page(client, user, query):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.get("/cases/", query)
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize(("param", "value", "message"), PAGE_REJECTS)
def test_the_page_names_a_filter_it_cannot_use_and_shows_the_default(client, supervisor, param, value, message):
    page = english_page(client, supervisor, {param: value})
    warning = page.split('<ul class="messages" role="status">')[1].split("</ul>")[0]
    assert f"{PAGE_LABELS[param]}: {message}" in warning and "The default is shown instead." in warning


def test_an_unknown_status_on_the_page_shows_open_cases_not_every_case(client, agent, supervisor):
    open_case, closed = log_case(agent), case_in_state("closed", owner=agent)
    page = english_page(client, supervisor, {"scope": "all", "status": "bogus"})
    assert open_case.number in page and closed.number not in page
    assert '<option value="open" selected>' in page


def test_the_page_keeps_the_values_it_can_use_and_its_links_drop_the_rejected_ones(client, agent, supervisor):
    for i in range(30):
        log_case(agent, customer_phone=f"1350000{i:04d}")
    page = english_page(client, supervisor, {"scope": "all", "size": "7", "sort": "newest"})
    assert '<option value="newest" selected>' in page and '<option value="25" selected>' in page
    next_link = page.split('rel="next" href="?')[1].split('"')[0]
    assert "sort=newest" in next_link and "size=" not in next_link


def test_a_live_refresh_does_not_pile_up_warnings_for_the_next_page(client, supervisor):
    english_page(client, supervisor, {"status": "bogus"})  # shown once, here
    client.get("/cases/", {"status": "bogus"}, headers={"x-requested-with": "live"})
    assert '<ul class="messages"' not in english_page(client, supervisor, {})


@pytest.mark.parametrize(("param", "value", "message"), API_REJECTS)
def test_the_api_answers_400_naming_the_parameter(supervisor, param, value, message):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(supervisor)
    response = api.get("/api/cases/", {param: value})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["fields"]) == [param]
    assert body["fields"][param][0].startswith(message)


def test_the_api_names_every_rejected_parameter_at_once(supervisor):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(supervisor)
    body = api.get("/api/cases/", {"state": "x", "tier": "y", "page_size": "0", "sort": "priority"}).json()
    assert set(body["fields"]) == {"state", "tier", "page_size"}


def test_messages_follow_the_language_the_client_asks_for(supervisor):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    api.force_authenticate(supervisor)
    assert api.get("/api/cases/", {"page_size": "0"}).json()["fields"]["page_size"] == ["取值须在 1 到 100 之间。"]


def test_page_and_api_read_the_same_values_under_their_own_names():
    from django.http import QueryDict

    page = queue_query_parse(
        QueryDict("status=ended&size=50&after=A&before=B&owner=3&priority=2&tier=vip&q=王"), PAGE_PARAMS
    )
    api = queue_query_parse(
        QueryDict("state=ended&page_size=50&cursor=A&before=B&owner=3&priority=2&tier=vip&q=王"), API_PARAMS
    )
    assert page.errors == api.errors == {}
    assert page.filters == api.filters
    assert (page.size, page.after, page.before) == (api.size, api.after, api.before) == (50, "A", "B")
    assert page.filters.priority == 2 and page.filters.owner_id == 3 and page.filters.status == "ended"


def test_the_page_warns_in_chinese_by_default(client, supervisor):
    client.force_login(supervisor)
    page = client.get("/cases/", {"tier": "bogus"}).content.decode()
    assert "客户等级：未知的取值“bogus”，可选值：vip, gold, silver, standard。已改为显示默认值。" in page
