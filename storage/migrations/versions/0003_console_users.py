"""The console's users, API tokens, audit log and login attempts; the index the console's
check-across-sites page reads findings by.

Revision ID: 0003_console_users
Revises: 0002_firstrun
"""
from alembic import op
import sqlalchemy as sa

from storage.models import Json

revision = "0003_console_users"
down_revision = "0002_firstrun"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False, comment="Surrogate key."),
        sa.Column("name", sa.String(length=100), nullable=False, comment="Login name (unique)."),
        sa.Column("role", sa.String(length=20), nullable=False, comment="admin, evaluator, auditor, viewer or unit."),
        sa.Column("unit_id", sa.Integer(), nullable=True,
                  comment="The government a `unit` user speaks for; it sees only that unit's sites."),
        sa.Column("password_hash", sa.String(length=200), nullable=False, comment="Argon2id hash of the password."),
        sa.Column("session_version", sa.Integer(), nullable=False,
                  comment="Raised when the password changes or the user is disabled: older console sessions "
                          "stop working."),
        sa.Column("active", sa.Boolean(), nullable=False, comment="False: can neither log in nor use a token."),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, comment="When added."),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True, comment="Last successful login."),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False, comment="Surrogate key."),
        sa.Column("user_id", sa.Integer(), nullable=False, comment="Whose role the token carries."),
        sa.Column("label", sa.String(length=100), nullable=False, comment="What the token is for."),
        sa.Column("token_hash", sa.String(length=64), nullable=False,
                  comment="SHA-256 of the token (the token itself is shown once)."),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, comment="When created."),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True, comment="Last request made with it."),
        sa.Column("revoked", sa.Boolean(), nullable=False, comment="Revoked tokens are refused."),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False, comment="Surrogate key."),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, comment="When (UTC)."),
        sa.Column("user_id", sa.Integer(), nullable=True, comment="Who (null: the command line)."),
        sa.Column("user_name", sa.String(length=100), nullable=False, comment="Who, as named then."),
        sa.Column("action", sa.String(length=60), nullable=False,
                  comment="What was done, e.g. round.start, site.edit, user.add."),
        sa.Column("target", sa.String(length=300), nullable=False,
                  comment="What it was done to, e.g. run:12, site:3, user:alice."),
        sa.Column("why", sa.Text(), nullable=True, comment="The reason given."),
        sa.Column("detail", Json, nullable=False, comment="Structured detail (fields changed, options)."),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False, comment="Surrogate key."),
        sa.Column("user_name", sa.String(length=100), nullable=False, comment="The name typed."),
        sa.Column("ip", sa.String(length=45), nullable=False, comment="Client address."),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, comment="When."),
        sa.Column("ok", sa.Boolean(), nullable=False, comment="Whether it succeeded."),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_attempts_name_ip_at", "login_attempts", ["user_name", "ip", "at"])
    # a check across sites: every site's latest finding of one check
    op.create_index("ix_findings_check_site", "findings", ["check_id", "site_id"])


def downgrade() -> None:
    op.drop_index("ix_findings_check_site", table_name="findings")
    op.drop_index("ix_login_attempts_name_ip_at", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_api_tokens_user_id", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("users")
