"""The public schema. Scoring pipelines read these tables directly; the data
dictionary (docs/data-dictionary.md) is generated from the `doc` strings here.

Runs and findings are immutable history: a rerun adds a finding whose
`supersedes` points at the one it replaces.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer,
                        String, Text, UniqueConstraint, false, text, true)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Json = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


def col(type_, doc: str, **kw) -> Any:
    return mapped_column(type_, doc=doc, comment=doc, **kw)


class Unit(Base):
    """A government (地方政府 or department): the unit that unit-level frameworks score."""
    __tablename__ = "units"
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    name: Mapped[str] = col(String(200), "Name of the government, e.g. 某某市人民政府.", unique=True)
    level: Mapped[str | None] = col(String(20), "ministry, province, city, county or other.", nullable=True)
    region: Mapped[str | None] = col(String(6), "6-digit 行政区划代码.", nullable=True)
    group: Mapped[str | None] = col(String(100), "Ranking group (free text).", nullable=True)


class Site(Base):
    """A website in the registry, upserted by URL."""
    __tablename__ = "sites"
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    url: Mapped[str] = col(String(2000), "Entry URL as registered (unique).", unique=True)
    name: Mapped[str] = col(String(300), "Display name.")
    kind: Mapped[str] = col(String(20), "portal, open_data or hotline.")
    unit_id: Mapped[int] = col(ForeignKey("units.id"), "The government the site belongs to.")
    level: Mapped[str | None] = col(String(20), "Administrative level from the registry.", nullable=True)
    group: Mapped[str | None] = col(String(100), "Ranking group from the registry.", nullable=True)
    region: Mapped[str | None] = col(String(6), "6-digit 行政区划代码.", nullable=True)
    hints: Mapped[dict] = col(Json, "Per-site hints (search_url, selectors, caps…).", default=dict)
    created_at: Mapped[datetime] = col(DateTime(timezone=True), "When first imported.", default=utcnow)
    updated_at: Mapped[datetime] = col(DateTime(timezone=True), "When last imported.", default=utcnow)


class Run(Base):
    """One evaluation round (or a single-check rerun, kind='check')."""
    __tablename__ = "runs"
    id: Mapped[int] = col(Integer, "Run id, quoted by the CLI and exports.", primary_key=True)
    kind: Mapped[str] = col(String(20), "round, check or monitor.", default="round")
    status: Mapped[str] = col(String(20), "running, finished or interrupted.", default="running")
    started_at: Mapped[datetime] = col(DateTime(timezone=True), "Start time (UTC).", default=utcnow)
    finished_at: Mapped[datetime | None] = col(DateTime(timezone=True), "End time (UTC).", nullable=True)
    options: Mapped[dict] = col(Json, "What was asked: site ids, check globs, user agent, robots, caps.", default=dict)


class RunSite(Base):
    """Progress of one site within a run; what `--resume` reads."""
    __tablename__ = "run_sites"
    __table_args__ = (UniqueConstraint("run_id", "site_id"),)
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    run_id: Mapped[int] = col(ForeignKey("runs.id"), "The run.", index=True)
    site_id: Mapped[int] = col(ForeignKey("sites.id"), "The site.")
    stage: Mapped[str] = col(String(20), "pending, gathered, checked.", default="pending")
    gathered: Mapped[list] = col(Json, "Artifacts gathered: crawl, net, probe:NAME…", default=list)
    error_kind: Mapped[str | None] = col(String(40), "Site-level failure (homepage unreachable, blocked).", nullable=True)
    error: Mapped[str | None] = col(Text, "Human-readable site-level failure.", nullable=True)
    updated_at: Mapped[datetime] = col(DateTime(timezone=True), "Last change.", default=utcnow)


class Page(Base):
    """Every URL fetched for a site in a run: crawled pages, checked resources, external links.
    For an attachment whose text the crawl read (role resource; .txt .csv .xlsx .docx .pdf),
    `text` is the extracted text (capped) and `facts` holds {"attachment": {format, chars,
    truncated, reason when unreadable or skipped}, "pii": [masked hits]}."""
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("run_id", "site_id", "url"), Index("ix_pages_run_site", "run_id", "site_id"))
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    run_id: Mapped[int] = col(ForeignKey("runs.id"), "The run.")
    site_id: Mapped[int] = col(ForeignKey("sites.id"), "The site.")
    url: Mapped[str] = col(String(4000), "Requested URL.")
    final_url: Mapped[str | None] = col(String(4000), "URL after redirects.", nullable=True)
    role: Mapped[str] = col(String(20), "page (crawled), resource (image/attachment) or external (checked only).")
    status: Mapped[int | None] = col(Integer, "HTTP status of the final response.", nullable=True)
    error_kind: Mapped[str | None] = col(String(40), "timeout, dns, tls, connection, too_many_redirects, blocked… when no usable response.", nullable=True)
    depth: Mapped[int] = col(Integer, "Link depth from the entry URL.", default=0)
    is_homepage: Mapped[bool] = col(Boolean, "True for the entry page.", default=False)
    content_type: Mapped[str | None] = col(String(200), "Content-Type header.", nullable=True)
    encoding: Mapped[str | None] = col(String(40), "Encoding used to decode the body.", nullable=True)
    title: Mapped[str | None] = col(Text, "HTML title.", nullable=True)
    text: Mapped[str | None] = col(Text, "Visible text, capped, for content checks.", nullable=True)
    headers: Mapped[dict] = col(Json, "Selected response headers.", default=dict)
    facts: Mapped[dict] = col(Json, "Extractor output (dates, identity marks, meta tags…).", default=dict)
    elapsed_ms: Mapped[int | None] = col(Integer, "Download time in ms.", nullable=True)
    attempts: Mapped[int] = col(Integer, "Requests made (a failing link is retried once).", default=1)
    warc_file: Mapped[str | None] = col(String(500), "WARC file, relative to the data directory.", nullable=True)
    warc_offset: Mapped[int | None] = col(Integer, "Offset of the response record in the WARC file.", nullable=True)
    warc_length: Mapped[int | None] = col(Integer, "Length of the record.", nullable=True)
    fetched_at: Mapped[datetime] = col(DateTime(timezone=True), "When fetched.", default=utcnow)


class Link(Base):
    """An edge: a crawled page referencing a target URL."""
    __tablename__ = "links"
    __table_args__ = (Index("ix_links_run_site", "run_id", "site_id"),)
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    run_id: Mapped[int] = col(ForeignKey("runs.id"), "The run.")
    site_id: Mapped[int] = col(ForeignKey("sites.id"), "The site.")
    source_url: Mapped[str] = col(String(4000), "Page holding the reference.")
    target_url: Mapped[str] = col(String(4000), "Absolute target URL (fragment removed).")
    tag: Mapped[str] = col(String(20), "a, img, iframe, script, link or attachment.")
    text: Mapped[str | None] = col(Text, "Anchor text or alt.", nullable=True)
    external: Mapped[bool] = col(Boolean, "Target outside the site.", default=False)


class Column(Base):
    """A 栏目 (list page) found on a portal."""
    __tablename__ = "columns"
    __table_args__ = (Index("ix_columns_run_site", "run_id", "site_id"),)
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    run_id: Mapped[int] = col(ForeignKey("runs.id"), "The run.")
    site_id: Mapped[int] = col(ForeignKey("sites.id"), "The site.")
    url: Mapped[str] = col(String(4000), "List page URL.")
    name: Mapped[str] = col(String(300), "Column name as linked.")
    type: Mapped[str] = col(String(20), "dynamic, notice, policy, personnel, planning, interpretation, other.")
    newest_date: Mapped[str | None] = col(String(10), "Newest entry date (ISO).", nullable=True)
    item_count: Mapped[int] = col(Integer, "Entries seen (all pages followed).", default=0)
    blank: Mapped[bool] = col(Boolean, "No entries, or a 暂无信息-like placeholder.", default=False)
    details: Mapped[dict] = col(Json, "Pages followed, placeholder text, stated total…", default=dict)


class Message(Base):
    """A public message (留言) on a hotline / 政民互动 board."""
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_run_site", "run_id", "site_id"),)
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    run_id: Mapped[int] = col(ForeignKey("runs.id"), "The run.")
    site_id: Mapped[int] = col(ForeignKey("sites.id"), "The site.")
    url: Mapped[str] = col(String(4000), "Message detail URL (or list URL).")
    title: Mapped[str | None] = col(Text, "Subject.", nullable=True)
    submitted_at: Mapped[str | None] = col(String(32), "Submission time (ISO).", nullable=True)
    replied_at: Mapped[str | None] = col(String(32), "Reply time (ISO), null when unanswered.", nullable=True)
    status: Mapped[str | None] = col(String(50), "办理状态 as shown.", nullable=True)
    reply_unit: Mapped[str | None] = col(String(200), "Replying unit.", nullable=True)
    follow_up: Mapped[bool] = col(Boolean, "A 回访 / satisfaction result is shown.", default=False)
    satisfaction: Mapped[str | None] = col(String(50), "Satisfaction result as shown.", nullable=True)
    details: Mapped[dict] = col(Json, "Other fields read.", default=dict)


class Dataset(Base):
    """A dataset in an open-data platform's catalogue."""
    __tablename__ = "datasets"
    __table_args__ = (Index("ix_datasets_run_site", "run_id", "site_id"),)
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    run_id: Mapped[int] = col(ForeignKey("runs.id"), "The run.")
    site_id: Mapped[int] = col(ForeignKey("sites.id"), "The site.")
    url: Mapped[str] = col(String(4000), "Dataset detail URL.")
    title: Mapped[str | None] = col(Text, "Dataset name.", nullable=True)
    summary: Mapped[str | None] = col(Text, "摘要/描述.", nullable=True)
    provider: Mapped[str | None] = col(String(300), "提供单位.", nullable=True)
    frequency: Mapped[str | None] = col(String(50), "更新频率.", nullable=True)
    updated_at: Mapped[str | None] = col(String(32), "更新时间 (ISO).", nullable=True)
    open_condition: Mapped[str | None] = col(String(100), "开放条件.", nullable=True)
    formats: Mapped[list] = col(Json, "Formats offered, lower case.", default=list)
    has_api: Mapped[bool] = col(Boolean, "Offers an API.", default=False)
    download_url: Mapped[str | None] = col(String(4000), "A download link.", nullable=True)
    download_ok: Mapped[bool | None] = col(Boolean, "Sampled download returned a file; null when not sampled.", nullable=True)
    details: Mapped[dict] = col(Json, "Other fields read.", default=dict)


