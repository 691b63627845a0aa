"""The probes gatherer: for each site, one fresh browser context runs the requested
probes in turn over one reusable page, and each probe stores one `probe_results`
row (plus the "render" row: the rendered homepage HTML)."""
from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from crawler.probes import a11y, elder, mobile, privacy, qa, search
from crawler.probes.pool import BrowserPool, BrowserUnavailable
from crawler.probes.session import ProbeContext, ProbeError, SiteTarget, error_kind, goto, one_line, settle

log = logging.getLogger(__name__)

PROBES = {"search": search.run, "qa": qa.run, "elder": elder.run, "privacy": privacy.run,
          "a11y": a11y.run, "mobile": mobile.run}
# The probes of a site run at once, each in a browser context of its own (cookies such as the
# elder mode's, pop-ups and pages are not shared), except: the first of READS_HOME takes the
# page of the site's first homepage load (it only reads it), and the mobile probe opens its
# phone context itself.
ORDER = ("a11y", "mobile", "search", "qa", "privacy", "elder")
READS_HOME = ("a11y",)
OWN_BROWSER_CONTEXT = ("mobile",)
VIEWPORT = {"width": 1366, "height": 900}
BUDGET_S = {"search": 150, "qa": 90, "elder": 60, "privacy": 45, "a11y": 90, "mobile": 45}
RENDER_CAP = 2_000_000
UNRESPONSIVE_S = 10
SITE_BUDGET_S = sum(BUDGET_S.values()) + 60      # last resort: no site holds the pool longer
# sites probed at once: a site's probes mostly wait on the network, CPU allows about 4 on 2 cores
DEFAULT_CONTEXTS = 4


def gather(run_id: int, site_ids: list[int], settings, probes: set[str] | None = None,
           contexts: int | None = None, recycle_after: int = 50) -> None:
    """Run the probes (needs `probe:NAME` or bare names; all when None) on the sites, store their
    results and mark each site's needs gathered. Synchronous; safe to call from a thread that
    already runs an event loop. GOVAUDIT_BROWSER_CONTEXTS sets the sites probed at once (4)."""
    if contexts is None:
        contexts = int(os.environ.get("GOVAUDIT_BROWSER_CONTEXTS") or DEFAULT_CONTEXTS)
    wanted = {p.removeprefix("probe:") for p in (probes or PROBES)} & set(PROBES)
    from storage.db import session_scope
    with session_scope(settings.database_url) as session:
        targets = load_targets(session, run_id, site_ids)
        walled = _walled(session, run_id, site_ids)
    for t in targets:
        if t.id in walled:      # a wall answered the crawl: the browser is not sent against it
            _store(settings.database_url, run_id, t.id, {
                name: {"result": {"error": "a wall answered instead of the site", "wall": walled[t.id]},
                       "error_kind": "blocked", "tool_versions": {}} for name in wanted})
    targets = [t for t in targets if t.id not in walled]
    coro = run_sites(run_id, targets, wanted, settings, contexts, recycle_after, store=True)
    _run_coroutine(coro)


def _run_coroutine(coro):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: box.setdefault("r", asyncio.run(coro)))
    thread.start()
    thread.join()
    return box.get("r")


def _walled(session, run_id: int, site_ids: list[int]) -> dict[int, dict]:
    """{site_id: wall evidence} of the sites whose crawl in this run met a wall (crawler/walls.py)."""
    from sqlalchemy import select
    from storage.models import ProbeResult
    rows = session.execute(select(ProbeResult.site_id, ProbeResult.result).where(
        ProbeResult.run_id == run_id, ProbeResult.probe == "crawl", ProbeResult.site_id.in_(site_ids))).all()
    return {sid: result["wall"] for sid, result in rows if (result or {}).get("wall")}


