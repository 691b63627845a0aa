"""Floor 3 — the application: the use cases (import sites, run a round, rerun a check, score)
and the surfaces that call them: the CLI, the web console, the scheduler, the Celery worker and
the demo.

May import every floor below (`core`, `storage`, `checks`, `crawler`, `reports`); nothing
imports it."""
__version__ = "0.1.0"
