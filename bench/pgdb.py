"""A throwaway PostgreSQL database for one benchmark run: `python -m bench.pgdb create|drop`.

Reads the database from DATABASE_URL (the target's environment) and creates or
drops it through the server's `postgres` database.
"""

from __future__ import annotations

import os
import sys

import psycopg
from psycopg import sql


def main(argv: list[str] | None = None) -> None:
    (action,) = argv if argv is not None else sys.argv[1:]
    server, _, name = os.environ["DATABASE_URL"].rpartition("/")
    database = sql.Identifier(name)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        if action == "create":
            connection.execute(sql.SQL("CREATE DATABASE {}").format(database))


if __name__ == "__main__":
    main()
