"""Availability samples of site homepages (`govaudit monitor`).

A sample fails when no complete response arrives within the timeout (15 s
by default, the whole download included) or the status is >= 400.
"""
from __future__ import annotations

import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urljoin

from crawler.net import _error_kind, _request

MAX_REDIRECTS = 10


@dataclass
class Sample:
    site_id: int
    taken_at: datetime
    ok: bool
    status: int | None
    elapsed_ms: int | None
    error_kind: str | None


def take_sample(site_id: int, url: str, timeout: float = 15.0) -> Sample:
    started = time.monotonic()
    taken = datetime.now(timezone.utc)
    current = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            left = timeout - (time.monotonic() - started)
            if left <= 0:
                raise socket.timeout("sample deadline passed")
            r = _request(current, timeout=left, read_all=True)
            loc = r["headers"].get("location")
            if r["status"] in (301, 302, 303, 307, 308) and loc:
                current = urljoin(current, loc)
                continue
            elapsed = time.monotonic() - started
            if elapsed > timeout:
                return Sample(site_id, taken, False, r["status"], int(elapsed * 1000), "timeout")
            return Sample(site_id, taken, r["status"] < 400, r["status"], int(elapsed * 1000),
                          None if r["status"] < 400 else f"http_{r['status']}")
        return Sample(site_id, taken, False, None, int(1000 * (time.monotonic() - started)), "too_many_redirects")
    except (OSError, ssl.SSLError, ValueError) as exc:
        return Sample(site_id, taken, False, None, int(1000 * (time.monotonic() - started)), _error_kind(exc))
    except Exception:  # noqa: BLE001 - http.client raises its own kinds for broken answers
        return Sample(site_id, taken, False, None, int(1000 * (time.monotonic() - started)), "connection")


def sample_round(sites: list[tuple[int, str]], timeout: float = 15.0, workers: int = 16) -> list[Sample]:
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(sites)))) as pool:
        return list(pool.map(lambda s: take_sample(s[0], s[1], timeout), sites))


def store(database_url: str, samples: list[Sample]) -> None:
    from sqlalchemy.orm import Session

    from storage import models as m
    from storage.db import get_engine
    with Session(get_engine(database_url)) as session, session.begin():
        for s in samples:
            session.add(m.Sample(site_id=s.site_id, taken_at=s.taken_at, ok=s.ok, status=s.status,
                                 elapsed_ms=s.elapsed_ms, error_kind=s.error_kind))


def run_rounds(database_url: str, sites: list[tuple[int, str]], rounds: int, interval: float,
               timeout: float = 15.0, on_round=None) -> int:
    """Sample every site each `interval` seconds and store the samples, `rounds` times (0: until
    interrupted); `on_round(number, samples)` is told after each round. Returns the rounds done."""
    done = 0
    while True:
        started = time.monotonic()
        samples = sample_round(sites, timeout)
        store(database_url, samples)
        done += 1
        if on_round:
            on_round(done, samples)
        if rounds and done >= rounds:
            return done
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
