from datetime import date

import pytest

from core.dates import as_date, infer_year, item_date, meta_date, parse_date, url_date, years_from_order

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("text,expected", [
    ("2023-12-20", date(2023, 12, 20)),
    ("2023/12/20", date(2023, 12, 20)),
    ("2023.06.01", date(2023, 6, 1)),
    ("2023年12月20日", date(2023, 12, 20)),
    ("发布时间：2024年1月5日", date(2024, 1, 5)),
    ("[12-20]", date(2025, 12, 20)),        # December 20 has not come yet this year
    ("[11-20]", date(2026, 11, 20)),
    ("11-25", date(2025, 11, 25)),
    ("(11月03日)", date(2026, 11, 3)),
    ("【10-05】", date(2026, 10, 5)),
    ("2024-03/14", date(2024, 3, 14)),
    ("时间：2020-04-20", date(2020, 4, 20)),
    ("截至4月20日24时新型冠状病毒肺炎疫情最新情况", None),   # a date inside a sentence is not the entry's
    ("2023-13-40", None),
    ("第12-20号", None),
])
def test_item_dates(text, expected):
    assert item_date(text, TODAY) == expected


def test_year_inference_never_gives_a_future_date():
    assert infer_year(11, 22, TODAY) == date(2026, 11, 22)
    assert infer_year(11, 23, TODAY) == date(2025, 11, 23)
    assert infer_year(2, 29, TODAY) == date(2024, 2, 29)


@pytest.mark.parametrize("url,expected", [
    ("/art/2026/8/28/art_1769_4449877.html", date(2026, 8, 28)),
    ("./202609/t20260930_3998386.htm", date(2026, 9, 30)),
    ("http://www.ndrc.gov.cn/xxgk/zcfb/tz/202109/t20210924_1297474.html", date(2021, 9, 24)),
    ("/news/2023-12-20/123.html", date(2023, 12, 20)),
    ("/col/col1769/index.html", None),
])
def test_url_dates(url, expected):
    assert url_date(url) == expected


def test_meta_pubdate():
    assert meta_date("2021-09-24 14:50:44") == date(2021, 9, 24)
    assert meta_date("20240712") == date(2024, 7, 12)
    assert meta_date("") is None


def test_year_less_dates_from_the_lists_order():
    md = [(None, (3, 1)), (None, (1, 5)), (None, (11, 20)), (None, (6, 1))]
    # read on 2026-11-22: 11-20 below 01-05 is last year's, not two days ago
    assert years_from_order(md, TODAY) == [date(2026, 3, 1), date(2026, 1, 5), date(2025, 11, 20), date(2025, 6, 1)]


def test_year_less_dates_from_the_pages_dated_entries():
    items = [(None, (11, 5)), (date(2023, 10, 30), None), (None, (10, 2)), (None, (9, 28))]
    assert years_from_order(items, TODAY) == [date(2023, 11, 5), date(2023, 10, 30), date(2023, 10, 2), date(2023, 9, 28)]


def test_a_list_not_newest_first_keeps_the_most_recent_past_year():
    items = [(date(2024, 1, 3), None), (date(2025, 2, 1), None), (None, (11, 20))]
    assert years_from_order(items, TODAY) == [date(2024, 1, 3), date(2025, 2, 1), date(2026, 11, 20)]


def test_an_oldest_first_list_of_month_days_is_not_pushed_back_a_year_each_line():
    items = [(None, (1, 5)), (None, (3, 1)), (None, (6, 1))]
    assert years_from_order(items, TODAY) == [date(2026, 1, 5), date(2026, 3, 1), date(2026, 6, 1)]


@pytest.mark.parametrize("text,expected", [
    ("提问时间：2024-01-02", "2024-01-02"),
    ("2024年1月2日 09:30", "2024-01-02T09:30:00"),
    ("答复时间 2024/01/02 9时05分07", "2024-01-02T09:05:07"),
    ("2024-01-02 25:00", "2024-01-02"),          # not a time of day
    ("2024-02-30 或 2024-03-01", "2024-03-01"),  # the first date that exists
    ("提问时间20240102", None),
    ("", None),
])
def test_labelled_field_dates(text, expected):
    assert parse_date(text) == expected


def test_stored_iso_dates():
    assert as_date("2024-01-02T09:30:00") == date(2024, 1, 2)
    assert as_date("2024-13-01") is None and as_date(None) is None and as_date("") is None
