"""Crawl benchmark: our full-audit crawl vs LinkChecker vs `wget --spider -r`
on the same synthetic site (bench/synthetic.py), served on 127.0.0.1.

    python -m bench.crawl [--pages 5000] [--site tiny|realistic|both] [--skip-linkchecker] [--skip-wget]
                          [--memory-sizes 1000,5000]

`--site tiny` is the site of 1.5 KB pages with 12 links; `realistic` has pages shaped
like the real corpus (28 KB median, 50+ links, 16 % external, GBK pages, Chinese
attachment names: see bench/synthetic.py); `both` (the default) runs the two.
Prints pages/s, CPU ms per page, CPU seconds and peak RSS of each tool (each runs as its own
process, measured with wait4: CPU includes the processes it started and waited
for, such as our crawl's storage process), and the ratios; for our crawl also
the peak summed PSS of the crawl and its storage process. Our crawl runs everything an
audit runs: page_facts extraction on every page, link checks and WARC
archiving. LinkChecker runs with a config lifting its default 10 requests/s
cap (maxrequestspersecond), and the synthetic server sends the `LinkChecker`
header that lifts its per-host wait (0.1-0.6 s a request otherwise): without
both it measures its throttle (about 3 pages/s).
`--memory-sizes` repeats our crawl on sites of those sizes: peak RSS should
not grow with the number of pages archived.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synthetic import SyntheticFarm  # noqa: E402


@dataclass
class Result:
    tool: str
    pages: int
    wall: float
    cpu: float
    peak_mb: float
    tree_pss_mb: float | None = None
    storage_cpu: float | None = None       # of `cpu`, the storage process's share (ours only)

    @property
    def rate(self) -> float:
        return self.pages / self.wall if self.wall else 0.0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / self.pages if self.pages else 0.0


def measure(cmd: list[str], env: dict | None = None, cwd: Path | None = None, stdout=None,
            limit: float | None = None, tree=None) -> tuple[float, float, float, int]:
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=stdout or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    if tree is not None:
        tree.roots = [proc.pid]
    if limit is not None:
        timer = threading.Timer(limit, proc.terminate)
        timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    if limit is not None:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    # ru_maxrss is in KiB on Linux; the whole process tree is not included, only this process
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def ours(url: str, pages: int, work: Path, external: str | None = None, profile: Path | None = None) -> Result:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from govaudit import rounds
    from govaudit.registry import parse, upsert
    from storage import models as m
    from storage.db import get_engine

    db_url = f"sqlite:///{work / 'bench.db'}"
    host = url.split("/")[2]
    reg = work / "sites.yaml"
    reg.write_text(f"sites:\n  - name: 某某市人民政府\n    url: {url}\n    kind: portal\n"
                   f"    hints: {{max_pages: {pages + 1000}, max_depth: 1000}}\n", encoding="utf-8")
    with Session(get_engine(db_url)) as session, session.begin():
        upsert(session, parse(reg))
        session.flush()
        site_id = session.scalar(select(m.Site.id))
        run_id = rounds.start_round(session, [site_id], ["identity.icp"]).id
    env = {**os.environ, "GOVAUDIT_DATABASE_URL": db_url, "GOVAUDIT_DATA_DIR": str(work / "data"),
           "GOVAUDIT_ALLOW_HOSTS": ",".join([host, "127.0.0.1:9"] + ([external.split("/")[2]] if external else [])),
           "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings",
           # our own cost, unthrottled (the polite defaults would measure the 5 requests/s limit)
           "GOVAUDIT_MAX_RPS": "0", "GOVAUDIT_HOST_CONCURRENCY": "16"}
    from bench.round import TreeMemory
    with TreeMemory(every=0.2) as tree:
        cmd = [sys.executable, "-m", "crawler.run", "--run", str(run_id), "--sites", str(site_id)]
        if profile:
            cmd = [str(Path(sys.executable).parent / "py-spy"), "record", "--subprocesses", "--rate", "200",
                   "--format", "raw", "--output", str(profile), "--", *cmd]
        wall, cpu, peak, rc = measure(cmd, env=env, cwd=ROOT, tree=tree)
    if rc != 0:
        raise SystemExit(f"our crawl failed with exit code {rc}")
    with Session(get_engine(db_url)) as session:
        crawled = session.scalar(select(func.count()).select_from(m.Page).where(m.Page.role == "page"))
    return Result("govaudit (full audit)", crawled, wall, cpu, peak, tree.peak_kb / 1024, tree.descendants_cpu())


def linkchecker(url: str, work: Path, limit: float) -> Result:
    """LinkChecker on the same site; stopped after `limit` seconds (its rate is then the
    pages it finished in that time)."""
    exe = shutil.which("linkchecker") or str(Path(sys.executable).parent / "linkchecker")
    rc_file = work / "linkcheckerrc"
    rc_file.write_text("[checking]\nmaxrequestspersecond=100000\n[output]\nstatus=0\n", encoding="utf-8")
    log = work / "linkchecker.txt"
    with log.open("w") as out:
        wall, cpu, peak, _ = measure([exe, "-f", str(rc_file), "-v", "--no-warnings", "-r", "1000", "-t", "10",
                                      "-o", "text", url], stdout=out, limit=limit)
    text = log.read_text(encoding="utf-8", errors="replace")
    pages = len({u for u in re.findall(r"Real URL\s+(\S+?(?:\.html|/))\n", text) if u.startswith(url)})
    return Result("LinkChecker" + (" (stopped)" if wall >= limit else ""), pages, wall, cpu, peak)


def wget(url: str, work: Path) -> Result:
    log = work / "wget.txt"
    wall, cpu, peak, _ = measure(["wget", "--spider", "-r", "-l", "inf", "-nv", "-e", "robots=off", "-o", str(log), url],
                                 cwd=work)
    text = log.read_text(encoding="utf-8", errors="replace")
    pages = len(set(re.findall(r"URL: ?(\S+?(?:\.html|/)) \[\d+/\d+\] ->", text)))
    return Result("wget --spider -r", pages, wall, cpu, peak)


def compare(kind: str, pages: int, args, work: Path) -> list[Result]:
    results = []
    with SyntheticFarm(pages, realistic=kind == "realistic") as farm:
        url = farm.urls[0]
        (work / f"ours-{kind}").mkdir()
        results.append(ours(url, pages, work / f"ours-{kind}", farm.external))
        if not args.skip_linkchecker:
            results.append(linkchecker(url, work, args.linkchecker_limit))
        if not args.skip_wget:
            results.append(wget(url, work))
    return results


def print_table(kind: str, pages: int, results: list[Result]) -> None:
    print(f"\n{kind} synthetic site: {pages} pages on 127.0.0.1, {os.cpu_count()} CPUs, "
          f"load average at the end {os.getloadavg()[0]:.2f}")
    print(f"{'tool':<26}{'pages':>7}{'wall s':>8}{'pages/s':>9}{'CPU s':>8}{'CPU ms/page':>13}{'peak MB':>9}")
    for r in results:
        print(f"{r.tool:<26}{r.pages:>7}{r.wall:>8.1f}{r.rate:>9.1f}{r.cpu:>8.1f}{r.cpu_ms:>13.2f}{r.peak_mb:>9.1f}"
              + (f"  (crawl + storage process: peak PSS {r.tree_pss_mb:.1f} MB)" if r.tree_pss_mb else ""))
        if r.storage_cpu is not None and r.pages:
            print(f"{'':<26}CPU ms/page: Scrapy process {1000 * (r.cpu - r.storage_cpu) / r.pages:.2f}, "
                  f"storage process {1000 * r.storage_cpu / r.pages:.2f}")
    base = results[0]
    for r in results[1:]:
        if r.rate and base.cpu_ms:
            print(f"ratio govaudit / {r.tool}: {base.rate / r.rate:.2f}x pages/s, "
                  f"{r.cpu_ms / base.cpu_ms:.2f}x less CPU per page")


def main() -> None:
    ap = argparse.ArgumentParser(prog="bench.crawl")
    ap.add_argument("--pages", type=int, default=5000)
    ap.add_argument("--site", choices=["tiny", "realistic", "both"], default="both")
    ap.add_argument("--skip-linkchecker", action="store_true")
    ap.add_argument("--skip-wget", action="store_true")
    ap.add_argument("--linkchecker-limit", type=float, default=180.0, help="stop LinkChecker after this many seconds")
    ap.add_argument("--memory-sizes", default="", help="comma-separated site sizes for the memory-growth run "
                                                        "(the realistic site unless --site tiny)")
    args = ap.parse_args()
    kinds = ["tiny", "realistic"] if args.site == "both" else [args.site]
    print(f"load average at the start {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="govaudit-bench-") as tmp:
        work = Path(tmp)
        tables = [(kind, compare(kind, args.pages, args, work)) for kind in kinds]
        memory = []
        for size in [int(x) for x in args.memory_sizes.split(",") if x]:
            realistic = args.site != "tiny"
            with SyntheticFarm(size, realistic=realistic) as farm:
                (work / f"m{size}").mkdir()
                memory.append((size, ours(farm.urls[0], size, work / f"m{size}", farm.external)))
    for kind, results in tables:
        print_table(kind, args.pages, results)
    for size, r in memory:
        print(f"memory: {size} pages -> peak {r.peak_mb:.1f} MB, summed PSS {r.tree_pss_mb:.1f} MB "
              f"({r.pages} pages crawled, {r.rate:.1f} pages/s, {r.cpu_ms:.2f} CPU ms/page)")


if __name__ == "__main__":
    main()
