"""Which database a URL names, and the name a server's connections carry on PostgreSQL."""

from contracts.database import application_name, is_postgres


def test_both_postgres_schemes_name_postgres_and_nothing_else_does() -> None:
    assert is_postgres("postgres://lab@db:5432/asynclab")
    assert is_postgres("postgresql://lab@db/asynclab")
    assert not is_postgres("sqlite:////tmp/lab.sqlite3")
    assert not is_postgres("")
    assert not is_postgres(None)


def test_a_servers_name_holds_its_kind_and_port() -> None:
    assert application_name("wsgi", 8001) == "asynclab-wsgi-8001"
    assert application_name("asgi", 40123) != application_name("asgi", 40124)
    # libpq truncates application_name to 63 bytes: the longest a server gets fits.
    assert len(application_name("asgi", 65535).encode()) <= 63
