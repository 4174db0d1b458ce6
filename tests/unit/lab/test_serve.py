import contextlib
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from contracts.settings import LabSettings
from lab.serve import command, environment, metrics_dir, migrate, migrated, prepare


def test_wsgi_runs_gunicorn_with_equal_worker_knobs() -> None:
    s = LabSettings.from_env(
        {"WEB_WORKERS": "3", "WEB_THREADS": "4", "WSGI_WORKER_CLASS": "gthread"}
    )
    argv = command("wsgi", s)
    assert argv[1:3] == ["-m", "gunicorn"]
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--threads") + 1] == "4"
    assert argv[argv.index("--worker-class") + 1] == "gthread"
    assert "--no-control-socket" in argv
    assert argv[-1] == "django_app.wsgi:application"


def test_asgi_runs_uvicorn_without_lifespan_or_gunicorn_with_uvicorn_workers() -> None:
    uv = command("asgi", LabSettings.from_env({"WEB_WORKERS": "3"}))
    assert uv[1:3] == ["-m", "uvicorn"]
    assert uv[uv.index("--lifespan") + 1] == "off"
    assert uv[uv.index("--workers") + 1] == "3"
    gu = command("asgi", LabSettings.from_env({"ASGI_SERVER": "gunicorn"}))
    assert gu[gu.index("--worker-class") + 1] == "django_app.uvicorn_worker.DjangoUvicornWorker"


def test_gevent_runs_gunicorns_gevent_worker_with_its_greenlets() -> None:
    s = LabSettings.from_env({"WSGI_WORKER_CLASS": "gevent", "GEVENT_GREENLETS": "300"})
    argv = command("wsgi", s)
    assert argv[argv.index("--worker-class") + 1] == "gevent"
    assert argv[argv.index("--worker-connections") + 1] == "300"
    # Only the gevent worker: a gthread worker would take it as its connection limit.
    assert "--worker-connections" not in command("wsgi", LabSettings(wsgi_worker_class="gthread"))
    assert environment("wsgi", s, base={})["DJANGO_ALLOW_ASYNC_UNSAFE"] == "true"
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in environment("wsgi", LabSettings(), base={})


def test_granian_serves_both_interfaces_with_every_knob_explicit() -> None:
    s = LabSettings.from_env(
        {
            "WSGI_SERVER": "granian",
            "ASGI_SERVER": "granian",
            "WEB_WORKERS": "3",
            "WEB_THREADS": "4",
            "GRANIAN_RUNTIME_THREADS": "2",
            "UPSTREAM_POOL_SIZE": "50",
        }
    )
    wsgi, asgi = command("wsgi", s), command("asgi", s)
    for argv in (wsgi, asgi):
        assert argv[1:3] == ["-m", "granian"]
        assert argv[argv.index("--workers") + 1] == "3"
        assert argv[argv.index("--runtime-threads") + 1] == "2"
    assert wsgi[wsgi.index("--interface") + 1] == "wsgi"
    assert wsgi[wsgi.index("--blocking-threads") + 1] == "4"
    assert wsgi[-1] == "django_app.wsgi:application"
    # ASGI without lifespan (Django has none), one blocking thread (granian allows no more).
    assert asgi[asgi.index("--interface") + 1] == "asginl"
    assert asgi[asgi.index("--blocking-threads") + 1] == "1"
    assert asgi[asgi.index("--backpressure") + 1] == "50"
    assert asgi[-1] == "django_app.asgi:application"


def test_each_server_gets_its_own_fresh_metrics_dir(tmp_path: Path) -> None:
    s = LabSettings.from_env({"LAB_VAR_DIR": str(tmp_path)})
    assert metrics_dir("wsgi", s) != metrics_dir("asgi", s)
    stale = metrics_dir("wsgi", s) / "counter_123.db"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    prepare("wsgi", s)
    assert metrics_dir("wsgi", s).is_dir()
    assert not stale.exists()
    env = environment("wsgi", s, base={})
    assert env["PROMETHEUS_MULTIPROC_DIR"] == str(metrics_dir("wsgi", s))
    assert env["LAB_SERVER"] == "wsgi"
    assert env["WSGI_PORT"] == "8001"


def test_single_process_services_keep_metrics_in_memory(tmp_path: Path) -> None:
    # An inherited multiprocess dir would put the upstream's hot path on mmap'd files.
    s = LabSettings.from_env({"LAB_VAR_DIR": str(tmp_path)})
    env = environment("upstream", s, base={"PROMETHEUS_MULTIPROC_DIR": "/elsewhere"})
    assert "PROMETHEUS_MULTIPROC_DIR" not in env
    prepare("upstream", s)
    assert not metrics_dir("upstream", s).exists()


def test_the_given_base_environment_reaches_the_child(tmp_path: Path) -> None:
    s = LabSettings.from_env({"LAB_VAR_DIR": str(tmp_path)})
    env = environment("upstream", s, base={"SLOW_DELAY_MS": "5", "WEB_WORKERS": "9"})
    assert env["SLOW_DELAY_MS"] == "5"
    assert env["WEB_WORKERS"] == "2"  # the settings object is the one truth for its knobs


def _items(db: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return [name for (name,) in conn.execute("SELECT name FROM django_app_item")]


def test_a_django_server_migrates_the_embedded_database_first(tmp_path: Path) -> None:
    s = LabSettings.from_env({"LAB_VAR_DIR": str(tmp_path / "var")})
    db = s.sqlite_path()
    assert not migrated(db)
    migrate("wsgi", s, base={})
    assert migrated(db)
    assert _items(db) == ["the row the slow query reads"]
    migrate("asgi", s, base={})  # already done: the same one row
    assert _items(db) == ["the row the slow query reads"]


def test_servers_starting_together_migrate_one_at_a_time(tmp_path: Path) -> None:
    s = LabSettings.from_env({"LAB_VAR_DIR": str(tmp_path)})
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda name: migrate(name, s, base={}), ["wsgi", "asgi"]))
    assert _items(s.sqlite_path()) == ["the row the slow query reads"]


def test_a_database_url_or_another_service_is_not_migrated(tmp_path: Path) -> None:
    s = LabSettings.from_env({"LAB_VAR_DIR": str(tmp_path)})
    migrate("wsgi", s, base={"DATABASE_URL": "postgres://lab@db.invalid/lab"})
    migrate("upstream", s, base={})
    assert not s.sqlite_path().exists()
