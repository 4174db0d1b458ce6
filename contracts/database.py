"""Which database a `DATABASE_URL` names, and the name a Django server's connections carry
on PostgreSQL, so that whoever counts them (the exercise engine) can tell a server's
connections from every other client's on the same database."""

from __future__ import annotations

from urllib.parse import urlsplit

POSTGRES_SCHEMES = frozenset({"postgres", "postgresql"})
# libpq's `application_name` of every connection the lab opens that is not a server's own
# (migrations, a shell, Django's test clients).
APPLICATION = "asynclab"


def is_postgres(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").scheme in POSTGRES_SCHEMES


def application_name(server: str, port: int) -> str:
    """What a Django server's connections call themselves in `pg_stat_activity`: the server
    and the port it listens on (`asynclab-wsgi-8001`), which no two servers on one machine
    share."""
    return f"{APPLICATION}-{server}-{port}"
