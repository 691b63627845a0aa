"""A small scored world inserted straight into a database, for the score,
export and report tests (no crawl needed)."""
from __future__ import annotations

from storage.db import session_scope
from storage.models import Finding, Run, RunSite, Site, Unit

HOSTILE_TITLE = '<script>alert("t")</script>"><img src=x onerror=alert(1)>'
HOSTILE_TEXT = '正文 <script>document.title="pwned"</script> "><img src=x onerror=alert(2)> 结束'

PASSING = {
    "avail.homepage": ("pass", 1), "update.homepage": ("pass", 2), "update.stale_columns": ("pass", 0),
    "update.blank_columns": ("pass", 0), "interact.channel": ("pass", 1), "interact.unanswered_3m": ("pass", 0),
    "service.entry": ("pass", 1), "links.dead_homepage": ("pass", 0), "links.dead_site": ("pass", 0),
    "content.wording_errors": ("pass", 0), "privacy.pii_exposure": ("pass", 0), "search.present": ("pass", 1),
    "identity.site_code": ("pass", 1),
}


def add_finding(session, run_id, site_id, check_id, status, value, details=None, evidence=None, supersedes=None):
    f = Finding(run_id=run_id, site_id=site_id, check_id=check_id, check_version="1", status=status,
                value=value, unit_of_value="", details=details or {}, evidence=evidence or [],
                supersedes=supersedes)
    session.add(f)
    session.flush()
    return f


def seed(db_url: str) -> dict:
    """Two cities and a county: portals (one hostile page), an open-data platform, a hotline."""
    with session_scope(db_url) as s:
        units = [Unit(name="甲市人民政府", level="city", region="340100", group="省会城市"),
                 Unit(name="乙市人民政府", level="city", region="220400", group="地级市"),
                 Unit(name="丙县人民政府", level="county", region="340121", group="区县")]
        s.add_all(units)
        s.flush()
        sites = [Site(url="http://a.example/", name="甲市政府门户", kind="portal", unit_id=units[0].id,
                      group="省会城市", region="340100"),
                 Site(url="http://data.a.example/", name="甲市数据开放", kind="open_data", unit_id=units[0].id,
                      group="省会城市", region="340100"),
                 Site(url="http://b.example/", name="乙市政府门户", kind="portal", unit_id=units[1].id,
                      group="地级市", region="220400"),
                 Site(url="http://c.example/", name="丙县政府门户", kind="portal", unit_id=units[2].id,
                      group="区县", region="340121"),
                 Site(url="http://12345.a.example/", name="甲市12345", kind="hotline", unit_id=units[0].id,
                      group="省会城市", region="340100")]
        s.add_all(sites)
        s.flush()
        run = Run(kind="round", status="finished")
        s.add(run)
        s.flush()
        for site in sites:
            s.add(RunSite(run_id=run.id, site_id=site.id, stage="checked"))
        a, da, b, c, h = sites
        for cid, (st, v) in PASSING.items():
            add_finding(s, run.id, a.id, cid, st, v)
            add_finding(s, run.id, b.id, cid, st, v)
            add_finding(s, run.id, c.id, cid, st, v)
        # 甲: 3 dead homepage links, one carrying hostile text in its evidence
        s.query(Finding).filter_by(site_id=a.id, check_id="links.dead_homepage").delete()
        add_finding(s, run.id, a.id, "links.dead_homepage", "fail", 3,
                    {"confirmed": 2, "suspected": 1, "page_title": HOSTILE_TITLE},
                    [{"kind": "url", "ref": "http://a.example/missing.html"},
                     {"kind": "url", "ref": "javascript:alert(3)"},
                     {"kind": "snippet", "ref": "http://a.example/x.html", "text": HOSTILE_TEXT}])
        # 乙: homepage not updated for 30 days → veto
        s.query(Finding).filter_by(site_id=b.id, check_id="update.homepage").delete()
        add_finding(s, run.id, b.id, "update.homepage", "fail", 30)
        # 丙: a wording-error candidate → pending review; search could not be measured
        s.query(Finding).filter_by(site_id=c.id, check_id="content.wording_errors").delete()
        add_finding(s, run.id, c.id, "content.wording_errors", "fail", 1,
                    evidence=[{"kind": "snippet", "ref": "http://c.example/n.html", "text": "扫黑险恶",
                               "rule": "扫黑除恶"}])
        s.query(Finding).filter_by(site_id=c.id, check_id="search.present").delete()
        add_finding(s, run.id, c.id, "search.present", "error", None, {"error_kind": "timeout", "error": "no answer"})
        add_finding(s, run.id, da.id, "opendata.dataset_count", "pass", 120)
        add_finding(s, run.id, h.id, "hotline.reply_rate", "warn", 0.8)
        return {"run_id": run.id, "units": [u.id for u in units], "sites": [x.id for x in sites]}