class ProbeResult(Base):
    """Structured result of a browser probe (search, qa, elder, privacy, a11y, mobile) or of a
    non-crawl gatherer (net)."""
    __tablename__ = "probe_results"
    __table_args__ = (UniqueConstraint("run_id", "site_id", "probe"),)
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    run_id: Mapped[int] = col(ForeignKey("runs.id"), "The run.")
    site_id: Mapped[int] = col(ForeignKey("sites.id"), "The site.")
    probe: Mapped[str] = col(String(40), "Probe name.")
    result: Mapped[dict] = col(Json, "Structured result; screenshots are paths under the data directory.", default=dict)
    tool_versions: Mapped[dict] = col(Json, "Browser, axe-core… versions.", default=dict)
    error_kind: Mapped[str | None] = col(String(40), "Why the probe could not run.", nullable=True)
    created_at: Mapped[datetime] = col(DateTime(timezone=True), "When taken.", default=utcnow)


class Sample(Base):
    """An availability sample of a site's homepage (govaudit monitor)."""
    __tablename__ = "samples"
    __table_args__ = (Index("ix_samples_site_time", "site_id", "taken_at"),)
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    site_id: Mapped[int] = col(ForeignKey("sites.id"), "The site.")
    taken_at: Mapped[datetime] = col(DateTime(timezone=True), "When taken.", default=utcnow)
    ok: Mapped[bool] = col(Boolean, "Complete response with status < 400 within the timeout.")
    status: Mapped[int | None] = col(Integer, "HTTP status.", nullable=True)
    elapsed_ms: Mapped[int | None] = col(Integer, "Time to the complete response.", nullable=True)
    error_kind: Mapped[str | None] = col(String(40), "timeout, dns, connection… when it failed.", nullable=True)


