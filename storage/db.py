"""Engine and sessions. A new database is brought to the latest Alembic
revision on first open; SQLite runs in WAL mode with a busy timeout so
several processes can write one file."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.config import redact_url
from core.errors import StorageError

MIGRATIONS = Path(__file__).parent / "migrations"
# Alembic says at INFO which backend it found each time a process opens a database: in a worker's
# log (Celery logs at INFO) that is two lines per site. Migrations applied still say so at WARNING.
logging.getLogger("alembic").setLevel(logging.WARNING)
_engines: dict[str, Engine] = {}


class DatabaseError(StorageError):
    """The database cannot be reached or migrated; the message is one line."""


def alembic_config(url: str):
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    return engine


def upgrade(url: str) -> None:
    from alembic import command
    command.upgrade(alembic_config(url), "head")


def get_engine(url: str | None = None, migrate: bool = True) -> Engine:
    """The engine for `url` (default: settings), migrated to the latest revision."""
    if url is None:
        from core.config import load
        url = load().database_url
    engine = _engines.get(url)
    if engine is not None:
        return engine
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DatabaseError(f"database {redact_url(url)} is not a usable URL: {reason}") from None
    try:
        with engine.connect() as conn:
            current = _current_revision(conn)
        if migrate and current != _head_revision(url):
            upgrade(url)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        raise DatabaseError(f"database {redact_url(url)} does not answer: {reason}") from None
    _engines[url] = engine
    return engine


def _current_revision(conn) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    from alembic.runtime.migration import MigrationContext
    return MigrationContext.configure(conn).get_current_revision()


def _head_revision(url: str) -> str | None:
    from alembic.script import ScriptDirectory
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def dispose_all() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session committed on success, rolled back on any error."""
    session = sessionmaker(get_engine(url), expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def insert_many(session: Session, table, rows: list[dict]) -> None:
    """Insert `rows`: dicts with the same keys, and plain values (no JSON columns, no defaults
    left to SQLAlchemy). PostgreSQL through psycopg takes them by COPY: for a crawl's link rows,
    about 50 a page, that is an eighth of the client CPU and a quarter of the wall time of psycopg's
    executemany, which sends one INSERT a row. Elsewhere, one executemany."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    if (dialect.name, dialect.driver) != ("postgresql", "psycopg"):
        session.execute(table.insert(), rows)
        return
    from psycopg import sql
    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns)))
    cursor = session.connection().connection.driver_connection.cursor()    # in the session's transaction
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def insert_new(session: Session, table, rows: list[dict], unique: list[str]) -> None:
    """Insert `rows`, skipping those whose `unique` columns already have a row (PostgreSQL and
    SQLite: ON CONFLICT DO NOTHING), so one repeated row never fails the rows beside it."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(table).on_conflict_do_nothing(index_elements=unique), rows)
