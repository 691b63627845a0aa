"""Where a site's probe wall time goes: wraps the probes' browser helpers and Playwright's
calls with timers and prints, per probe, the exclusive wall time of each kind of call
(goto, load waits, settle, clicks, sleeps, screenshots, axe...). Prints figures, asserts nothing.

    python -m bench.probe_trace [--demo] [--synthetic N] [--latency 0.1 0.3]

Sites are probed one at a time with one context, so the times are a single site's.
The wrappers are installed on the classes and modules for the life of the process
(a benchmark process only).
"""
from __future__ import annotations

import argparse
import asyncio
import contextvars
import functools
import inspect
import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

# (probe name, {task id: stack of [label, child seconds]})
_current: contextvars.ContextVar = contextvars.ContextVar("probe_trace", default=None)
# (probe, label) -> [calls, exclusive seconds, calls that raised]
TOTALS: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0.0, 0])
_real_sleep = asyncio.sleep


def _timed(label: str, fn):
    @functools.wraps(fn)
    async def wrapper(*args, **kwargs):
        state = _current.get()
        if state is None:
            return await fn(*args, **kwargs)
        probe, stacks = state
        # tasks started inside a probe (asyncio.gather) copy its context: one stack per task
        stack = stacks.setdefault(id(asyncio.current_task()), [])
        name = label
        if label.startswith(("asyncio.sleep", "pw ")) and stack:
            name = f"{label} in {stack[-1][0]}"      # whose sleep / browser call it is
        frame = [name, 0.0]
        stack.append(frame)
        t0 = time.monotonic()
        failed = False
        try:
            return await fn(*args, **kwargs)
        except BaseException:
            failed = True
            raise
        finally:
            took = time.monotonic() - t0
            stack.pop()
            if stack:
                stack[-1][1] += took
            row = TOTALS[(probe, name)]
            row[0] += 1
            row[1] += took - frame[1]
            row[2] += failed
    return wrapper


def _probe_wrapper(name: str, fn):
    @functools.wraps(fn)
    async def wrapper(*args, **kwargs):
        token = _current.set((name, {}))
        try:
            return await _timed("(probe code, or waiting on its own parallel tasks)", fn)(*args, **kwargs)
        finally:
            _current.reset(token)
    return wrapper


PLAYWRIGHT = {
    "Page": ("goto", "wait_for_load_state", "wait_for_url", "screenshot", "evaluate", "content", "close"),
    "Frame": ("evaluate", "content"),
    "Locator": ("click", "fill", "press", "count", "evaluate", "is_visible"),
    "Browser": ("new_context",),
    "BrowserContext": ("new_page", "close", "route"),
}
HELPERS = {
    "crawler.probes.session": ("goto", "settle", "act_and_follow", "marked_tree", "body_text", "open_entry",
                               "click_and_follow", "_text_len"),
    "crawler.probes.search": ("_locate", "reveal_box", "_all_links", "_all_text"),
    "crawler.probes.qa": ("_find_chat", "_ask", "_input_keys"),
    "crawler.probes.elder": ("measure", "control_labels", "ads", "_zoom_control"),
    "crawler.probes.privacy": ("_notice",),
    "crawler.probes.a11y": ("axe_page",),
}


def install() -> None:
    import importlib
    import sys

    import playwright.async_api as pw

    from crawler.probes import gather, session
    for cls, methods in PLAYWRIGHT.items():
        klass = getattr(pw, cls)
        for m in methods:
            setattr(klass, m, _timed(f"pw {cls}.{m}", getattr(klass, m)))
    for mod_name, names in HELPERS.items():
        mod = importlib.import_module(mod_name)
        for n in names:
            original = getattr(mod, n)
            wrapped = _timed(f"{mod_name.rsplit('.', 1)[1]}.{n}", original)
            # the helpers are imported by name into the other probe modules: replace them there too
            for other in list(sys.modules.values()):
                if getattr(other, "__name__", "").startswith(("crawler.probes", "bench.")) and \
                        getattr(other, n, None) is original:
                    setattr(other, n, wrapped)
    session.ProbeContext.home = _timed("ProbeContext.home", session.ProbeContext.home)
    session.ProbeContext.screenshot = _timed("ProbeContext.screenshot", session.ProbeContext.screenshot)
    asyncio.sleep = _timed("asyncio.sleep", _real_sleep)
    for name, fn in list(gather.PROBES.items()):
        gather.PROBES[name] = _probe_wrapper(name, fn)
    # the homepage load and render that every site does before its probes
    real_goto, real_settle = gather.goto, gather.settle

    async def home_goto(*a, **k):
        token = _current.set(("(homepage+render)", {}))
        try:
            return await real_goto(*a, **k)
        finally:
            _current.reset(token)

    async def home_settle(*a, **k):
        token = _current.set(("(homepage+render)", {}))
        try:
            return await real_settle(*a, **k)
        finally:
            _current.reset(token)
    gather.goto, gather.settle = home_goto, home_settle
    assert inspect.iscoroutinefunction(gather.PROBES["search"])


