"""`lab compose`: one function builds every docker compose call; errors are one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.paths import REPO
from contracts.settings import LabSettings
from lab.compose import (
    COMPOSE_FILE,
    PROXY_FILE,
    REMOTE_FILE,
    compose_argv,
    compose_files,
    services,
    urls,
)


def run_lab(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"PATH": path} if path is not None else {})}
    return subprocess.run(
        [sys.executable, "-m", "lab", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd="/",  # compose must find its file whatever the caller's directory
    )


def test_every_call_names_the_file_and_project_directory() -> None:
    argv = compose_argv("ps")
    assert argv[:2] == ["docker", "compose"]
    assert argv[argv.index("-f") + 1] == str(COMPOSE_FILE)
    assert argv[argv.index("--project-directory") + 1] == str(REPO)
    assert argv[-1] == "ps"


def test_urls_follow_the_settings_and_the_services_started() -> None:
    s = LabSettings(grafana_port=3300, asgi_port=9002)
    lines = urls(s, ["grafana", "django-asgi", "migrate"])
    assert len(lines) == 2
    assert "http://127.0.0.1:3300" in lines[0]
    assert "http://127.0.0.1:9002" in lines[1]


def test_the_proxy_adds_its_file_over_the_other() -> None:
    assert compose_files(LabSettings()) == (COMPOSE_FILE,)
    files = compose_files(LabSettings(lab_proxy="nginx"))
    assert files == (COMPOSE_FILE, PROXY_FILE)
    argv = compose_argv("ps", files=files)
    assert argv[argv.index("-f") :] == ["-f", str(COMPOSE_FILE), "-f", str(PROXY_FILE), "ps"]


def test_a_publish_address_adds_the_remote_workers_file() -> None:
    files = compose_files(LabSettings(lab_publish_host="192.168.1.5"))
    assert files == (COMPOSE_FILE, REMOTE_FILE)


def test_urls_say_which_servers_are_behind_the_proxy() -> None:
    s = LabSettings(lab_proxy="nginx", wsgi_port=9001, asgi_port=9002)
    wsgi, nginx = urls(s, ["django-wsgi", "nginx"])
    assert "http://127.0.0.1:9001" in wsgi
    assert wsgi.endswith("Django on gunicorn (WSGI), through nginx")
    assert nginx.endswith("in front of both servers (:9001, :9002)")
    (direct,) = urls(LabSettings(), ["django-wsgi"])
    assert direct.endswith("Django on gunicorn (WSGI)")


def test_no_docker_is_one_line(tmp_path: Path) -> None:
    r = run_lab("compose", "up", path=str(tmp_path))
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        "lab compose: no `docker` on PATH: install Docker Engine with the Compose v2 plugin"
    ]


@pytest.mark.usefixtures("docker_cli")
def test_an_unknown_service_is_one_line_naming_the_real_ones() -> None:
    r = run_lab("compose", "up", "--without", "varnish")
    assert r.returncode == 1
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("lab compose: unknown service varnish; choose from ")
    assert "django-asgi" in line
    assert "grafana" in line


@pytest.mark.usefixtures("docker_cli")
def test_leaving_grafana_out_also_leaves_out_its_one_shot_init() -> None:
    # `up --wait` would count a named grafana-init that nothing waits for as failed.
    chosen = services(["grafana"])
    assert "grafana" not in chosen
    assert "grafana-init" not in chosen
    assert {"django-wsgi", "django-asgi", "upstream", "prometheus"} <= set(chosen)
    assert "grafana-init" in services()


@pytest.mark.usefixtures("docker_cli")
def test_with_the_proxy_compose_knows_nginx() -> None:
    assert "nginx" not in services()
    assert "nginx" in services(files=compose_files(LabSettings(lab_proxy="nginx")))
