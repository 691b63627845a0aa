"""Alerts (page 9): webhooks posted a JSON body when a homepage goes down in monitoring, a round
raises a new candidate veto, or a round finishes.

Formats: `plain` (the event as JSON), `dingtalk` (a DingTalk group robot's markdown message) and
`wecom` (a WeCom group robot's markdown message). Every delivery is a row (payload, status,
attempts, last error); a failed post is retried with exponential backoff up to MAX_ATTEMPTS.
Posting happens in a background thread and every error is caught and logged: an alert never
blocks or fails a round or the monitor."""
from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import UserError
from storage import models as m
from storage.db import get_engine

log = logging.getLogger(__name__)

EVENTS = {"homepage_down": "首页无法访问（监测）", "veto_candidate": "新的疑似否决项", "round_finished": "检查轮次完成"}
FORMATS = {"plain": "JSON", "dingtalk": "钉钉机器人", "wecom": "企业微信机器人"}
MAX_ATTEMPTS = 4
BACKOFF = 2.0           # seconds before the 2nd attempt; doubled each time after
TIMEOUT = 10.0          # seconds for one post


# -- configuration -------------------------------------------------------
def _validate(url: str, format: str, events: list[str]) -> None:
    if not url.startswith(("http://", "https://")):
        raise UserError(f"webhook URL must start with http:// or https://, not {url!r}")
    if format not in FORMATS:
        raise UserError(f"format must be plain, dingtalk or wecom, not {format!r}")
    unknown = [e for e in events if e not in EVENTS]
    if unknown or not events:
        raise UserError(f"events must be some of {', '.join(EVENTS)}" + (f" (not {unknown[0]!r})" if unknown else ""))


def add_webhook(session: Session, name: str, url: str, format: str, events: list[str]) -> m.Webhook:
    url = url.strip()
    _validate(url, format, events)
    if not name.strip():
        raise UserError("give the webhook a name")
    hook = m.Webhook(name=name.strip(), url=url, format=format, events=list(dict.fromkeys(events)), enabled=True,
                     created_at=m.utcnow())
    session.add(hook)
    session.flush()
    return hook


def update_webhook(session: Session, webhook_id: int, *, enabled: bool | None = None,
                   events: list[str] | None = None) -> m.Webhook:
    hook = session.get(m.Webhook, webhook_id)
    if hook is None:
        raise UserError(f"no webhook {webhook_id}")
    if events is not None:
        _validate(hook.url, hook.format, events)
        hook.events = list(dict.fromkeys(events))
    if enabled is not None:
        hook.enabled = enabled
    session.flush()
    return hook


def delete_webhook(session: Session, webhook_id: int) -> None:
    """Disable a webhook for good: its delivery log is kept."""
    update_webhook(session, webhook_id, enabled=False, events=None)


def deliveries(session: Session, webhook_id: int | None = None, limit: int = 200) -> list[m.Delivery]:
    q = select(m.Delivery)
    if webhook_id is not None:
        q = q.where(m.Delivery.webhook_id == webhook_id)
    return list(session.scalars(q.order_by(m.Delivery.id.desc()).limit(limit)))


# -- payloads ------------------------------------------------------------
def message(event: str, facts: dict[str, Any]) -> tuple[str, str]:
    """(title, markdown text) of an event for the robots."""
    if event == "homepage_down":
        title = f"网站首页无法访问：{facts['site']}"
        text = (f"**{title}**\n\n- 网址：{facts['url']}\n- 原因：{facts.get('error') or '—'}"
                f"\n- 时间：{facts['at']}")
    elif event == "veto_candidate":
        title = f"疑似否决项待复核：{facts['subject']}"
        text = (f"**{title}**\n\n- 框架：{facts['framework']}\n- 否决项：{facts['veto']}"
                f"\n- 轮次：第 {facts['run_id']} 轮")
    else:
        title = f"第 {facts['run_id']} 轮检查完成"
        text = (f"**{title}**\n\n- 网站：{facts['sites']} 个\n- 状态：{facts['status']}"
                f"\n- 完成时间：{facts['at']}")
    return title, text


def payload(format: str, event: str, facts: dict[str, Any]) -> dict[str, Any]:
    if format == "plain":
        return {"event": event, **facts}
    title, text = message(event, facts)
    if format == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


