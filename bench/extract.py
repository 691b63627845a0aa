"""CPU cost of the full-audit fact extraction (crawler.extract.page_facts) per page, and its
oracle: every output of a fixed page set, compared byte for byte across changes.

    python -m bench.extract [--synthetic 300] [--repeat 3] [--profile] [--save FILE | --compare FILE]

Pages, in three groups reported apart:
- corpus: the real pages (tests/corpus/real), the generality farm's and the demo farm's pages
  (their files rendered as the farms serve them, with a fixed today and fixed ports);
- hostile: the hostile farm's pages whose answer is fixed (a nested page, binary garbage, lying
  charsets, odd link schemes), captured from its handlers in-process;
- synthetic: realistic pages of bench/synthetic.py (`realistic_page`, dated from a fixed today).
Each page is decoded as the crawl decodes it (w3lib's html_to_unicode: the header's charset,
else the one the page declares) and run with is_homepage False; a subset (every farm's entry
page, every fifth page otherwise) is run again with is_homepage True.

Timing is CPU time (time.process_time: the machine is shared), per page the minimum of
`--repeat` runs; `--profile` adds a cProfile top 25 by own time over one pass.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from w3lib.encoding import html_to_unicode

from crawler.decode import normalise
from crawler.extract import page_facts

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 22)
RENDER_DAY = datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)
HOME_EVERY = 5


@dataclass
class Page:
    group: str
    name: str
    url: str
    text: str
    encoding: str | None
    home: bool

    @property
    def key(self) -> str:
        return f"{self.group}/{self.name}/{'home' if self.home else 'page'}"


def _decoded(body: bytes, content_type: str = "text/html") -> tuple[str, str | None]:
    encoding, text = html_to_unicode(content_type, body)
    return text, normalise(encoding)


def _corpus() -> list[tuple[str, str, bytes, str, bool]]:
    """(name, url, body, content type, is an entry page) of the real pages and both farms' files."""
    from govaudit.demo.server import DemoFarm, DemoSite, load_sites, render
    from tests.generality.farm import ODH_SITES, SITES, SITES_DIR

    out = []
    for path in sorted((ROOT / "tests" / "corpus" / "real").glob("*.html")):
        out.append((f"real/{path.name}", f"https://www.example.gov.cn/corpus/{path.name}", path.read_bytes(),
                    "text/html", path.name.startswith("portal_home")))
    farms = [(ROOT / "govaudit" / "demo" / "sites", load_sites()), (SITES_DIR, [*SITES, *ODH_SITES])]
    port = 18000
    for root, sites in farms:
        sites = [DemoSite(**{**s.__dict__, "hints": dict(s.hints)}) for s in sites]
        farm = DemoFarm(sites, root=root)
        farm.dead_base = "http://127.0.0.1:9"
        for site in sites:
            site.port, port = port, port + 1
        for site in sites:
            base = root / site.slug
            ctype = f"text/html; charset={site.header_charset or site.encoding}" if site.charset_header else "text/html"
            for path in sorted(base.rglob("*.htm*")):
                rel = path.relative_to(base).as_posix()
                url = site.base + "/" + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)
                body = render(path.read_text(encoding="utf-8"), site, farm, RENDER_DAY).encode(site.encoding)
                out.append((f"{root.parent.name}/{site.slug}/{rel}", url, body, ctype, rel == "index.html"))
    return out


class _Conn:
    """A socket stand-in that keeps what a hostile handler sends."""

    def __init__(self):
        self.data = b""

    def sendall(self, data: bytes) -> None:
        self.data += data


def _hostile() -> list[tuple[str, str, bytes, str, bool]]:
    from tests.hostile import farm as hostile

    fixed = ["control", "repeated-path", "query-perms", "waf-wall", "gbk-as-utf8", "utf8-as-gbk", "nested",
             "garbage", "bad-length", "schemes", "private-links", "popups", "js-loop"]
    site = hostile.HostileFarm(only=fixed)
    site.canary_port = 9
    out = []
    for case in site.sites:
        conn = _Conn()
        case.handler(case, conn, hostile.Req("GET", "/", {}))
        head, _, body = conn.data.partition(b"\r\n\r\n")
        ctype = next((line.split(":", 1)[1].strip() for line in head.decode("latin-1").split("\r\n")
                      if line.lower().startswith("content-type:")), "text/html")
        out.append((case.slug, f"http://127.0.0.1:{20000 + len(out)}/", body, ctype, True))
    return out