class Finding(Base):
    """One check's measurement of one site in one run. Immutable; reruns supersede."""
    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("run_id", "site_id", "check_id"),
                      Index("ix_findings_site_check", "site_id", "check_id"),
                      # a check across sites (the console): each site's latest adopted finding of one check,
                      # its status and value read from the index alone
                      Index("ix_findings_check_latest", "check_id", "site_id", "id", "status", "value",
                            postgresql_where=text("adopted"), sqlite_where=text("adopted")))
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    run_id: Mapped[int] = col(ForeignKey("runs.id"), "The run.")
    site_id: Mapped[int] = col(ForeignKey("sites.id"), "The site.")
    check_id: Mapped[str] = col(String(60), "Catalog id, e.g. links.dead_homepage.")
    check_version: Mapped[str] = col(String(20), "Version of the check's definition.")
    status: Mapped[str] = col(String(20), "pass, fail, warn, not_applicable or error.")
    value: Mapped[float | None] = col(Float, "The measured value (see unit_of_value).", nullable=True)
    unit_of_value: Mapped[str | None] = col(String(30), "Unit of the value.", nullable=True)
    details: Mapped[dict] = col(Json, "Structured details; error_kind and error for status error.", default=dict)
    evidence: Mapped[list] = col(Json, "Evidence items: {kind: url|screenshot|snippet|warc, ref, …}.", default=list)
    tool_versions: Mapped[dict] = col(Json, "Versions of tools relied on.", default=dict)
    measured_at: Mapped[datetime] = col(DateTime(timezone=True), "When evaluated.", default=utcnow)
    supersedes: Mapped[int | None] = col(ForeignKey("findings.id"), "The finding this one replaces.", nullable=True)
    adopted: Mapped[bool] = col(Boolean, "False for a rerun's error kept in the history without replacing the "
                                         "measurement before it (no --accept-error).", default=True,
                                server_default=true())


