"""Settings from the environment: database URLs and the generated secret."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.settings import LabSettings
from django_app.settings import STARTPROJECT_MIDDLEWARE, application_of, database


def test_postgres_url_uses_psycopg_pool_and_no_persistent_connections() -> None:
    db = database("postgres://lab:s%40cret@db:5433/asynclab")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "asynclab",
        "lab",
        "s@cret",
        "db",
        "5433",
    )
    assert db["CONN_MAX_AGE"] == 0
    assert db["OPTIONS"]["pool"]["max_size"] >= 1


def test_sqlite_urls_give_absolute_and_relative_paths() -> None:
    db = database("sqlite:////tmp/x/lab.sqlite3")
    assert db == {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/x/lab.sqlite3"}
    assert database("sqlite:///var/lab.sqlite3")["NAME"] == "var/lab.sqlite3"


def test_unknown_database_scheme_is_an_error() -> None:
    with pytest.raises(ValueError, match="DATABASE_URL"):
        database("mysql://x/y")


def _settings_in_child(**env: str) -> list[str]:
    code = (
        "from django.conf import settings as s;"
        "print(s.SECRET_KEY); print(s.DEBUG); print(','.join(s.MIDDLEWARE))"
    )
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    child_env.update(DJANGO_SETTINGS_MODULE="django_app.settings", **env)
    out = subprocess.run(
        [sys.executable, "-c", code], env=child_env, capture_output=True, text=True, check=True
    )
    return out.stdout.splitlines()


def test_secret_is_generated_per_process_and_debug_is_off_by_default() -> None:
    first, second = _settings_in_child(), _settings_in_child()
    assert len(first[0]) >= 50
    assert first[0] != second[0]
    assert first[1] == "False"
    assert first[2].split(",") == [
        "django_app.observability.middleware.ObservabilityMiddleware",
        "django_app.security.SecurityHeadersMiddleware",
    ]


def test_switches_from_the_environment() -> None:
    secret, debug, middleware = _settings_in_child(
        DJANGO_SECRET_KEY="k" * 50,
        DJANGO_DEBUG="1",
        DJANGO_EXTRA_MIDDLEWARE="django_app.extra_middleware.SyncOnlyMiddleware",
    )
    assert secret == "k" * 50
    assert debug == "True"
    assert middleware.split(",")[-1] == "django_app.extra_middleware.SyncOnlyMiddleware"


def test_middleware_stacks_follow_the_lab_pair() -> None:
    lab_pair = [
        "django_app.observability.middleware.ObservabilityMiddleware",
        "django_app.security.SecurityHeadersMiddleware",
    ]
    sync_only = _settings_in_child(MIDDLEWARE_STACK="sync-only")[2].split(",")
    assert sync_only == [*lab_pair, "django_app.extra_middleware.SyncOnlyMiddleware"]
    django_stack = _settings_in_child(MIDDLEWARE_STACK="django")[2].split(",")
    assert django_stack[:2] == lab_pair
    assert django_stack[2:] == STARTPROJECT_MIDDLEWARE


def test_the_django_stack_is_what_startproject_writes() -> None:
    import django

    template = Path(django.__file__).parent / "conf/project_template/project_name/settings.py-tpl"
    written = re.search(r"MIDDLEWARE = \[(.*?)\]", template.read_text(), re.DOTALL)
    assert written is not None
    assert re.findall(r"'([\w.]+)'", written.group(1)) == STARTPROJECT_MIDDLEWARE


def test_a_bad_middleware_stack_stops_the_server_with_its_name() -> None:
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    child_env.update(DJANGO_SETTINGS_MODULE="django_app.settings", MIDDLEWARE_STACK="minimal")
    code = "from django.conf import settings as s; s.MIDDLEWARE"
    out = subprocess.run(
        [sys.executable, "-c", code], env=child_env, capture_output=True, text=True, check=False
    )
    assert out.returncode != 0
    assert "MIDDLEWARE_STACK='minimal': expected one of lab, sync-only, django" in out.stderr


def test_postgres_connections_carry_the_application_name_given() -> None:
    db = database("postgresql://lab@db/asynclab", "asynclab-wsgi-8123")
    assert db["OPTIONS"]["application_name"] == "asynclab-wsgi-8123"
    assert database("postgres://lab@db/asynclab")["OPTIONS"]["application_name"] == "asynclab"


def test_a_server_names_itself_by_its_kind_and_port() -> None:
    lab = LabSettings(wsgi_port=8123, asgi_port=8124)
    assert application_of({"LAB_SERVER": "wsgi"}, lab) == "asynclab-wsgi-8123"
    assert application_of({"LAB_SERVER": "asgi"}, lab) == "asynclab-asgi-8124"
    assert application_of({}, lab) == "asynclab"  # migrations, a shell


def test_a_server_process_gives_its_name_to_its_database_connections() -> None:
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'])"
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    child_env.update(
        DJANGO_SETTINGS_MODULE="django_app.settings",
        DATABASE_URL="postgres://lab@db.invalid/asynclab",
        LAB_SERVER="asgi",
        ASGI_PORT="8124",
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=child_env, capture_output=True, text=True, check=True
    )
    assert "'application_name': 'asynclab-asgi-8124'" in out.stdout
