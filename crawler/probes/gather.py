"""The probes gatherer: for each site, one fresh browser context runs the requested
probes in turn over one reusable page, and each probe stores one `probe_results`
row (plus the "render" row: the rendered homepage HTML and the identity marks read from it,
which identity.* checks use when the static homepage lacks a mark)."""
from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
import time
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from crawler.extract import rendered_identity
from crawler.probes import a11y, elder, mobile, privacy, qa, search, shells
from crawler.probes.pool import BrowserPool, BrowserUnavailable
from crawler.probes.session import (UNRESPONSIVE_S, ProbeContext, ProbeError, SiteTarget, answer, error_kind, goto,
                                    one_line, settle)

log = logging.getLogger(__name__)

PROBES = {"search": search.run, "qa": qa.run, "elder": elder.run, "privacy": privacy.run,
          "a11y": a11y.run, "mobile": mobile.run,
          "shells": shells.run}
# The probes of a site run at once, each in a browser context of its own (cookies such as the
# elder mode's, pop-ups and pages are not shared), except: the first of READS_HOME takes the
# page of the site's first homepage load (it only reads it), and the mobile probe opens its
# phone context itself.
ORDER = ("a11y", "mobile", "search", "qa", "privacy", "elder", "shells")
READS_HOME = ("a11y",)
OWN_BROWSER_CONTEXT = ("mobile",)
VIEWPORT = {"width": 1366, "height": 900}
BUDGET_S = {"search": 150, "qa": 90, "elder": 60, "privacy": 45, "a11y": 90, "mobile": 45,
            "shells": shells.PROBE_BUDGET_S + 20}
RENDER_CAP = 2_000_000
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
    with run_log(Path(settings.data_dir) / "runs" / str(run_id) / "probes.log"):
        _run_coroutine(run_sites(run_id, targets, wanted, settings, contexts, recycle_after, store=True))


LOGGERS = ("crawler.probes", "asyncio", "playwright")


