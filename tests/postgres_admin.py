"""Dropping the throwaway PostgreSQL databases the test fixtures make (the registry's and the engine's)."""

from __future__ import annotations

import time

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError


def drop_database(admin: Engine, name: str) -> None:
    """Drop database ``name`` through ``admin`` (an AUTOCOMMIT engine), ending connections still open to it."""
    # An autovacuum worker still in the database makes a non-superuser's DROP ... WITH (FORCE) fail
    # ("must be a member of the role whose process is being terminated"); it leaves within moments.
    for attempt in range(50):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == 49:
                raise
            time.sleep(0.1)
