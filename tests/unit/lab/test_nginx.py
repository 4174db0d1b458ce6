"""The proxy's configuration (lab/nginx.py): both servers behind the same settings, on the
ports users know; locally its state in the lab's var directory; in compose the committed
file, reaching the servers by name."""

import re
import subprocess
from pathlib import Path

import pytest

from contracts.settings import MAX_TIMEOUT_S, LabSettings
from contracts.topology import BY_NAME, NGINX, SERVICES
from lab import nginx
from lab.runner import ServiceFailed, proxy
from lab.serve import command

PROXIED = LabSettings(
    lab_proxy="nginx",
    wsgi_port=9001,
    asgi_port=9002,
    wsgi_backend_port=19001,
    asgi_backend_port=19002,
)


def servers(text: str) -> dict[str, str]:
    """Each upstream's name -> its server block, with its own name and address blanked."""
    found = {}
    pattern = r"upstream (\w+) \{.*?\n    \}\n\n    server \{.*?\n    \}"
    for match in re.finditer(pattern, text, re.S):
        name = match[1]
        block = re.sub(r"server \S+;", "server ADDRESS;", match[0])
        block = re.sub(r"listen \S+", "listen PORT", block)
        found[name] = block.replace(name, "NAME")
    return found


@pytest.mark.parametrize(
    "text",
    [nginx.render_local(PROXIED), nginx.render_compose()],
    ids=["local", "compose"],
)
def test_both_servers_sit_behind_the_same_settings(text: str) -> None:
    blocks = servers(text)
    assert list(blocks) == ["wsgi", "asgi"]
    assert blocks["wsgi"] == blocks["asgi"]
    # Buffered both ways, connections to the servers kept: set once, for both.
    for directive in (
        "proxy_request_buffering on;",
        "proxy_buffering on;",
        "proxy_http_version 1.1;",
        'proxy_set_header Connection "";',
        "proxy_set_header Host $http_host;",
    ):
        assert text.count(directive) == 1, directive
    assert "keepalive 32;" in blocks["wsgi"]


def test_locally_it_takes_the_servers_ports_and_passes_to_their_backend_ports() -> None:
    text = nginx.render_local(PROXIED)
    assert "listen 127.0.0.1:9001 backlog=2048;" in text
    assert "listen 127.0.0.1:9002 backlog=2048;" in text
    assert "server 127.0.0.1:19001;" in text
    assert "server 127.0.0.1:19002;" in text


def test_in_compose_it_listens_on_the_container_ports_and_reaches_the_servers_by_name() -> None:
    text = nginx.render_compose()
    assert "listen 8001 backlog=2048;" in text
    assert "server django-wsgi:8001;" in text
    assert "server django-asgi:8002;" in text
    assert "user nginx;" in text  # the image's master is root; its workers are not
    assert "pid " not in text
    assert "_temp_path" not in text


def test_the_committed_compose_config_is_the_rendered_one() -> None:
    assert nginx.COMPOSE_CONFIG.read_text() == nginx.render_compose(), (
        "services/nginx/nginx.conf is stale: run `python -m lab.nginx`"
    )


def test_the_check_mode_detects_a_stale_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "nginx.conf"
    stale.write_text(nginx.render_compose().replace("keepalive 32;", "keepalive 8;"))
    monkeypatch.setattr(nginx, "COMPOSE_CONFIG", stale)
    assert nginx.main(["--check"]) == 1
    assert nginx.main([]) == 0
    assert nginx.main(["--check"]) == 0


def test_it_never_cuts_a_request_the_servers_allow() -> None:
    longest = LabSettings(upstream_timeout_s=MAX_TIMEOUT_S).gunicorn_worker_timeout_s()
    assert longest <= nginx.READ_TIMEOUT_S
    assert f"proxy_read_timeout {nginx.READ_TIMEOUT_S}s;" in nginx.render_compose()


def test_lab_serve_nginx_keeps_its_state_under_the_var_dir(tmp_path: Path) -> None:
    s = LabSettings(lab_proxy="nginx", lab_var_dir=str(tmp_path))
    argv = command("nginx", s)
    state = tmp_path / "nginx"
    assert argv[1:] == [
        "-p", str(state), "-c", str(state / "nginx.conf"), "-e", "stderr", "-g", "daemon off;",
    ]  # fmt: skip
    text = (state / "nginx.conf").read_text()
    assert text == nginx.render_local(s)
    assert f"pid {state / 'nginx.pid'};" in text
    assert f"proxy_temp_path {state / 'tmp' / 'proxy'};" in text
    assert (state / "tmp" / "client_body").is_dir()
    assert "error_log stderr warn;" in text
    assert "access_log off;" in text


def test_the_proxy_fronts_both_servers_and_runs_only_when_on() -> None:
    assert NGINX.fronts == ("wsgi", "asgi")
    assert not NGINX.runs(LabSettings())
    assert NGINX.runs(PROXIED)
    assert not NGINX.scraped  # nginx has no /metrics
    assert NGINX.listen_ports(PROXIED) == (9001, 9002)
    # Behind it, each server listens on its backend port and is started with it.
    wsgi = BY_NAME["wsgi"]
    assert wsgi.listen_port(PROXIED) == 19001
    assert wsgi.started_with(PROXIED).wsgi_port == 19001
    assert wsgi.started_with(LabSettings()) == LabSettings()
    assert [s.name for s in SERVICES].index("nginx") > [s.name for s in SERVICES].index("asgi")


def test_nginx_accepts_the_local_config(nginx_binary: str, tmp_path: Path) -> None:
    argv = command("nginx", LabSettings(lab_proxy="nginx", lab_var_dir=str(tmp_path)))
    r = subprocess.run(
        [nginx_binary, *argv[1:-2], "-t"], capture_output=True, text=True, timeout=30
    )
    assert r.returncode == 0, r.stderr
    assert "test is successful" in r.stderr


def test_a_proxy_without_nginx_is_a_failure_that_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `nginx` here
    needs = r"LAB_PROXY=nginx needs `nginx` on PATH"
    with pytest.raises(ServiceFailed, match=needs), proxy(PROXIED, ["wsgi"]):
        pass
    with pytest.raises(ValueError, match="the proxy is off"), proxy(LabSettings(), ["wsgi"]):
        pass
