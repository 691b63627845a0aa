"""Floor 1 — the store: SQLAlchemy models and sessions, Alembic migrations, run bookkeeping,
the WARC archive reader, the stored-artifact loader and the table exports.

May import: `core`, and the artifacts contract `checks.artifacts` (the records it loads).
Never the crawl, the checks' judgements, the reports or the app (`govaudit`)."""