class Score(Base):
    """A framework's score for a site or unit, per indicator and total."""
    __tablename__ = "scores"
    __table_args__ = (Index("ix_scores_run_fw", "run_id", "framework"),)
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    run_id: Mapped[int] = col(ForeignKey("runs.id"), "Run the findings came from.")
    framework: Mapped[str] = col(String(60), "Framework name.")
    framework_version: Mapped[str] = col(String(20), "Framework version.")
    unit_id: Mapped[int | None] = col(ForeignKey("units.id"), "Scored unit (unit-level frameworks).", nullable=True)
    site_id: Mapped[int | None] = col(ForeignKey("sites.id"), "Scored site (site-level frameworks).", nullable=True)
    indicator: Mapped[str] = col(String(100), "Indicator id, or 'total'.")
    score: Mapped[float | None] = col(Float, "Score; null when missing.", nullable=True)
    max: Mapped[float | None] = col(Float, "Maximum attainable.", nullable=True)
    tier: Mapped[str | None] = col(String(40), "Tier / level / class.", nullable=True)
    rank: Mapped[int | None] = col(Integer, "Rank within group (competition ranking).", nullable=True)
    group: Mapped[str | None] = col(String(100), "Ranking group.", nullable=True)
    incomplete: Mapped[bool] = col(Boolean, "Some indicators were missing.", default=False)
    manual: Mapped[bool] = col(Boolean, "Value imported from evaluators' CSV.", default=False)
    partial: Mapped[bool] = col(Boolean, "Scored from a round run with --only: never a baseline for comparison.",
                                default=False, server_default=false())
    details: Mapped[dict] = col(Json, "Missing indicators, vetoes, breakdown.", default=dict)
    created_at: Mapped[datetime] = col(DateTime(timezone=True), "When scored.", default=utcnow)


