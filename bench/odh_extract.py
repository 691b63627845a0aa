"""Cost of the open-data and hotline extractors per page (they run on every
crawled page of a D or H site, on the tree the spider already parsed).

    python -m bench.odh_extract [--repeat 20]
prints milliseconds per page over the real-page corpus and the demo sites'
pages: for each spider, the extractors it runs on one page, in sequence on
the same tree (as the spider does, so shared work is cached)."""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from crawler.extract import datasets, messages
from crawler.extract.labelled import parse_tree

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "tests" / "corpus" / "real", ROOT / "govaudit" / "demo" / "sites"]
PER_SPIDER = {
    "open_data": (datasets.opendata_signals, datasets.json_endpoints, datasets.dataset_detail, datasets.catalog_list),
    "hotline": (messages.hotline_signals, messages.message_detail, messages.message_list),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    pages = [p for src in SOURCES if src.is_dir() for p in sorted(src.rglob("*.html"))]
    trees = [(p, parse_tree(p.read_text(encoding="utf-8-sig", errors="replace"))) for p in pages]
    size = sum(p.stat().st_size for p in pages)
    print(f"{len(pages)} pages, {size / len(pages) / 1024:.1f} KB mean")
    for name, fns in PER_SPIDER.items():
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            for path, tree in trees:
                for fn in fns:
                    fn("http://bench.example/" + path.name, tree)
            runs.append((time.perf_counter() - start) / len(trees) * 1000)
        print(f"{name:10s} {statistics.median(runs):7.3f} ms/page (median of {args.repeat}, min {min(runs):.3f})")


if __name__ == "__main__":
    main()
