"""GBK pages decoded right through the real spider, with and without a charset header."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import models as m
from storage.db import get_engine
from tests.helpers import audit, served

PAGE = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        '<title>镕喆堃乡人民政府</title></head><body><p>镕喆堃同志主持会议。</p></body></html>')


def test_gbk_pages_with_and_without_header(env, tmp_path):
    sites = {"with-header": {"encoding": "gbk", "charset_header": True},
             "no-header": {"encoding": "gbk", "charset_header": False},
             "meta-only": {"encoding": "gb18030", "charset_header": False}}
    files = {slug: {"index.html": PAGE} for slug in sites}
    with served(tmp_path, sites, files) as farm:
        url, run_id, ids = audit(farm, tmp_path, only=["avail.homepage"])
    with Session(get_engine(url)) as session:
        got = {slug: session.execute(select(m.Page.title, m.Page.text, m.Page.encoding)
                                     .where(m.Page.site_id == sid, m.Page.is_homepage)).one()
               for slug, sid in ids.items()}
    for slug in sites:
        title, text, encoding = got[slug]
        assert title == "镕喆堃乡人民政府", slug
        assert text == "镕喆堃同志主持会议。", slug
        assert encoding == "gb18030", (slug, encoding)


def test_header_claims_utf8_for_gbk_body(env, tmp_path):
    """The GBK trap: the header wins in Scrapy; the spider re-decodes with the body's own declaration."""
    site = {"liar": {"encoding": "gbk", "header_charset": "utf-8"}}
    with served(tmp_path, site, {"liar": {"index.html": PAGE}}) as farm:
        url, run_id, ids = audit(farm, tmp_path, only=["avail.homepage"])
    with Session(get_engine(url)) as session:
        title, encoding = session.execute(select(m.Page.title, m.Page.encoding)
                                          .where(m.Page.site_id == ids["liar"], m.Page.is_homepage)).one()
    assert (title, encoding) == ("镕喆堃乡人民政府", "gb18030")
