"""Floor 1: what is stored and how — the SQLAlchemy models (models), sessions (db), Alembic
migrations, run bookkeeping (runs: runs, their sites, what has been gathered), WARC reading
(archive), exports and the data dictionary. Imports `core` of ours (and artifacts.py the
checks' artifacts contract it loads rows into)."""
