"""Where the milliseconds of one crawled page go: our full-audit crawl of the
realistic synthetic site (bench/synthetic.py --realistic) under py-spy, its
samples sorted into the stages of a page's life, per process (the Scrapy process
and the storage process beside it).

    python -m bench.profile_crawl [--pages 2000] [--raw FILE]

Each sample is put in the stage of the innermost frame that names one (so a
regular expression run by the PII scan counts as the PII scan, lxml's parser as
parsing). Shares are of the working samples (threads waiting in a pool or in
select are listed apart and left out); ms/page = the stage's share of the crawl's
CPU time divided by the pages crawled. py-spy's sampling slows the crawl a
little: read the split, take the absolute figures from bench.crawl.
"""
from __future__ import annotations

import argparse
import collections
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.crawl import ours  # noqa: E402
from bench.synthetic import SyntheticFarm  # noqa: E402

# (stage, pattern on a frame "function (file:line)"), innermost match wins
STAGES = [
    ("(waiting: idle thread pools, select)", r"Condition\.wait|Queue\.get|EpollSelector\.select|^send_answers \("),
    ("database writes", r"sqlalchemy/|sqlite3|psycopg"),
    ("WARC records (gzip, digests)", r"warcio/|crawler/warc\.py|zlib|hashlib"),
    ("pipe to the storage process", r"multiprocessing/connection|pickle|storeproc\.py\)|StoreProcess\.(send|flush|_write)"),
    ("PII and wording scans", r"extract/pii\.py|content_rules|wording"),
    ("HTML parsing (lxml)", r"\bparse \(crawler/extract/html\.py|lxml/|html5|soupparser|bs4/"),
    ("text extraction", r"\b(txt|squash|node_text|code_muted) \(crawler/extract/html\.py"),
    ("link extraction", r"page_links|\banchors \(|link_label|crawler/extract/links|urllib/parse|w3lib/"),
    ("page facts (lists, identity, features, dates)", r"crawler/extract/"),
    ("spider bookkeeping", r"crawler/spiders/|crawler/(traps|slots|middlewares|netguard)\.py"),
    ("start-up (imports)", r"importlib"),
    ("Scrapy engine and downloader", r"scrapy/|twisted/|asyncio/|selectors\.py"),
]
PATTERNS = [(name, re.compile(p)) for name, p in STAGES]


def stage_of(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, pattern in PATTERNS:
            if pattern.search(frame):
                return name
    return "other"


def split(raw: Path) -> tuple[collections.Counter, int]:
    """Samples per (process, stage) from py-spy's raw (collapsed) output."""
    counts: collections.Counter = collections.Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        frames = stack.split(";")
        # py-spy names each process in the stack: the storage process is the crawl's child (a second name)
        where = "storage" if sum(f.startswith("process ") for f in frames) > 1 else "crawl"
        counts[(where, stage_of(frames))] += int(n)
        total += int(n)
    return counts, total


def main() -> None:
    ap = argparse.ArgumentParser(prog="bench.profile_crawl")
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--raw", type=Path, help="keep py-spy's raw samples here (default: a temporary file)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="govaudit-profile-") as tmp:
        raw = args.raw or Path(tmp) / "samples.txt"
        with SyntheticFarm(args.pages, realistic=True) as farm:
            result = ours(farm.urls[0], args.pages, Path(tmp), farm.external, profile=raw)
        counts, total = split(raw)
    idle_name = STAGES[0][0]
    idle = counts[("crawl", idle_name)] + counts[("storage", idle_name)]
    working = total - idle
    print(f"realistic site, {result.pages} pages, {result.cpu:.1f} CPU s ({result.cpu_ms:.2f} ms/page), "
          f"{working} working samples ({idle} waiting, left out)")
    print(f"{'stage':<46}{'crawl %':>9}{'storage %':>11}{'ms/page':>9}")
    for name in [n for n, _ in STAGES[1:]] + ["other"]:
        crawl, storage = counts[("crawl", name)], counts[("storage", name)]
        if crawl + storage:
            print(f"{name:<46}{100 * crawl / working:>9.1f}{100 * storage / working:>11.1f}"
                  f"{result.cpu_ms * (crawl + storage) / working:>9.2f}")


if __name__ == "__main__":
    main()
