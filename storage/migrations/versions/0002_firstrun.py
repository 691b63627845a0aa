"""findings.adopted (a rerun's error does not bury a measurement), scores.partial (rounds run with --only)

Revision ID: 0002_firstrun
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002_firstrun"
down_revision = "0001"
branch_labels = None
depends_on = None

LATEST_SCORES = """
        SELECT s.* FROM scores s
        WHERE s.run_id = (SELECT MAX(s2.run_id) FROM scores s2 WHERE s2.framework = s.framework)
          AND s.created_at = (SELECT MAX(s3.created_at) FROM scores s3
                              WHERE s3.framework = s.framework AND s3.run_id = s.run_id)"""
OLD_LATEST_FINDINGS = """
        SELECT f.* FROM findings f
        WHERE f.id = (SELECT MAX(f2.id) FROM findings f2
                      WHERE f2.site_id = f.site_id AND f2.check_id = f.check_id)"""
LATEST_FINDINGS = """
        SELECT f.* FROM findings f
        WHERE f.id = (SELECT MAX(f2.id) FROM findings f2
                      WHERE f2.site_id = f.site_id AND f2.check_id = f.check_id AND f2.adopted)"""


def _views(findings_sql: str) -> None:
    op.execute(f"CREATE VIEW latest_findings AS {findings_sql}")
    op.execute(f"CREATE VIEW latest_scores AS {LATEST_SCORES}")


def _drop_views() -> None:
    op.execute("DROP VIEW IF EXISTS latest_findings")
    op.execute("DROP VIEW IF EXISTS latest_scores")


def upgrade() -> None:
    _drop_views()       # PostgreSQL expands `f.*` when a view is created: recreated with the new columns
    with op.batch_alter_table("findings") as batch_op:
        batch_op.add_column(sa.Column("adopted", sa.Boolean(), nullable=False, server_default=sa.true(),
                                      comment="False for a rerun's error kept in the history without replacing "
                                              "the measurement before it (no --accept-error)."))
    with op.batch_alter_table("scores") as batch_op:
        batch_op.add_column(sa.Column("partial", sa.Boolean(), nullable=False, server_default=sa.false(),
                                      comment="Scored from a round run with --only: never a baseline for "
                                              "comparison."))
    _views(LATEST_FINDINGS)


def downgrade() -> None:
    _drop_views()
    with op.batch_alter_table("scores") as batch_op:
        batch_op.drop_column("partial")
    with op.batch_alter_table("findings") as batch_op:
        batch_op.drop_column("adopted")
    _views(OLD_LATEST_FINDINGS)
