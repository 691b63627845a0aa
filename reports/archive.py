"""Archived copies: for the pages named in a site's problem evidence, the response the scanner
archived (WARC offsets are on the `pages` rows) written next to the report as archive/p<id>.html:
URL, time, HTTP status and headers, and the body as escaped source text, so a reader sees what
the scanner saw without the page's own scripts or styles ever running. Bounded: MAX_PER_SITE
copies per site, each body cut at MAX_BODY bytes."""
from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.archive import read_record
from storage.models import Page

MAX_PER_SITE = 3
MAX_BODY = 100_000
_CHARSET = re.compile(rb"""charset=["']?([A-Za-z0-9_-]+)""", re.I)


def decode(body: bytes, content_type: str) -> str:
    """The declared charset (header, else <meta>), else UTF-8, else GB18030 — never an exception."""
    for source in (content_type.encode("latin-1", "replace"), body[:4096]):
        m = _CHARSET.search(source)
        if m:
            try:
                return body.decode(m.group(1).decode("ascii"), errors="replace")
            except LookupError:
                break
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", errors="replace")


CSS = Markup("body{font-family:sans-serif;margin:1em}pre{white-space:pre-wrap;word-break:break-all;font-size:.85em}")


def write_copies(session: Session, env: Environment, base: dict, out: Path, run_id: int, site_id: int,
                 urls: list[str], data_dir: Path, tz_time) -> dict[str, str]:
    """Write the archived copies of `urls` (first MAX_PER_SITE that were archived); returns
    {url: relative link}. `base` is the report's page context with CSS (and its CSP) for CSS."""
    wanted = list(dict.fromkeys(u for u in urls if u))[:200]
    if not wanted:
        return {}
    rows = session.scalars(select(Page).where(Page.run_id == run_id, Page.site_id == site_id,
                                              Page.url.in_(wanted), Page.warc_file.is_not(None))).all()
    by_url = {p.url: p for p in rows}
    links: dict[str, str] = {}
    template = env.get_template("archive.html.jinja")
    for url in wanted:
        page = by_url.get(url)
        if page is None:
            continue
        try:
            record = read_record(data_dir, page.warc_file, page.warc_offset)
        except (OSError, ValueError):
            continue
        body = record["body"]
        headers = {k.lower(): v for k, v in record["headers"].items()}
        text = decode(body[:MAX_BODY], headers.get("content-type", ""))
        name = f"archive/p{page.id}.html"
        (out / "archive").mkdir(exist_ok=True)
        (out / name).write_text(template.render(**base, home="../index.html", url=url, status=record["status"],
                                                fetched=tz_time(page.fetched_at), headers=record["headers"],
                                                text=text, cut=len(body) > MAX_BODY, size=len(body), max_body=MAX_BODY),
                                encoding="utf-8")
        links[url] = name
        if len(links) >= MAX_PER_SITE:
            break
    return links
