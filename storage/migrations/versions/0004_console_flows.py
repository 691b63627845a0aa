"""The console's workflows: disputes and their threads, manual indicator values, candidate veto
decisions, alert webhooks and their deliveries

Revision ID: 0004_console_flows
Revises: 0003_console_users
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0004_console_flows"
down_revision = "0003_console_users"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True, comment="Surrogate key.")


def _when(name: str, comment: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, comment=comment)


def _subject() -> list[sa.Column]:
    return [sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=True,
                      comment="Unit (unit-level frameworks)."),
            sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=True,
                      comment="Site (site-level frameworks).")]


def upgrade() -> None:
    op.create_table(
        "disputes", _id(),
        sa.Column("finding_id", sa.Integer(), sa.ForeignKey("findings.id"), nullable=False,
                  comment="The disputed finding."),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False,
                  comment="The finding's site (for the unit's view)."),
        sa.Column("check_id", sa.String(60), nullable=False, comment="The finding's check id."),
        sa.Column("reason", sa.String(20), nullable=False, comment="rectified (已整改) or misjudged (误判)."),
        sa.Column("text", sa.Text(), nullable=False, comment="What the disputing party says."),
        sa.Column("opened_by", sa.String(100), nullable=False, comment="User who opened it."),
        _when("opened_at", "When opened (UTC)."),
        sa.Column("status", sa.String(20), nullable=False,
                  comment="open, upheld (the finding no longer stands) or rejected."),
        sa.Column("decided_by", sa.String(100), nullable=True, comment="Auditor who decided."),
        _when("decided_at", "When decided (UTC).", nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True, comment="The auditor's reasons."),
        sa.Column("rerun_finding_id", sa.Integer(), sa.ForeignKey("findings.id"), nullable=True,
                  comment="The latest rerun's finding."))
    op.create_index("ix_disputes_finding", "disputes", ["finding_id"])
    op.create_index("ix_disputes_status", "disputes", ["status"])
    op.create_table(
        "dispute_events", _id(),
        sa.Column("dispute_id", sa.Integer(), sa.ForeignKey("disputes.id"), nullable=False, comment="The dispute."),
        sa.Column("kind", sa.String(20), nullable=False, comment="opened, comment, rerun or decided."),
        sa.Column("author", sa.String(100), nullable=False, comment="User."),
        sa.Column("text", sa.Text(), nullable=False, comment="What was said or done."),
        sa.Column("finding_id", sa.Integer(), sa.ForeignKey("findings.id"), nullable=True,
                  comment="For a rerun: its new finding."),
        _when("at", "When (UTC)."))
    op.create_index("ix_dispute_events_dispute", "dispute_events", ["dispute_id"])
    op.create_table(
        "manual_values", _id(),
        sa.Column("framework", sa.String(60), nullable=False, comment="Framework name."),
        *_subject(),
        sa.Column("indicator", sa.String(100), nullable=False, comment="Manual indicator id."),
        sa.Column("value", sa.Float(), nullable=False, comment="Points, 0..the indicator's max."),
        sa.Column("entered_by", sa.String(100), nullable=False, comment="User, or csv:FILE for the evaluators' CSV."),
        sa.Column("why", sa.Text(), nullable=False, comment="The evaluator's reason (the CSV's note)."),
        _when("entered_at", "When entered (UTC)."))
    op.create_index("ix_manual_values_fw", "manual_values", ["framework"])
    op.create_table(
        "veto_decisions", _id(),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False,
                  comment="The round whose findings raised the candidate."),
        sa.Column("framework", sa.String(60), nullable=False, comment="Framework name."),
        *_subject(),
        sa.Column("veto", sa.String(100), nullable=False, comment="Veto id."),
        sa.Column("decision", sa.String(20), nullable=False, comment="confirm or reject."),
        sa.Column("note", sa.Text(), nullable=False, comment="Why."),
        sa.Column("decided_by", sa.String(100), nullable=False, comment="User, or csv:FILE."),
        _when("decided_at", "When (UTC)."))
    op.create_index("ix_veto_decisions_run_fw", "veto_decisions", ["run_id", "framework"])
    op.create_table(
        "webhooks", _id(),
        sa.Column("name", sa.String(100), nullable=False, comment="Display name."),
        sa.Column("url", sa.String(2000), nullable=False, comment="Where to POST."),
        sa.Column("format", sa.String(20), nullable=False, comment="plain (JSON), dingtalk or wecom (robot markdown)."),
        sa.Column("events", JSON, nullable=False, comment="Events sent: homepage_down, veto_candidate, round_finished."),
        sa.Column("enabled", sa.Boolean(), nullable=False, comment="Whether events are sent."),
        _when("created_at", "When added."))
    op.create_table(
        "deliveries", _id(),
        sa.Column("webhook_id", sa.Integer(), sa.ForeignKey("webhooks.id"), nullable=False, comment="The webhook."),
        sa.Column("event", sa.String(40), nullable=False, comment="homepage_down, veto_candidate or round_finished."),
        sa.Column("key", sa.String(300), nullable=False,
                  comment="What the event is about (one delivery per webhook and key)."),
        sa.Column("payload", JSON, nullable=False, comment="The body posted."),
        sa.Column("status", sa.String(20), nullable=False, comment="pending, delivered or failed (attempts used up)."),
        sa.Column("attempts", sa.Integer(), nullable=False, comment="Posts tried."),
        sa.Column("last_error", sa.Text(), nullable=True, comment="Why the last post failed."),
        _when("created_at", "When the event happened."),
        _when("delivered_at", "When accepted.", nullable=True))
    op.create_index("ix_deliveries_webhook", "deliveries", ["webhook_id", "id"])
    op.create_index("ix_deliveries_key", "deliveries", ["key"])


def downgrade() -> None:
    for table in ("deliveries", "webhooks", "veto_decisions", "manual_values", "dispute_events", "disputes"):
        op.drop_table(table)