def load_targets(session, run_id: int, site_ids: list[int]) -> list[SiteTarget]:
    """Sites with the pages their crawl stored (of this run, else of the site's latest crawled run,
    so a single-check rerun still has known items). Each page carries the anchor texts of links
    to it: CMSs that give every page the site name as <title> still name it in their lists."""
    from sqlalchemy import func, select
    from storage.models import Link, Page, Site
    targets = []
    for sid in site_ids:
        site = session.get(Site, sid)
        if site is None:
            continue
        crawl_run = run_id
        if not session.scalar(select(func.count()).select_from(Page).where(Page.run_id == run_id, Page.site_id == sid)):
            crawl_run = session.scalar(select(func.max(Page.run_id)).where(Page.site_id == sid)) or run_id
        rows = session.execute(select(Page.url, Page.final_url, Page.title, Page.depth, Page.is_homepage, Page.status)
                               .where(Page.run_id == crawl_run, Page.site_id == sid, Page.role == "page")).all()
        anchors: dict[str, str] = {}
        for target, text in session.execute(select(Link.target_url, Link.text).where(
                Link.run_id == crawl_run, Link.site_id == sid, Link.tag == "a", Link.external.is_(False))):
            text = (text or "").strip()
            if len(text) > len(anchors.get(target, "")):
                anchors[target] = text
        pages = [{"url": r.url, "final_url": r.final_url or r.url, "title": r.title or "", "depth": r.depth or 0,
                  "is_homepage": bool(r.is_homepage), "anchor": anchors.get(r.url) or anchors.get(r.final_url or "", "")}
                 for r in rows if r.status is None or r.status < 400]
        targets.append(SiteTarget(site.id, site.url, site.name, site.kind, dict(site.hints or {}), pages))
    return targets


async def run_sites(run_id: int, targets: list[SiteTarget], wanted: set[str], settings,
                    contexts: int = DEFAULT_CONTEXTS, recycle_after: int = 50, store: bool = True) -> dict[int, dict]:
    """Probe every target with at most `contexts` sites at once; returns {site_id: {probe: outcome}}."""
    out: dict[int, dict] = {}
    try:
        pool = BrowserPool(settings.chromium, contexts=contexts, recycle_after=recycle_after,
                           user_agent=browser_user_agent(settings.user_agent), refuse=guard_for(settings))
    except BrowserUnavailable as exc:
        for t in targets:
            out[t.id] = {name: {"result": {"error": str(exc)}, "error_kind": "internal", "tool_versions": {}}
                         for name in wanted}
            if store:
                _store(settings.database_url, run_id, t.id, out[t.id])
        return out
    async with pool:
        async def one(t: SiteTarget):
            try:
                outcomes = await asyncio.wait_for(probe_site(pool, run_id, t, wanted, settings), SITE_BUDGET_S)
            except (asyncio.TimeoutError, TimeoutError):
                outcomes = {name: {"result": {"error": f"site probes exceeded {SITE_BUDGET_S} s"}, "error_kind": "timeout",
                                   "tool_versions": {"browser": pool.version}} for name in wanted}
            out[t.id] = outcomes
            if store:
                await asyncio.to_thread(_store, settings.database_url, run_id, t.id, outcomes)
        await asyncio.gather(*(one(t) for t in targets))
    return out


def guard_for(settings):
    """The network guard of the settings (None when everything is allowed or no guard is installed)."""
    if getattr(settings, "allow_private", True):
        return None
    try:
        from crawler.netguard import refusal
    except ImportError:
        return None
    allow_hosts = list(getattr(settings, "allow_hosts", []) or [])
    return lambda url: refusal(url, False, allow_hosts)


def browser_user_agent(ua: str) -> str:
    """Sites serve browsers by User-Agent sniffing: look like Chrome, still say who we are."""
    return f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 {ua}"