# -- delivery ------------------------------------------------------------
def _post(url: str, body: dict[str, Any]) -> None:
    """POST the JSON body; raise with a one-line reason unless the answer is 2xx (and, for the
    robots, their errcode is 0)."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            answer = resp.read(65536)
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise RuntimeError(str(getattr(exc, "reason", exc))) from None
    try:
        said = json.loads(answer or b"{}")
    except ValueError:
        return
    # the robots answer 200 with {"errcode": N, "errmsg": …} when they refuse a message
    if isinstance(said, dict) and said.get("errcode") not in (None, 0):
        raise RuntimeError(f"errcode {said['errcode']}: {said.get('errmsg', '')}")


def deliver(database_url: str, delivery_ids: list[int]) -> None:
    """Post each pending delivery, retrying failures with backoff; every attempt is recorded."""
    engine = get_engine(database_url)
    for did in delivery_ids:
        for attempt in range(MAX_ATTEMPTS):
            with Session(engine) as session, session.begin():
                d = session.get(m.Delivery, did)
                if d is None or d.status != "pending":
                    break
                url, body = session.get(m.Webhook, d.webhook_id).url, d.payload
            error = None
            try:
                _post(url, body)
            except Exception as exc:  # noqa: BLE001 - a delivery records any failure, never raises
                error = str(exc) or type(exc).__name__
            with Session(engine) as session, session.begin():
                d = session.get(m.Delivery, did)
                d.attempts += 1
                if error is None:
                    d.status, d.delivered_at, d.last_error = "delivered", m.utcnow(), None
                    break
                d.last_error = error
                if d.attempts >= MAX_ATTEMPTS:
                    d.status = "failed"
                    break
            time.sleep(BACKOFF * 2 ** attempt)


def emit(event: str, key: str, facts: dict[str, Any], database_url: str | None = None,
         wait: bool = False) -> threading.Thread | None:
    """Record one delivery per enabled webhook that wants `event` (once per webhook and `key`)
    and post them in a background thread (returned; `wait` joins it). Never raises."""
    try:
        if database_url is None:
            from core.config import load
            database_url = load().database_url
        with Session(get_engine(database_url)) as session, session.begin():
            hooks = [h for h in session.scalars(select(m.Webhook).where(m.Webhook.enabled.is_(True))
                                                .order_by(m.Webhook.id)) if event in (h.events or [])]
            done = set(session.scalars(select(m.Delivery.webhook_id).where(m.Delivery.key == key,
                                                                           m.Delivery.event == event)))
            rows = [m.Delivery(webhook_id=h.id, event=event, key=key, payload=payload(h.format, event, facts),
                               status="pending", attempts=0, created_at=m.utcnow())
                    for h in hooks if h.id not in done]
            session.add_all(rows)
            session.flush()
            ids = [r.id for r in rows]
    except Exception:  # noqa: BLE001 - an alert never fails what raised it
        log.exception("alert %s (%s) not recorded", event, key)
        return None
    if not ids:
        return None
    thread = threading.Thread(target=_deliver_quietly, args=(database_url, ids), name=f"alert-{event}")
    thread.start()
    if wait:
        thread.join()
    return thread


def _deliver_quietly(database_url: str, ids: list[int]) -> None:
    try:
        deliver(database_url, ids)
    except Exception:  # noqa: BLE001
        log.exception("alert deliveries %s stopped", ids)


def _when(dt: datetime | None) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S UTC") if dt else ""


# -- the events ----------------------------------------------------------
def round_finished(run_id: int, database_url: str | None = None, wait: bool = False) -> None:
    """A round finished (or stopped interrupted): post round_finished, then one veto_candidate per
    candidate veto of the round's scores still pending review."""
    try:
        if database_url is None:
            from core.config import load
            database_url = load().database_url
        with Session(get_engine(database_url)) as session:
            run = session.get(m.Run, run_id)
            if run is None or run.kind != "round":
                return
            sites = session.scalar(select(func.count()).select_from(m.RunSite).where(m.RunSite.run_id == run_id))
            facts = {"run_id": run_id, "status": run.status, "sites": sites, "at": _when(run.finished_at)}
            candidates = []
            for s in session.scalars(select(m.Score).where(m.Score.run_id == run_id, m.Score.indicator == "total")):
                for v in (s.details or {}).get("vetoes", []):
                    if v.get("state") == "pending_review":
                        candidates.append((s.framework, s.unit_id, s.site_id, (s.details or {}).get("subject", ""),
                                           v["id"], v.get("title", v["id"])))
    except Exception:  # noqa: BLE001
        log.exception("round %s: alerts not sent", run_id)
        return
    threads = [emit("round_finished", f"run:{run_id}", facts, database_url)]
    for fw, unit_id, site_id, subject, vid, title in candidates:
        subject_key = f"unit:{unit_id}" if unit_id is not None else f"site:{site_id}"
        threads.append(emit("veto_candidate", f"run:{run_id}:{fw}:{subject_key}:{vid}",
                            {"run_id": run_id, "framework": fw, "subject": subject, "veto": title,
                             "veto_id": vid}, database_url))
    if wait:
        for t in threads:
            if t is not None:
                t.join()


class OutageWatch:
    """Told each monitoring round's samples, posts homepage_down when a site's homepage fails
    after its previous sample (stored before the monitor started, or seen since) was fine, or
    when its first sample ever fails: one alert per outage, not one per failing sample."""

    def __init__(self, database_url: str, sites: dict[int, tuple[str, str]]):
        self.database_url, self.sites = database_url, sites      # site id -> (name, url)
        self.up: dict[int, bool] = {}

    def _before(self, site_id: int, taken_at: datetime) -> bool:
        with Session(get_engine(self.database_url)) as session:
            ok = session.scalar(select(m.Sample.ok).where(m.Sample.site_id == site_id, m.Sample.taken_at < taken_at)
                                .order_by(m.Sample.taken_at.desc()).limit(1))
        return ok is not False

    def told(self, samples) -> list[threading.Thread]:
        threads = []
        try:
            for s in samples:
                was_up = self.up[s.site_id] if s.site_id in self.up else self._before(s.site_id, s.taken_at)
                self.up[s.site_id] = s.ok
                if was_up and not s.ok:
                    name, url = self.sites[s.site_id]
                    t = emit("homepage_down", f"site:{s.site_id}:down:{s.taken_at.isoformat()}",
                             {"site_id": s.site_id, "site": name, "url": url,
                              "error": s.error_kind or (f"HTTP {s.status}" if s.status else None),
                              "at": _when(s.taken_at)}, self.database_url)
                    if t is not None:
                        threads.append(t)
        except Exception:  # noqa: BLE001 - the monitor goes on whatever the alerts do
            log.exception("monitor alerts not sent")
        return threads
