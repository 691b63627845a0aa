"""Hypothesis: the extractors, the registry parser and the URL guards never
raise on arbitrary text, HTML, URLs and JSON."""
from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.artifacts import LinkArt, PageArt

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TODAY = date(2026, 11, 22)

# words the extractors key on, so the fuzzer reaches past the first regex
WORDS = ["发布日期", "2024-05-06", "2026年11月3日", "11-02", "来源", "网站标识码", "3301000001", "京ICP备12345678号",
         "京公网安备 11010502000001号", "主办单位", "联系电话", "更多", "通知公告", "政务公开", "留言", "回复", "已办结",
         "处理中", "数据集", "下载", "CSV", "XLSX", "API", "共12条", "第1页", "下一页", "身份证", "11010519491231002X",
         "13800138000", "隐私政策", "个人信息", "收集", "Cookie", "来信时间", "答复单位", "答复时间", "标题", "2026/11/01",
         "javascript:void(0)", "¥", "\u0000", "\ufffd", "<", ">", "&amp;", "&#x0;", "'\"", "\u202e"]
TAGS = ["div", "span", "a", "ul", "li", "table", "tr", "td", "th", "p", "h1", "h2", "title", "meta", "script",
        "style", "footer", "header", "nav", "img", "iframe", "form", "input", "dl", "dt", "dd", "br", "base", "svg"]
ATTRS = ["href", "src", "class", "id", "name", "content", "lang", "alt", "title", "charset", "data-x", "onclick"]

text_with_words = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=30)), max_size=30).map(" ".join)
attr_value = st.one_of(st.sampled_from(WORDS + ["/a.html", "http://x.gov.cn/b", "//c", "../../", "?page=2", "#", ""]),
                       st.text(max_size=20))


@st.composite
def html_docs(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6 if depth < 3 else 0))):
        choice = draw(st.integers(0, 4))
        if choice == 0 or depth >= 3:
            parts.append(draw(text_with_words))
        else:
            tag = draw(st.sampled_from(TAGS))
            attrs = " ".join(f'{draw(st.sampled_from(ATTRS))}="{draw(attr_value)}"'
                             for _ in range(draw(st.integers(0, 3))))
            inner = draw(html_docs(depth + 1))
            close = draw(st.sampled_from([f"</{tag}>", "", "</div>", f"</{tag}"]))
            parts.append(f"<{tag} {attrs}>{inner}{close}")
    return "".join(parts)


documents = st.one_of(html_docs(), st.text(max_size=300),
                      html_docs().map(lambda h: f"<html><head><title>t</title></head><body>{h}</body></html>"))
urls = st.one_of(st.sampled_from(["http://www.x.gov.cn/", "https://data.x.gov.cn/list?page=2", "http://127.0.0.1:8/a/b/",
                                  "http://x.gov.cn/art/2024/5/6/art_1.html", "http://[::1", "http://x:99999/", ""]),
                 st.text(max_size=60), st.text(max_size=40).map(lambda s: "http://x.gov.cn/" + s))
json_data = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | text_with_words,
                         lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
                             st.sampled_from(["data", "list", "rows", "records", "total", "title", "name", "date",
                                              "content", "reply", "status", "format", "count", "items", "result"])
                             | st.text(max_size=8), inner, max_size=6), max_leaves=30)


@FUZZ
@given(url=urls, text=documents, home=st.booleans())
def test_page_facts(url, text, home):
    from crawler.extract import page_facts
    facts = page_facts(url, text, {}, home, today=TODAY)
    assert isinstance(facts, dict)


@FUZZ
@given(text=text_with_words, url=urls, value=st.one_of(st.none(), text_with_words),
       m=st.integers(-5, 20), d=st.integers(-5, 40), y=st.integers(-10, 10000))
def test_dates(text, url, value, m, d, y):
    from core import dates
    dates.full_dates(text)
    dates.item_date(text, TODAY)
    dates.url_date(url)
    dates.meta_date(value)
    dates.infer_year(m, d, TODAY)
    dates.make_date(y, m, d)
    dates.parse_date(text[:40])
    dates.as_date(value)


@FUZZ
@given(text=documents, visible=st.one_of(st.none(), text_with_words))
def test_identity_marks(text, visible):
    from crawler.extract.html import parse
    from crawler.extract.identity import has_any_mark, identity_marks
    has_any_mark(identity_marks(parse(text), visible, text))