@contextmanager
def run_log(path: Path):
    """While the probes run, their log — a probe's traceback with its site, the browser driver's
    errors, asyncio's "exception was never retrieved" — goes to the run's probes.log, not the console."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.propagate, logger.level))
        logger.addHandler(handler)
        logger.propagate = False
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
    try:
        yield path
    finally:
        gc.collect()      # futures the browser left unretrieved report now, into this log
        for logger, propagate, level in saved:
            logger.removeHandler(handler)
            logger.propagate, logger.level = propagate, level
        handler.close()


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
    from storage.models import Column, Link, Page, Site
    targets = []
    for sid in site_ids:
        site = session.get(Site, sid)
        if site is None:
            continue
        crawl_run = run_id
        if not session.scalar(select(func.count()).select_from(Page).where(Page.run_id == run_id, Page.site_id == sid)):
            crawl_run = session.scalar(select(func.max(Page.run_id)).where(Page.site_id == sid)) or run_id
        rows = session.execute(select(Page.url, Page.final_url, Page.title, Page.depth, Page.is_homepage, Page.status,
                                      Page.error_kind, Page.facts)
                               .where(Page.run_id == crawl_run, Page.site_id == sid, Page.role == "page")).all()
        # the columns whose list a script builds: the pages the shells probe renders
        shells = {url for url, details in session.execute(select(Column.url, Column.details).where(
            Column.run_id == crawl_run, Column.site_id == sid)) if (details or {}).get("shell")}
        anchors: dict[str, str] = {}
        for target, text in session.execute(select(Link.target_url, Link.text).where(
                Link.run_id == crawl_run, Link.site_id == sid, Link.tag == "a", Link.external.is_(False))):
            text = (text or "").strip()
            if len(text) > len(anchors.get(target, "")):
                anchors[target] = text
        pages = [{"url": r.url, "final_url": r.final_url or r.url, "title": r.title or "", "depth": r.depth or 0,
                  "is_homepage": bool(r.is_homepage), "anchor": anchors.get(r.url) or anchors.get(r.final_url or "", ""),
                  "shell": (r.final_url or r.url) in shells}
                 for r in rows if (r.status is None or r.status < 400) and not _over_cap(r)]
        home_over_cap = next((r.url for r in rows if r.is_homepage and _over_cap(r)), None)
        targets.append(SiteTarget(site.id, site.url, site.name, site.kind, dict(site.hints or {}), pages,
                                  home_over_cap=home_over_cap))
    return targets


def _over_cap(page_row) -> bool:
    """The crawl found this page over its size cap (cut off, or not downloaded at all)."""
    return page_row.error_kind == "too_large" or bool((page_row.facts or {}).get("truncated"))


def _failed(names, kind: str, message: str, versions: dict) -> dict[str, dict]:
    return {name: {"result": {"error": message}, "error_kind": kind, "tool_versions": versions} for name in names}


async def run_sites(run_id: int, targets: list[SiteTarget], wanted: set[str], settings,
                    contexts: int = DEFAULT_CONTEXTS, recycle_after: int = 50, store: bool = True) -> dict[int, dict]:
    """Probe every target with at most `contexts` sites at once; returns {site_id: {probe: outcome}}."""
    out: dict[int, dict] = {}
    try:
        pool = BrowserPool(settings.chromium, contexts=contexts, recycle_after=recycle_after,
                           user_agent=browser_user_agent(settings.user_agent),
                           allow_private=bool(getattr(settings, "allow_private", True)),
                           allow_hosts=list(getattr(settings, "allow_hosts", []) or []),
                           timeout_s=float(settings.timeout))
        await pool.__aenter__()
    except BrowserUnavailable as exc:
        for t in targets:
            out[t.id] = _failed(wanted, "internal", str(exc), {})
            if store:
                _store(settings.database_url, run_id, t.id, out[t.id])
        return out
    try:
        async def one(t: SiteTarget):
            # One site's failure, whatever it is, ends that site's probes only: never the batch.
            versions = {"browser": pool.version}
            try:
                outcomes = await asyncio.wait_for(probe_site(pool, run_id, t, wanted, settings), SITE_BUDGET_S)
            except (asyncio.TimeoutError, TimeoutError):
                outcomes = _failed(wanted, "timeout", f"site probes exceeded {SITE_BUDGET_S} s", versions)
            except Exception as exc:
                log.exception("probes of site %s (%s) failed", t.id, t.url)
                outcomes = _failed(wanted, error_kind(exc), one_line(exc), versions)
            out[t.id] = outcomes
            if store:
                try:
                    await asyncio.to_thread(_store, settings.database_url, run_id, t.id, outcomes)
                except Exception:
                    log.exception("storing the probe results of site %s (%s) failed", t.id, t.url)
        await asyncio.gather(*(one(t) for t in targets))
    finally:
        await pool.__aexit__(None, None, None)
    return out


def browser_user_agent(ua: str) -> str:
    """Sites serve browsers by User-Agent sniffing: look like Chrome, still say who we are."""
    return f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 {ua}"


async def probe_site(pool: BrowserPool, run_id: int, t: SiteTarget, wanted: set[str], settings) -> dict[str, dict]:
    data_dir = Path(settings.data_dir)
    ref = f"runs/{run_id}/{t.id}"
    timeout_ms = int(float(settings.timeout) * 1000)
    outcomes: dict[str, dict] = {}
    versions = {"browser": pool.version}
    if t.home_over_cap:       # the crawl found it over the size cap: the browser would only do it again
        return _failed(wanted | {"render"}, "too_large",
                       f"the crawl found the homepage {t.home_over_cap} over the size cap; not loaded in the browser",
                       versions)
    async with pool.context(viewport=VIEWPORT) as ctx:
        ctx.set_default_timeout(10000)
        ctx.set_default_navigation_timeout(timeout_ms)
        page = await ctx.new_page()
        home_url = t.hints.get("homepage_url") or t.url
        meter = pool.meter(ctx)
        try:
            response, load_reached = await goto(page, home_url, timeout_ms, load_wait_ms=timeout_ms)
            await settle(page)
        except Exception as exc:
            kind, message = error_kind(exc), one_line(exc)
            if meter is not None and meter.capped_url(home_url):
                kind, message = "too_large", f"the homepage is over the browser's download cap ({message})"
            elif meter is not None and meter.refused_reason(home_url):
                message = f"refused by the network guard: {meter.refused_reason(home_url)} ({message})"
            return _failed(wanted | {"render"}, kind, message, versions)
        status = response.status if response else None
        try:
            load_s = await answer(page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0]; return n && n.loadEventEnd > 0 ? n.loadEventEnd / 1000 : null }"))
            html = await answer(page.content())
        except Exception as exc:    # a script that never yields, or a page that keeps navigating itself away
            return _failed(wanted | {"render"}, error_kind(exc), one_line(exc), versions)
        kept = html[:RENDER_CAP]
        # parsed off the event loop: a large page must not stall the other sites' probes
        identity = await asyncio.to_thread(rendered_identity, kept)
        outcomes["render"] = {"result": {"url": page.url, "status": status, "html": kept,
                                         "truncated": len(html) > RENDER_CAP, "identity": identity},
                              "error_kind": None, "tool_versions": versions}
        # a page that navigated itself into an error page is still probed at the site's address
        base = dict(site=t, home_url=page.url if page.url.startswith(("http:", "https:")) else home_url, shot_dir=data_dir / ref, shot_ref=ref, timeout_ms=timeout_ms,
                    status=status, load_timeout_s=None if load_reached else timeout_ms / 1000,
                    load_s=round(load_s, 3) if load_s is not None and load_reached else None)
        names = [n for n in ORDER if n in wanted]
        taker = next((n for n in names if n in READS_HOME), None)

        async def run_one(name: str) -> None:
            started = time.monotonic()
            pctx = ProbeContext(context=ctx, page=page, tool_versions=dict(versions), fresh=name == taker, **base)
            pctx.meters = [meter] if name == taker else []
            pctx.new_context = lambda **options: _own_context(pool, timeout_ms, pctx.meters, **options)
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
            for m in pctx.meters:        # what the guard proxy refused or cut off, said in the finding
                for key, value in m.summary().items():
                    outcomes[name]["result"].setdefault(key, value)

        await asyncio.gather(*(run_one(n) for n in names))
        try:
            await asyncio.wait_for(page.close(), UNRESPONSIVE_S)
        except Exception:
            pass          # the context is closed (and its renderers killed) just after
    return outcomes


@asynccontextmanager
async def _own_context(pool: BrowserPool, timeout_ms: int, meters: list | None = None, **options):
    """One more context of the site's (a probe's own, the mobile phone's, a second searcher's);
    its proxy meter joins `meters` so the probe's result says what was refused or cut off."""
    async with pool.extra_context(**({"viewport": VIEWPORT} | options)) as own:
        own.set_default_timeout(10000)
        own.set_default_navigation_timeout(timeout_ms)
        if meters is not None and pool.meter(own) is not None:
            meters.append(pool.meter(own))
        yield own


async def _in_own_context(pool: BrowserPool, pctx: ProbeContext, name: str) -> dict:
    async with _own_context(pool, pctx.timeout_ms, pctx.meters) as own:
        pctx.context, pctx.page = own, await own.new_page()
        return await PROBES[name](pctx)


def _store(database_url: str, run_id: int, site_id: int, outcomes: dict[str, dict]) -> None:
    from storage.db import session_scope
    from storage.runs import store_probe_result
    with session_scope(database_url) as session:
        for name, o in outcomes.items():
            # the "render" row (the rendered homepage) completes no need of its own
            store_probe_result(session, run_id, site_id, name, o["result"], o.get("tool_versions"), o.get("error_kind"),
                               gathered=f"probe:{name}" if name in PROBES else None)


__all__ = ["gather", "run_sites", "probe_site", "ProbeError", "PROBES"]