class Schedule(Base):
    """A recurring round (govaudit schedule add)."""
    __tablename__ = "schedules"
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    cron: Mapped[str] = col(String(100), "Cron expression (UTC).")
    sites: Mapped[str] = col(String(1000), "Registry file or group name.")
    only: Mapped[list] = col(Json, "Check globs.", default=list)
    framework: Mapped[str | None] = col(String(60), "Framework to score with.", nullable=True)
    enabled: Mapped[bool] = col(Boolean, "Whether the scheduler runs it.", default=True)
    last_due_at: Mapped[datetime | None] = col(DateTime(timezone=True), "Last due time handled.", nullable=True)
    last_run_id: Mapped[int | None] = col(ForeignKey("runs.id"), "Last round started.", nullable=True)
    created_at: Mapped[datetime] = col(DateTime(timezone=True), "When added.", default=utcnow)


class Dispute(Base):
    """A unit's or an evaluator's objection to a finding (已整改 or 误判), decided by an auditor,
    usually after rerunning the check (the rerun's finding is kept beside the disputed one)."""
    __tablename__ = "disputes"
    __table_args__ = (Index("ix_disputes_finding", "finding_id"), Index("ix_disputes_status", "status"))
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    finding_id: Mapped[int] = col(ForeignKey("findings.id"), "The disputed finding.")
    site_id: Mapped[int] = col(ForeignKey("sites.id"), "The finding's site (for the unit's view).")
    check_id: Mapped[str] = col(String(60), "The finding's check id.")
    reason: Mapped[str] = col(String(20), "rectified (已整改) or misjudged (误判).")
    text: Mapped[str] = col(Text, "What the disputing party says.")
    opened_by: Mapped[str] = col(String(100), "User who opened it.")
    opened_at: Mapped[datetime] = col(DateTime(timezone=True), "When opened (UTC).", default=utcnow)
    status: Mapped[str] = col(String(20), "open, upheld (the finding no longer stands) or rejected.", default="open")
    decided_by: Mapped[str | None] = col(String(100), "Auditor who decided.", nullable=True)
    decided_at: Mapped[datetime | None] = col(DateTime(timezone=True), "When decided (UTC).", nullable=True)
    decision_note: Mapped[str | None] = col(Text, "The auditor's reasons.", nullable=True)
    rerun_finding_id: Mapped[int | None] = col(ForeignKey("findings.id"), "The latest rerun's finding.",
                                                nullable=True)


class DisputeEvent(Base):
    """One entry of a dispute's thread: opened, comment, rerun, decided."""
    __tablename__ = "dispute_events"
    __table_args__ = (Index("ix_dispute_events_dispute", "dispute_id"),)
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    dispute_id: Mapped[int] = col(ForeignKey("disputes.id"), "The dispute.")
    kind: Mapped[str] = col(String(20), "opened, comment, rerun or decided.")
    author: Mapped[str] = col(String(100), "User.")
    text: Mapped[str] = col(Text, "What was said or done.", default="")
    finding_id: Mapped[int | None] = col(ForeignKey("findings.id"), "For a rerun: its new finding.", nullable=True)
    at: Mapped[datetime] = col(DateTime(timezone=True), "When (UTC).", default=utcnow)