def report(sites: int, wall: float, elapsed: dict[str, float]) -> None:
    print("  (exclusive seconds per kind of call; calls made by tasks of one probe running at once add up,\n"
          "   so a probe's sum can exceed its wall time, elapsed_s)")
    probes = sorted({p for p, _ in TOTALS}, key=lambda p: -sum(v[1] for (q, _), v in TOTALS.items() if q == p))
    print(f"\n{sites} site(s), {wall:.1f} s wall, {wall / sites:.2f} s per site (1 context); "
          f"load average {os.getloadavg()[0]:.2f}")
    for p in probes:
        rows = sorted(((label, v) for (q, label), v in TOTALS.items() if q == p), key=lambda r: -r[1][1])
        total = sum(v[1] for _, v in rows)
        extra = f", elapsed_s {elapsed[p] / sites:.2f}" if p in elapsed else ""
        print(f"  {p}: {total / sites:.2f} s per site{extra}")
        for label, (calls, secs, failed) in rows:
            if secs / sites < 0.02:
                continue
            print(f"      {secs / sites:7.2f} s  {calls / sites:6.1f} calls  {label}"
                  + (f"  ({failed / sites:.1f} raised)" if failed else ""))


def synthetic_targets(urls: list[str], pages: int):
    from crawler.probes.session import SiteTarget
    out = []
    for i, base in enumerate(urls):
        rows = [{"url": base, "final_url": base, "title": "第0页 - 某某市人民政府", "depth": 0, "is_homepage": True}]
        rows += [{"url": f"{base}p/{n}.html", "final_url": f"{base}p/{n}.html", "title": f"第{n}页 - 某某市人民政府",
                  "depth": 1 + n % 3, "is_homepage": False, "anchor": f"关于第{n}号事项的通知"} for n in range(1, pages)]
        out.append(SiteTarget(i + 1, base, f"基准站点{i:04d}人民政府", "portal", {}, rows))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", action="store_true", help="the three probe demo sites")
    ap.add_argument("--synthetic", type=int, default=0, help="this many bench.round synthetic sites")
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--latency", type=float, nargs=2, default=(0.1, 0.3))
    ap.add_argument("--contexts", type=int, default=1)
    args = ap.parse_args()
    if not args.demo and not args.synthetic:
        args.demo, args.synthetic = True, 3
    install()
    from bench.synthetic import SyntheticFarm
    from crawler.probes.gather import PROBES, run_sites
    tmp = Path(tempfile.mkdtemp(prefix="probe-trace-"))
    settings = SimpleNamespace(chromium=os.environ.get("GOVAUDIT_CHROMIUM", ""), user_agent="govaudit-bench",
                               timeout=15, data_dir=tmp, allow_private=True)

    def run(targets, title):
        TOTALS.clear()
        elapsed: dict[str, float] = defaultdict(float)
        t0 = time.monotonic()
        for t in targets:        # one site at a time
            out = asyncio.run(run_sites(1, [t], set(PROBES), settings, contexts=args.contexts, store=False))
            for name, o in out[t.id].items():
                elapsed[name] += o["result"].get("elapsed_s") or 0
                if o["error_kind"]:
                    print(f"  site {t.id} {name}: {o['error_kind']} {o['result'].get('error')}")
        print(f"\n== {title}")
        report(len(targets), time.monotonic() - t0, elapsed)

    if args.synthetic:
        with SyntheticFarm(args.pages, args.synthetic, tuple(args.latency)) as farm:
            run(synthetic_targets(farm.urls, args.pages),
                f"synthetic sites ({args.pages} pages, {args.latency[0]}-{args.latency[1]} s per response)")
    if args.demo:
        from bench.probes import SLUGS, targets
        from govaudit.demo.server import DemoFarm, load_sites
        with DemoFarm([s for s in load_sites() if s.slug in SLUGS]) as farm:
            run(targets(farm, len(SLUGS)), "probe demo sites (" + ", ".join(SLUGS) + ")")


if __name__ == "__main__":
    main()
