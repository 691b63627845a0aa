"""Floor 1 — the store: SQLAlchemy models (models) and sessions (db), Alembic migrations, run
bookkeeping (runs: runs, their sites, what has been gathered, probe results), the WARC reader
(archive), the stored-artifact loader (artifacts), the table exports and the data dictionary.

May import: `core`, and the artifacts contract `checks.artifacts` (the records it loads).
Never the crawl, the checks' judgements, the reports or the app (`govaudit`)."""
