"""Browser-probe benchmark: prints figures, asserts nothing.

    python -m bench.probes [--sites 6] [--contexts 2[,4,...]] [--visits 200] [--recycle 50]

1. Seconds per site for the full probe set (search, qa, elder, privacy, a11y, mobile)
   over the probe demo sites, with one context and with N contexts at once.
2. Peak memory (PSS of this process and every browser process under it) over
   `--visits` fresh-context site visits (homepage load, render, mobile), with the
   browser recycled every `--recycle` sites; the peak per window of 50 visits shows
   whether memory stays flat.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from crawler.probes.gather import PROBES, run_sites
from crawler.probes.session import SiteTarget
from govaudit.demo.server import SITES_DIR, DemoFarm, load_sites

SLUGS = ("portal-probe", "portal-probe-bad", "portal-probe-alt")


def targets(farm: DemoFarm, count: int) -> list[SiteTarget]:
    sites = [s for s in farm.sites if s.slug in SLUGS]
    out = []
    for i in range(count):
        site = sites[i % len(sites)]
        pages = []
        for path in sorted((SITES_DIR / site.slug / "news").glob("n*.html")):
            title = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8")).group(1)
            pages.append({"url": f"{site.base}/news/{path.name}", "final_url": f"{site.base}/news/{path.name}",
                          "title": title, "depth": 2, "is_homepage": False})
        out.append(SiteTarget(i + 1, site.url, site.name, site.kind, dict(site.hints), pages))
    return out


def cpu_s() -> float:
    """CPU seconds of this process and its exited children (each run ends the browser and the driver)."""
    import resource
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def breakdown(out: dict[int, dict]) -> str:
    """Mean wall seconds per site of each probe (its `elapsed_s`; the probes of a site run at once,
    so a site takes about its slowest probe)."""
    per: dict[str, list[float]] = {}
    for outcomes in out.values():
        for name, o in outcomes.items():
            if "elapsed_s" in o["result"]:
                per.setdefault(name, []).append(o["result"]["elapsed_s"])
    rows = sorted(per.items(), key=lambda kv: -sum(kv[1]) / len(kv[1]))
    return "per probe, mean (max) s per site: " + ", ".join(
        f"{name} {sum(v) / len(v):.2f} ({max(v):.2f})" for name, v in rows)


def pss_kb(root_pid: int) -> int:
    """PSS (kB) of a process and all its descendants (RSS where smaps_rollup is unreadable)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
        except (OSError, StopIteration):
            try:
                with open(f"/proc/{pid}/status") as fh:
                    total += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
            except (OSError, StopIteration):
                pass
    return total


class Sampler:
    def __init__(self, interval: float = 0.25):
        self.interval, self.samples, self._stop = interval, [], threading.Event()

    def __enter__(self):
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), pss_kb(os.getpid())))
            self._stop.wait(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=6, help="sites for the full-probe timing (default 6)")
    ap.add_argument("--contexts", type=lambda v: [int(x) for x in v.split(",")], default=[2],
                    help="contexts for the parallel runs, comma-separated (default 2)")
    ap.add_argument("--visits", type=int, default=200, help="site visits for the memory run (default 200; 0: none)")
    ap.add_argument("--recycle", type=int, default=50, help="relaunch the browser after this many sites (default 50)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-probes-"))
    settings = SimpleNamespace(chromium=os.environ.get("GOVAUDIT_CHROMIUM", ""), user_agent="govaudit-bench",
                               timeout=15, data_dir=tmp, allow_private=True)
    with DemoFarm([s for s in load_sites() if s.slug in SLUGS]) as farm:
        print(f"full probe set ({', '.join(sorted(PROBES))}) on {args.sites} sites:")
        for n in sorted({1, *args.contexts}):
            t0, cpu0 = time.monotonic(), cpu_s()
            with Sampler() as sampler:
                out = asyncio.run(run_sites(1, targets(farm, args.sites), set(PROBES), settings, contexts=n,
                                            store=False))
            wall, cpu = time.monotonic() - t0, cpu_s() - cpu0
            errors = sum(1 for o in out.values() for r in o.values() if r["error_kind"])
            print(f"  {n} context(s): {wall:.1f} s wall, {wall / args.sites:.2f} s per site ({wall * n / args.sites:.2f} "
                  f"per site per context, {args.sites / wall * 3600:.0f} sites/h), {errors} probe errors; CPU "
                  f"{cpu / args.sites:.2f} s per site; peak PSS {max(kb for _, kb in sampler.samples) / 1024:.0f} MB; "
                  f"load average {os.getloadavg()[0]:.1f}")
            print("    " + breakdown(out))
        if not args.visits:
            return
        print(f"memory over {args.visits} site visits (fresh context each; homepage, render, mobile), "
              f"{max(args.contexts)} contexts, recycle every {args.recycle}:")
        t0 = time.monotonic()
        with Sampler() as sampler:
            asyncio.run(run_sites(1, targets(farm, args.visits), {"mobile"}, settings, contexts=max(args.contexts),
                                  recycle_after=args.recycle, store=False))
        wall = time.monotonic() - t0
        peak = max(kb for _, kb in sampler.samples)
        print(f"  {wall:.1f} s, {args.visits / wall:.1f} visits/s, peak PSS {peak / 1024:.0f} MB "
              f"(this process + browser)")
        start = sampler.samples[0][0]
        per = max(1, len(sampler.samples) // 4)
        quarters = [sampler.samples[i:i + per] for i in range(0, len(sampler.samples), per)][:4]
        print("  peak per quarter of the run: " + ", ".join(
            f"{max(kb for _, kb in q) / 1024:.0f} MB (t={q[-1][0] - start:.0f}s)" for q in quarters if q))


if __name__ == "__main__":
    main()
