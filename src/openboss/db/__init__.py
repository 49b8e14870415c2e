"""Database access: engine, sessions, declarative base, column types, migrations.

SQLite (WAL, foreign keys on) is the embedded default; PostgreSQL through
psycopg 3 in production. A request or a job owns its transaction; services
never commit.
"""

from openboss.db.base import Base, TimestampMixin
from openboss.db.engine import Database, create_database
from openboss.db.types import JSONDoc, UTCDateTime

__all__ = ["Base", "Database", "JSONDoc", "TimestampMixin", "UTCDateTime", "create_database"]