def _synthetic(count: int) -> list[tuple[str, str, bytes, str, bool]]:
    from bench import synthetic

    class _Day(date):
        @classmethod
        def today(cls):
            return TODAY

    synthetic.date = _Day           # the pages print dates counted back from today: fix it
    out = []
    for n in range(count):
        body, charset = synthetic.realistic_page(n, 5000, 0, "http://127.0.0.1:8801/")
        ctype = "text/html" if charset == "gbk" else "text/html; charset=utf-8"
        out.append((str(n), "http://127.0.0.1:8800/" if n == 0 else f"http://127.0.0.1:8800/p/{n}.html",
                    body, ctype, n == 0))
    return out


def collect(synthetic: int) -> list[Page]:
    pages = []
    for group, raw in (("corpus", _corpus()), ("hostile", _hostile()), ("synthetic", _synthetic(synthetic))):
        for i, (name, url, body, ctype, entry) in enumerate(raw):
            text, encoding = _decoded(body, ctype)
            pages.append(Page(group, name, url, text, encoding, False))
            if entry or i % HOME_EVERY == 0:
                pages.append(Page(group, name, url, text, encoding, True))
    return pages


SUBSETS = {
    "corpus/real": lambda p: p.name.startswith("real/"),
    "corpus/farms": lambda p: p.group == "corpus" and not p.name.startswith("real/"),
    "hostile": lambda p: p.group == "hostile",
    "synthetic": lambda p: p.group == "synthetic",
    "all": lambda p: True,
}


def run(page: Page) -> dict:
    return page_facts(page.url, page.text, is_homepage=page.home, encoding=page.encoding, today=TODAY)


def canonical(pages: list[Page]) -> dict[str, str]:
    return {p.key: json.dumps(run(p), sort_keys=True, ensure_ascii=False, default=str) for p in pages}


def timings(pages: list[Page], repeat: int) -> list[float]:
    best = [float("inf")] * len(pages)
    for _ in range(repeat):
        for i, page in enumerate(pages):
            start = time.process_time()
            run(page)
            best[i] = min(best[i], time.process_time() - start)
    return best


def compare(outputs: dict[str, str], golden_file: Path) -> int:
    golden = json.loads(golden_file.read_text(encoding="utf-8"))
    missing = sorted(set(golden) ^ set(outputs))
    if missing:
        print(f"DIFFERENT page sets: {missing[:5]} …", file=sys.stderr)
        return 1
    for key in golden:
        if golden[key] != outputs[key]:
            old, new = json.loads(golden[key]), json.loads(outputs[key])
            where = next((k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)), "(order or encoding)")
            shown = [json.dumps(side.get(where), ensure_ascii=False)[:600] for side in (old, new)]
            print(f"DIFFERENT: page {key}, key {where!r}\n  golden: {shown[0]}\n  now:    {shown[1]}", file=sys.stderr)
            return 1
    print(f"identical: {len(outputs)} outputs")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--synthetic", type=int, default=300, help="realistic synthetic pages")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="cProfile top 25 by own time over one pass")
    ap.add_argument("--save", type=Path, help="write every output (canonical JSON) to this file")
    ap.add_argument("--compare", type=Path, help="fail on any difference from a file --save wrote")
    args = ap.parse_args()
    pages = collect(args.synthetic)
    status = 0
    if args.save or args.compare:
        outputs = canonical(pages)
        if args.save:
            args.save.write_text(json.dumps(outputs, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
            print(f"saved {len(outputs)} outputs to {args.save}")
        if args.compare:
            status = compare(outputs, args.compare)
    if args.repeat:
        best = timings(pages, args.repeat)
        for label, chosen in SUBSETS.items():
            times = [t for p, t in zip(pages, best) if chosen(p)]
            sizes = [len(p.text) for p in pages if chosen(p)]
            median = sorted(times)[len(times) // 2]
            print(f"{label:12s} {len(times):4d} runs  {sum(times) / len(times) * 1000:7.3f} ms/page CPU"
                  f"  (median {median * 1000:.3f} ms; {sum(sizes) / len(sizes) / 1000:.1f} K chars mean)")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for page in pages:
            run(page)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return status


if __name__ == "__main__":
    sys.exit(main())
