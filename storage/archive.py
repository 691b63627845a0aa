"""Reading the WARC archive back (the crawl writes it: crawler/warc.py): the stored response
of a page row, for evidence a person reopens (reports' archived copies, tests)."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def read_record(data_dir: str | Path, rel: str, offset: int) -> dict[str, Any]:
    """The archived response at `offset`: URL, status, headers and body."""
    from warcio.archiveiterator import ArchiveIterator
    with (Path(data_dir) / rel).open("rb") as fh:
        fh.seek(offset)
        for record in ArchiveIterator(fh):
            return {"url": record.rec_headers.get_header("WARC-Target-URI"),
                    "date": record.rec_headers.get_header("WARC-Date"),
                    "status": int(record.http_headers.get_statuscode()),
                    "headers": dict(record.http_headers.headers),
                    "body": record.content_stream().read()}
    raise ValueError(f"no WARC record at {rel}:{offset}")