class ManualEntry(Base):
    """An evaluator's value for a manual indicator of a framework, for a unit or a site (from the
    console or the evaluators' CSV). Rows are history: the newest per framework, subject and
    indicator is the value scoring uses."""
    __tablename__ = "manual_values"
    __table_args__ = (Index("ix_manual_values_fw", "framework"),)
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    framework: Mapped[str] = col(String(60), "Framework name.")
    unit_id: Mapped[int | None] = col(ForeignKey("units.id"), "Unit (unit-level frameworks).", nullable=True)
    site_id: Mapped[int | None] = col(ForeignKey("sites.id"), "Site (site-level frameworks).", nullable=True)
    indicator: Mapped[str] = col(String(100), "Manual indicator id.")
    value: Mapped[float] = col(Float, "Points, 0..the indicator's max.")
    entered_by: Mapped[str] = col(String(100), "User, or csv:FILE for the evaluators' CSV.")
    why: Mapped[str] = col(Text, "The evaluator's reason (the CSV's note).", default="")
    entered_at: Mapped[datetime] = col(DateTime(timezone=True), "When entered (UTC).", default=utcnow)


class VetoDecision(Base):
    """A reviewer's decision on a candidate veto (a `review: true` veto that a round's findings hit):
    confirm or reject, with a note. Per round; the newest per run, framework, subject and veto counts."""
    __tablename__ = "veto_decisions"
    __table_args__ = (Index("ix_veto_decisions_run_fw", "run_id", "framework"),)
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    run_id: Mapped[int] = col(ForeignKey("runs.id"), "The round whose findings raised the candidate.")
    framework: Mapped[str] = col(String(60), "Framework name.")
    unit_id: Mapped[int | None] = col(ForeignKey("units.id"), "Unit (unit-level frameworks).", nullable=True)
    site_id: Mapped[int | None] = col(ForeignKey("sites.id"), "Site (site-level frameworks).", nullable=True)
    veto: Mapped[str] = col(String(100), "Veto id.")
    decision: Mapped[str] = col(String(20), "confirm or reject.")
    note: Mapped[str] = col(Text, "Why.", default="")
    decided_by: Mapped[str] = col(String(100), "User, or csv:FILE.")
    decided_at: Mapped[datetime] = col(DateTime(timezone=True), "When (UTC).", default=utcnow)


class Webhook(Base):
    """An alert destination: a URL posted a JSON body in a format for some events."""
    __tablename__ = "webhooks"
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    name: Mapped[str] = col(String(100), "Display name.")
    url: Mapped[str] = col(String(2000), "Where to POST.")
    format: Mapped[str] = col(String(20), "plain (JSON), dingtalk or wecom (robot markdown).")
    events: Mapped[list] = col(Json, "Events sent: homepage_down, veto_candidate, round_finished.", default=list)
    enabled: Mapped[bool] = col(Boolean, "Whether events are sent.", default=True)
    created_at: Mapped[datetime] = col(DateTime(timezone=True), "When added.", default=utcnow)


class Delivery(Base):
    """One event posted (or being posted) to one webhook; failures are retried with backoff."""
    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_webhook", "webhook_id", "id"), Index("ix_deliveries_key", "key"))
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    webhook_id: Mapped[int] = col(ForeignKey("webhooks.id"), "The webhook.")
    event: Mapped[str] = col(String(40), "homepage_down, veto_candidate or round_finished.")
    key: Mapped[str] = col(String(300), "What the event is about (one delivery per webhook and key).")
    payload: Mapped[dict] = col(Json, "The body posted.", default=dict)
    status: Mapped[str] = col(String(20), "pending, delivered or failed (attempts used up).", default="pending")
    attempts: Mapped[int] = col(Integer, "Posts tried.", default=0)
    last_error: Mapped[str | None] = col(Text, "Why the last post failed.", nullable=True)
    created_at: Mapped[datetime] = col(DateTime(timezone=True), "When the event happened.", default=utcnow)
    delivered_at: Mapped[datetime | None] = col(DateTime(timezone=True), "When accepted.", nullable=True)