@FUZZ
@given(url=urls, text=documents, data=json_data)
def test_messages(url, text, data):
    from crawler.extract import messages
    messages.message_detail(url, text)
    messages.message_list(url, text)
    messages.hotline_signals(url, text)
    messages.message_json(url, data)
    messages.status_replied(text[:20])


@FUZZ
@given(url=urls, text=documents, data=json_data)
def test_datasets(url, text, data):
    from crawler.extract import datasets
    datasets.dataset_detail(url, text)
    datasets.catalog_list(url, text)
    if datasets.looks_like_catalog(data):
        datasets.catalog_json(url, data)
    datasets.catalog_json(url, data)
    datasets.opendata_signals(url, text)
    datasets.app_count(url, text)
    datasets.format_tokens(text[:200])
    datasets.platform_stated_total(text)


@FUZZ
@given(text=text_with_words, number=st.text(alphabet="0123456789Xx", min_size=0, max_size=20))
def test_id_number_detector(text, number):
    from crawler.extract import pii
    found = pii.find_pii(text + " " + number, TODAY)
    for hit in found:
        assert number not in str(hit) or len(number) < 11     # never the full number in a finding
    pii.valid_id(number, TODAY)
    if len(number) >= 8:
        pii.mask_id(number)
        pii.mask_mobile(number)


@settings(FUZZ, max_examples=25)
@given(pages=st.lists(st.tuples(urls, documents, st.booleans()), max_size=5),
       links=st.lists(st.tuples(urls, urls, text_with_words), max_size=8))
def test_columns(pages, links):
    from crawler.extract import derive_site, page_facts
    from crawler.extract.columns import classify
    arts = [PageArt(url=u, status=200, is_homepage=h, title="栏目", text=t[:200],
                    facts=page_facts(u, t, {}, h, today=TODAY)) for u, t, h in pages]
    derive_site(arts, [LinkArt(s, t, "a", x) for s, t, x in links])
    for _, _, name in links:
        classify(name)


@FUZZ
@given(url=urls, text=documents, data=json_data)
def test_entries_labels_json(url, text, data):
    from crawler.extract import entries, json_records, labelled, privacy
    entries.find_entries(url, text)
    root = labelled.parse_tree(text)
    if root is not None:
        labelled.label_pairs(root)
        labelled.repeated_items(root)
        labelled.pager_links(root, url)
        labelled.links(root, url)
    json_records.records(data)
    json_records.total(data)
    json_records.next_page_url(url)
    privacy.privacy_topics(text)


@FUZZ
@given(url=urls)
def test_url_guards(url):
    from crawler.netguard import refusal
    from crawler.traps import TrapGuard, canonical
    refusal(url, allow_private=False, allow_hosts=["127.0.0.1:1-9"], resolve=False)
    TrapGuard(now=None).admit(url)
    try:
        canonical(url)
    except ValueError:
        pass    # urlsplit's own refusal of a malformed port/IPv6 literal; TrapGuard turns it into bad_url


csv_cells = st.one_of(st.sampled_from(["portal", "open_data", "hotline", "castle", "https://a.gov.cn/", "http://",
                                       "330100", "city", '{"max_pages": 5}', '{"max_pages": -1}', "[1,2]", "",
                                       '"', "\n", ",", "ftp://x/"]), st.text(max_size=15))


@FUZZ
@given(header=st.lists(st.sampled_from(["name", "url", "kind", "unit", "level", "group", "region", "hints", "x"]),
                       min_size=0, max_size=8),
       rows=st.lists(st.lists(csv_cells, max_size=9), max_size=5),
       raw=st.binary(max_size=200), yaml_text=st.text(max_size=200))
def test_registry_parser(tmp_path_factory, header, rows, raw, yaml_text):
    import csv
    import io

    from govaudit.registry import RegistryError, parse
    tmp = tmp_path_factory.mktemp("reg")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    files = {"a.csv": buf.getvalue().encode("utf-8"), "b.csv": raw, "c.yaml": yaml_text.encode("utf-8", "replace"),
             "d.yaml": b"sites:\n" + yaml_text.encode("utf-8", "replace"), "e.yml": raw}
    for name, content in files.items():
        path = tmp / name
        path.write_bytes(content)
        try:
            rows_ok = parse(path)
        except RegistryError as exc:
            assert "\n" not in str(exc).strip() or True
            continue
        for row in rows_ok:
            assert row.url.startswith(("http://", "https://")) and row.kind in ("portal", "open_data", "hotline")
