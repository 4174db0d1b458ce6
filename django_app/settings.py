"""Django settings for both servers, read from the environment.

The lab's own knobs come through one typed object (`LAB`, see contracts/settings.py); Django's
come from `DJANGO_*` variables and `DATABASE_URL`. Both servers import this one module.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from contracts.database import APPLICATION, POSTGRES_SCHEMES, application_name
from contracts.hosts import accepted_hosts
from contracts.paths import REPO
from contracts.settings import LabSettings
from contracts.topology import BY_NAME
from contracts.values import BadValue, parse_flag

BASE_DIR = REPO

LAB = LabSettings.from_env()


def _flag(name: str) -> bool:
    raw = os.environ.get(name, "")
    try:
        return raw != "" and parse_flag(raw)
    except BadValue as e:
        raise ImproperlyConfigured(f"{name}: {e}") from None


def _list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# No secret lives in the repository: without one, each process makes its own. The lab keeps
# no sessions or signed cookies, so per-process keys cost nothing.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)
DEBUG = _flag("DJANGO_DEBUG")
# Loopback, the compose service names and LAB_ALLOWED_HOSTS: a hostile name resolving to
# 127.0.0.1 (DNS rebinding) gets a 400, like every other Host.
ALLOWED_HOSTS = list(accepted_hosts(LAB))

# What `django-admin startproject` writes: Django's `MiddlewareMixin`s, each of which runs its
# hooks through sync_to_async under ASGI, and the apps they need to be imported.
STARTPROJECT_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
STARTPROJECT_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]
# MIDDLEWARE_STACK: what comes after the lab's own two middlewares.
STACKS: dict[str, list[str]] = {
    "lab": [],
    "sync-only": ["django_app.extra_middleware.SyncOnlyMiddleware"],
    "django": STARTPROJECT_MIDDLEWARE,
}

INSTALLED_APPS = [
    "django_app.apps.DjangoAppConfig",
    *(STARTPROJECT_APPS if LAB.middleware_stack == "django" else []),
]

# Minimal on purpose: every middleware is on the path of every request. The observability
# middleware is sync- and async-capable (no thread hop under ASGI) and comes first so that it
# times everything after it; LAB_INSTRUMENTATION=off leaves it out, to measure its cost.
# MIDDLEWARE_STACK adds a sync-only middleware or Django's usual stack, to measure what they
# cost under ASGI; DJANGO_EXTRA_MIDDLEWARE appends dotted paths.
EXTRA_MIDDLEWARE = _list("DJANGO_EXTRA_MIDDLEWARE")
OBSERVABILITY_MIDDLEWARE = "django_app.observability.middleware.ObservabilityMiddleware"
MIDDLEWARE = [
    *([OBSERVABILITY_MIDDLEWARE] if LAB.instrumented else []),
    "django_app.security.SecurityHeadersMiddleware",
    *STACKS[LAB.middleware_stack],
    *EXTRA_MIDDLEWARE,
]

ROOT_URLCONF = "django_app.urls"
WSGI_APPLICATION = "django_app.wsgi.application"
# The pages (`/page/*`) and a browser's error pages: templates from django_app/templates/,
# no context processors (no request, user or messages in any template).
TEMPLATES: list[dict[str, Any]] = [
    {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}
]

# Several processes per server and no pooling without explicit OPTIONS: each request gives
# its connection back when it ends. Under ASGI, persistent connections are not allowed anyway.
CONN_MAX_AGE = 0
DB_POOL_SIZE = int(os.environ.get("DJANGO_DB_POOL_SIZE", "20"))


def application_of(env: Mapping[str, str], lab: LabSettings) -> str:
    """Who this process is to PostgreSQL: the server `lab serve` started and its port
    (`asynclab-asgi-8002`), so its connections can be told from others' on the same database;
    the lab's plain name in any other process (migrations, a shell)."""
    server = env.get("LAB_SERVER", "")
    if server in ("wsgi", "asgi"):
        return application_name(server, BY_NAME[server].port(lab))
    return APPLICATION


def database(url: str, application: str = APPLICATION) -> dict[str, Any]:
    """One DATABASES entry from a URL: postgres://user:pass@host:port/name or sqlite:///path
    (sqlite:////absolute/path). `application`: libpq's application_name (PostgreSQL)."""
    parts = urlsplit(url)
    if parts.scheme in POSTGRES_SCHEMES:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 0,
            # psycopg's pool: a slow query holds a connection, so the pool bounds the
            # concurrency of /db/*; waiting longer than the longest query would be a bug.
            "OPTIONS": {
                "pool": {"min_size": 1, "max_size": DB_POOL_SIZE, "timeout": 35},
                "application_name": application,
            },
        }
    if parts.scheme == "sqlite":
        # sqlite:///relative.db or sqlite:////absolute/path.db, as dj-database-url reads them.
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parts.path[1:])}
    raise ValueError(f"DATABASE_URL={url!r}: expected postgres://... or sqlite:///...")


DATABASES = {
    "default": database(
        os.environ.get("DATABASE_URL") or f"sqlite:///{LAB.sqlite_path()}",
        application_of(os.environ, LAB),
    )
}

# UTC: no time-zone database needed (the slim images may lack one), and the same clock as
# Prometheus and the load generators.
TIME_ZONE = "UTC"
USE_TZ = True
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"drop_upstream_faults": {"()": "django_app.errors.DropUpstreamFaults"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    # 4xx answers are part of the experiments (bad input), and so are the 502/504 an upstream
    # fault becomes: logging each one would flood the server log under load. ERROR drops the
    # 4xx; the filter drops 502/504 (a logger's filters apply to the records it creates), so
    # a real 500 is still logged with its traceback.
    "loggers": {"django.request": {"level": "ERROR", "filters": ["drop_upstream_faults"]}},
}
