"""The queue's search finds text anywhere in the name, summary or phone (issue 7, item 18), on the page
and in the API, with the same results on both databases."""

import pytest
from django.db import connection

from cases.selectors import QueueFilters, case_queue_queryset
from tests.factories import log_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(agent):
    return {
        "wang": log_case(agent, customer_name="王小明", customer_phone="13812345678", summary="话费多扣两百元"),
        "chen": log_case(agent, customer_name="陈晓红", customer_phone="13900002222", summary="宽带频繁断线"),
        "smith": log_case(
            agent, customer_name="John Smith", customer_phone="+85291234567", summary="Broadband keeps dropping"
        ),
        "odd": log_case(agent, customer_name="100% 王_五", customer_phone="13700009999", summary="营业厅态度差"),
    }


def found(query, **filters):
    return set(case_queue_queryset(QueueFilters(q=query, status="all", **filters)).values_list("number", flat=True))


@pytest.mark.parametrize(
    "query, expected",
    [
        ("小明", {"wang"}),  # given name, not the start of the name
        ("宽带", {"chen"}),  # a word inside the summary
        ("5678", {"wang"}),  # a phone's last digits
        ("9123", {"smith"}),  # inside a phone with a +
        ("139000", {"chen"}),  # a phone prefix still works
        ("smith", {"smith"}),  # any case
        ("BROADBAND", {"smith"}),
        ("频繁断线", {"chen"}),  # longer than two characters
        ("陈", {"chen"}),  # one character: the family name
        ("明", set()),  # one character is not searched anywhere
        ("100%", {"odd"}),  # LIKE wildcards are plain characters
        ("王_", {"odd"}),
        ("%", set()),
        ("小红", set()),  # both characters occur, but not together
        ("不存在的词", set()),
    ],
)
def test_search_finds_the_text_anywhere(cases, query, expected):
    assert found(query) == {cases[key].number for key in expected}, query


def test_search_combines_with_the_other_filters(cases):
    assert found("宽带", tier="vip") == set()
    assert found("宽带", tier=cases["chen"].customer_tier) == {cases["chen"].number}


def test_the_page_and_the_api_find_a_given_name(cases, supervisor, client):
    client.force_login(supervisor)
    page = client.get("/cases/", {"scope": "all", "q": "小明"}).content.decode()
    assert cases["wang"].number in page and cases["chen"].number not in page
    api = client.get("/api/cases/", {"q": "2222"}).json()
    assert [row["number"] for row in api["results"]] == [cases["chen"].number]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search indexes exist on PostgreSQL only")
@pytest.mark.parametrize(
    "query, index",
    [
        ("小明", "case_search_bigrams"),
        ("5678", "case_phone_trgm"),
        ("Smith", "case_name_trgm"),
        ("频繁断线", "case_summary_trgm"),
    ],
)
def test_postgresql_answers_a_search_from_an_index(cases, query, index):
    """The query spells each indexed expression as it is indexed, so PostgreSQL can use the index.
    A table this small is cheaper to scan whole; with scans off, only an index condition can answer."""
    qs = case_queue_queryset(QueueFilters(q=query, status="all"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = qs.explain()
    assert index in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search indexes exist on PostgreSQL only")
def test_postgresql_keeps_fine_statistics_of_the_bigram_index():
    """With the default target ANALYZE keeps too few bigrams to tell a rare given name from a common
    word, and a deep page of a name search turned into a scan of the sort index (migration 0032)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attstattarget FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relname = 'case_search_bigrams' AND a.attnum = 1"
        )
        assert cursor.fetchone()[0] >= 1000


@pytest.mark.parametrize("sort", ["priority", "newest", "deadline"])
def test_a_search_counts_exactly_up_to_its_cap_and_says_more_beyond(agent, supervisor, client, monkeypatch, sort):
    from cases import selectors

    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    for n in range(4):
        log_case(agent, customer_name=f"宽带用户{n}", customer_phone=f"1380000000{n}", summary=f"宽带断线第{n}次")
    log_case(agent, customer_name="陈晓红", customer_phone="13900002222", summary="话费多扣")
    client.force_login(supervisor)

    def shown(query):
        page = client.get("/cases/", {"scope": "all", "q": query, "sort": sort}).content.decode()
        api = client.get("/api/cases/", {"q": query, "sort": sort}).json()
        return page, (api["count"], api["count_is_capped"])

    page, api = shown("宽带")
    assert "超过 3 个工单" in page and api == (3, True)
    page, api = shown("断线第3次")
    assert "1 个工单" in page and "超过" not in page and api == (1, False)
    page, api = shown("晓红")
    assert "1 个工单" in page and api == (1, False)