async def probe_site(pool: BrowserPool, run_id: int, t: SiteTarget, wanted: set[str], settings) -> dict[str, dict]:
    data_dir = Path(settings.data_dir)
    ref = f"runs/{run_id}/{t.id}"
    timeout_ms = int(float(settings.timeout) * 1000)
    outcomes: dict[str, dict] = {}
    versions = {"browser": pool.version}
    async with pool.context(viewport=VIEWPORT) as ctx:
        ctx.set_default_timeout(10000)
        ctx.set_default_navigation_timeout(timeout_ms)
        page = await ctx.new_page()
        home_url = t.hints.get("homepage_url") or t.url
        try:
            response, load_reached = await goto(page, home_url, timeout_ms, load_wait_ms=timeout_ms)
            await settle(page)
        except Exception as exc:
            kind = error_kind(exc)
            for name in wanted | {"render"}:
                outcomes[name] = {"result": {"error": one_line(exc)}, "error_kind": kind, "tool_versions": versions}
            return outcomes
        status = response.status if response else None
        try:   # evaluate and content have no timeout of their own: a page looping in a script never answers
            load_s = await asyncio.wait_for(page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0]; return n && n.loadEventEnd > 0 ? n.loadEventEnd / 1000 : null }"),
                UNRESPONSIVE_S)
            html = await asyncio.wait_for(page.content(), UNRESPONSIVE_S)
        except (asyncio.TimeoutError, TimeoutError):
            for name in wanted | {"render"}:
                outcomes[name] = {"result": {"error": f"the page did not answer within {UNRESPONSIVE_S} s (a script never yields)"},
                                  "error_kind": "timeout", "tool_versions": versions}
            return outcomes
        outcomes["render"] = {"result": {"url": page.url, "status": status, "html": html[:RENDER_CAP],
                                         "truncated": len(html) > RENDER_CAP},
                              "error_kind": None, "tool_versions": versions}
        base = dict(site=t, home_url=page.url, shot_dir=data_dir / ref, shot_ref=ref, timeout_ms=timeout_ms,
                    refuse=pool.refuse, status=status, load_timeout_s=None if load_reached else timeout_ms / 1000,
                    load_s=round(load_s, 3) if load_s is not None and load_reached else None,
                    new_context=lambda: _own_context(pool, timeout_ms))
        names = [n for n in ORDER if n in wanted]
        taker = next((n for n in names if n in READS_HOME), None)

        async def run_one(name: str) -> None:
            started = time.monotonic()
            pctx = ProbeContext(context=ctx, page=page, tool_versions=dict(versions), fresh=name == taker, **base)
            try:
                if name == taker or name in OWN_BROWSER_CONTEXT:
                    result = await asyncio.wait_for(PROBES[name](pctx), BUDGET_S[name])
                else:
                    result = await asyncio.wait_for(_in_own_context(pool, pctx, name), BUDGET_S[name])
                outcomes[name] = {"result": result, "error_kind": None, "tool_versions": pctx.tool_versions}
            except Exception as exc:
                kind = "timeout" if isinstance(exc, (asyncio.TimeoutError, TimeoutError)) else error_kind(exc)
                if kind == "internal":
                    log.exception("probe %s failed on %s", name, t.url)
                outcomes[name] = {"result": {"error": one_line(exc) or f"probe exceeded {BUDGET_S[name]} s"},
                                  "error_kind": kind, "tool_versions": pctx.tool_versions}
            outcomes[name]["result"]["tool_versions"] = outcomes[name]["tool_versions"]
            outcomes[name]["result"]["elapsed_s"] = round(time.monotonic() - started, 2)

        await asyncio.gather(*(run_one(n) for n in names))
        try:
            await asyncio.wait_for(page.close(), UNRESPONSIVE_S)
        except Exception:
            pass          # the context is closed (and its renderers killed) just after
    return outcomes


@asynccontextmanager
async def _own_context(pool: BrowserPool, timeout_ms: int):
    async with pool.extra_context(viewport=VIEWPORT) as own:
        own.set_default_timeout(10000)
        own.set_default_navigation_timeout(timeout_ms)
        yield own


async def _in_own_context(pool: BrowserPool, pctx: ProbeContext, name: str) -> dict:
    async with _own_context(pool, pctx.timeout_ms) as own:
        pctx.context, pctx.page = own, await own.new_page()
        return await PROBES[name](pctx)


def _store(database_url: str, run_id: int, site_id: int, outcomes: dict[str, dict]) -> None:
    from sqlalchemy import delete
    from storage.db import session_scope
    from storage.models import ProbeResult
    with session_scope(database_url) as session:
        session.execute(delete(ProbeResult).where(ProbeResult.run_id == run_id, ProbeResult.site_id == site_id,
                                                  ProbeResult.probe.in_(list(outcomes))))
        for name, o in outcomes.items():
            session.add(ProbeResult(run_id=run_id, site_id=site_id, probe=name, result=o["result"],
                                    tool_versions=o.get("tool_versions") or {}, error_kind=o.get("error_kind")))
        try:
            from crawler.pipelines import mark_gathered
        except ImportError:       # the crawler's pipeline is not there (probe-only installs, old trees)
            return
        for name in outcomes:
            if name in PROBES:
                mark_gathered(session, run_id, site_id, f"probe:{name}")


__all__ = ["gather", "run_sites", "probe_site", "ProbeError", "PROBES"]
