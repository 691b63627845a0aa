"""A homepage over the size cap (DOWNLOAD_MAXSIZE, 10 MiB): the site answered, so
`avail.homepage` passes with `details.truncated`; the checks that read the crawl say
`error`/`too_large` instead of judging content that was never read.

What a person sees: big and endless (tests/crawler/farm/url_farm.py) answer 200 with a page that never
ends loading (12 MiB declared / an endless stream). The sites beside them in the same run are
judged as usual (test_link_spellings.py)."""
from __future__ import annotations

import pytest

from tests.crawler.farm.url_farm import SIZE

CAP = 10 * 1024 * 1024


@pytest.mark.parametrize("slug", ["big", "endless"])
def test_oversized_homepage_answered_but_its_content_is_not_judged(url_audit, slug):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from storage import models as m
    from storage.db import get_engine
    oversized = url_audit
    assert oversized.findings(slug) == {
        "avail.homepage": ("pass", 1, None), "links.dead_homepage": ("error", None, "too_large"),
        "links.dead_site": ("error", None, "too_large"), "links.attachments": ("error", None, "too_large"),
        "update.homepage": ("error", None, "too_large"), "identity.site_code": ("error", None, "too_large")}
    with Session(get_engine(oversized.db_url)) as session:
        def details(check_id):
            return session.scalar(select(m.Finding.details).where(
                m.Finding.run_id == oversized.run_id, m.Finding.site_id == oversized.site_ids[slug],
                m.Finding.check_id == check_id))
        home, dead = details("avail.homepage"), details("links.dead_homepage")
    case = oversized.farm.by_slug[slug]
    assert {k: home[k] for k in ("status", "final_url", "truncated", "cap_bytes")} == {
        "status": 200, "final_url": case.url, "truncated": True, "cap_bytes": CAP}
    assert dead["error"] == f"the homepage is larger than the {CAP}-byte size cap: its content was not judged"
    assert [p[:3] for p in oversized.pages(slug).values()] == [("page", 200, "too_large")]
    # never read whole: the declared 12 MiB is refused at its headers, the stream is cut near the cap
    assert case.sent["/"] < {"big": SIZE, "endless": 2 * CAP}[slug]