# -- the console (govaudit serve) -------------------------------------------------
class User(Base):
    """A person (or a scoring pipeline) using the console or its API."""
    __tablename__ = "users"
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    name: Mapped[str] = col(String(100), "Login name (unique).", unique=True)
    role: Mapped[str] = col(String(20), "admin, evaluator, auditor, viewer or unit.")
    unit_id: Mapped[int | None] = col(ForeignKey("units.id"), "The government a `unit` user speaks for; it sees "
                                                               "only that unit's sites.", nullable=True)
    password_hash: Mapped[str] = col(String(200), "Argon2id hash of the password.")
    session_version: Mapped[int] = col(Integer, "Raised when the password changes or the user is disabled: "
                                                "older console sessions stop working.", default=1)
    active: Mapped[bool] = col(Boolean, "False: can neither log in nor use a token.", default=True)
    created_at: Mapped[datetime] = col(DateTime(timezone=True), "When added.", default=utcnow)
    last_login_at: Mapped[datetime | None] = col(DateTime(timezone=True), "Last successful login.", nullable=True)


class ApiToken(Base):
    """A bearer token for /api/v1 (created by an admin); it acts with its user's role."""
    __tablename__ = "api_tokens"
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    user_id: Mapped[int] = col(ForeignKey("users.id"), "Whose role the token carries.", index=True)
    label: Mapped[str] = col(String(100), "What the token is for.")
    token_hash: Mapped[str] = col(String(64), "SHA-256 of the token (the token itself is shown once).", unique=True)
    created_at: Mapped[datetime] = col(DateTime(timezone=True), "When created.", default=utcnow)
    last_used_at: Mapped[datetime | None] = col(DateTime(timezone=True), "Last request made with it.", nullable=True)
    revoked: Mapped[bool] = col(Boolean, "Revoked tokens are refused.", default=False)


class AuditLog(Base):
    """Every change made through the console or its API: who, when, what, why."""
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    at: Mapped[datetime] = col(DateTime(timezone=True), "When (UTC).", default=utcnow)
    user_id: Mapped[int | None] = col(ForeignKey("users.id"), "Who (null: the command line).", nullable=True)
    user_name: Mapped[str] = col(String(100), "Who, as named then.")
    action: Mapped[str] = col(String(60), "What was done, e.g. round.start, site.edit, user.add.")
    target: Mapped[str] = col(String(300), "What it was done to, e.g. run:12, site:3, user:alice.")
    why: Mapped[str | None] = col(Text, "The reason given.", nullable=True)
    detail: Mapped[dict] = col(Json, "Structured detail (fields changed, options).", default=dict)


class LoginAttempt(Base):
    """A console login attempt, for throttling (failures per user name and address)."""
    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_name_ip_at", "user_name", "ip", "at"),)
    id: Mapped[int] = col(Integer, "Surrogate key.", primary_key=True)
    user_name: Mapped[str] = col(String(100), "The name typed.")
    ip: Mapped[str] = col(String(45), "Client address.")
    at: Mapped[datetime] = col(DateTime(timezone=True), "When.", default=utcnow)
    ok: Mapped[bool] = col(Boolean, "Whether it succeeded.")


VIEWS = {
    "latest_findings": """
        SELECT f.* FROM findings f
        WHERE f.id = (SELECT MAX(f2.id) FROM findings f2
                      WHERE f2.site_id = f.site_id AND f2.check_id = f.check_id AND f2.adopted)""",
    "latest_scores": """
        SELECT s.* FROM scores s
        WHERE s.run_id = (SELECT MAX(s2.run_id) FROM scores s2 WHERE s2.framework = s.framework)
          AND s.created_at = (SELECT MAX(s3.created_at) FROM scores s3
                              WHERE s3.framework = s.framework AND s3.run_id = s.run_id)""",
}
