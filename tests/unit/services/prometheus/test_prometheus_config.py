"""services/prometheus/: the two configurations (local, compose) and the recording rules."""

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.paths import REPO
from contracts.settings import LabSettings
from contracts.topology import BY_NAME, SCRAPE_ONLY, SERVICES
from lab import prometheus
from lab.serve import command

RULES = sorted(prometheus.RULES_DIR.glob("*.yml"))
RULE_TESTS = sorted((prometheus.PROMETHEUS_DIR / "tests").glob("*.test.yml"))


def jobs(text: str) -> dict[str, Any]:
    config = yaml.safe_load(text)
    return {job["job_name"]: job for job in config["scrape_configs"]}


def targets(text: str) -> dict[str, list[str]]:
    return {name: job["static_configs"][0]["targets"] for name, job in jobs(text).items()}


def test_committed_compose_config_is_the_rendered_one() -> None:
    assert prometheus.COMPOSE_CONFIG.read_text() == prometheus.render_compose(), (
        "services/prometheus/prometheus.yml is stale: run `python -m lab.prometheus`"
    )


def test_every_service_is_scraped_with_its_service_label() -> None:
    for text in (prometheus.render_compose(), prometheus.render_local(LabSettings())):
        found = jobs(text)
        scraped = [s.name for s in SERVICES if s.scraped]
        assert list(found) == scraped + [t.name for t in SCRAPE_ONLY]
        for name, job in found.items():
            (static,) = job["static_configs"]
            assert static["labels"] == {"service": name}


def test_compose_targets_are_the_compose_services_on_their_container_ports() -> None:
    found = targets(prometheus.render_compose())
    assert found == {
        "upstream": ["upstream:8080"],
        "wsgi": ["django-wsgi:8001"],
        "asgi": ["django-asgi:8002"],
        "locust": ["locust-master:8089"],
        "prometheus": ["prometheus:9090"],
        # `lab exercise run`, on the host, while it runs.
        "exercise": ["host.docker.internal:9646"],
    }


def test_compose_file_defines_the_scraped_services() -> None:
    compose = REPO / "docker-compose.yml"
    services = yaml.safe_load(compose.read_text())["services"]
    missing = {s.compose_name for s in SERVICES if s.scraped} - set(services)
    assert not missing, f"Prometheus scrapes compose services that do not exist: {missing}"


def test_local_config_follows_the_configured_ports(tmp_path: Path) -> None:
    s = LabSettings(
        lab_host="0.0.0.0", wsgi_port=18001, asgi_port=18002, prometheus_port=19090,
        exercise_metrics_port=19646, lab_var_dir=str(tmp_path),
    )  # fmt: skip
    found = targets(prometheus.render_local(s))
    assert found["wsgi"] == ["127.0.0.1:18001"]
    assert found["asgi"] == ["127.0.0.1:18002"]
    assert found["prometheus"] == ["127.0.0.1:19090"]
    assert found["upstream"] == ["127.0.0.1:8080"]
    assert found["exercise"] == ["127.0.0.1:19646"]


def test_behind_the_proxy_the_servers_are_scraped_on_their_own_ports(tmp_path: Path) -> None:
    # Their figures are their own, as compose scrapes them by name: never through nginx,
    # which has no /metrics and is not scraped.
    s = LabSettings(lab_proxy="nginx", wsgi_backend_port=28001, asgi_backend_port=28002)
    found = targets(prometheus.render_local(s))
    assert found["wsgi"] == ["127.0.0.1:28001"]
    assert found["asgi"] == ["127.0.0.1:28002"]
    assert "nginx" not in found
    assert targets(prometheus.render_compose())["wsgi"] == ["django-wsgi:8001"]


def test_lab_serve_prometheus_writes_its_config_under_the_var_dir(tmp_path: Path) -> None:
    s = LabSettings(prometheus_port=19090, lab_var_dir=str(tmp_path))
    argv = command("prometheus", s)
    config = tmp_path / "prometheus-server" / "prometheus.yml"
    assert f"--config.file={config}" in argv
    assert f"--storage.tsdb.path={tmp_path / 'prometheus-server' / 'data'}" in argv
    assert "--web.listen-address=127.0.0.1:19090" in argv
    assert config.read_text() == prometheus.render_local(s)
    rules = yaml.safe_load(config.read_text())["rule_files"]
    assert rules == [str(prometheus.RULES_DIR / "*.yml")]


def test_the_prometheus_service_is_optional_and_health_checked() -> None:
    svc = BY_NAME["prometheus"]
    assert svc.needs_binary == "prometheus"
    assert svc.health_path == "/-/ready"
    assert SERVICES[-1] is svc, "Prometheus starts last, after everything it scrapes"


def test_the_generator_check_mode_detects_a_stale_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "prometheus.yml"
    stale.write_text(prometheus.render_compose().replace("2s", "15s"))
    monkeypatch.setattr(prometheus, "COMPOSE_CONFIG", stale)
    assert prometheus.main(["--check"]) == 1
    assert prometheus.main([]) == 0
    assert prometheus.main(["--check"]) == 0


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.prometheus
def test_promtool_accepts_the_compose_config(promtool: str) -> None:
    r = run([promtool, "check", "config", str(prometheus.COMPOSE_CONFIG)])
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.prometheus
def test_promtool_accepts_the_local_config(promtool: str, tmp_path: Path) -> None:
    command("prometheus", LabSettings(lab_var_dir=str(tmp_path)))
    config = tmp_path / "prometheus-server" / "prometheus.yml"
    r = run([promtool, "check", "config", str(config)])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCESS: 1 rule files found" in r.stdout


@pytest.mark.prometheus
def test_promtool_accepts_the_rules(promtool: str) -> None:
    assert RULES
    r = run([promtool, "check", "rules", *map(str, RULES)])
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.prometheus
def test_every_recording_rule_passes_its_unit_tests(promtool: str) -> None:
    assert RULE_TESTS
    r = run([promtool, "test", "rules", *map(str, RULE_TESTS)])
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_recording_rule_has_a_unit_test() -> None:
    records = {
        rule["record"]
        for path in RULES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    }
    tested: set[str] = set()
    for path in RULE_TESTS:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for t in case.get("promql_expr_test", []):
                tested.update(r for r in records if r in t["expr"])
    assert records - tested == set()


def test_lab_up_skips_prometheus_with_a_note_when_the_binary_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shutil

    from lab import up

    real_which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name: None if name == "prometheus" else real_which(name)
    )
    chosen, notes = up.plan(LabSettings(), ["upstream", "prometheus"])
    assert [s.name for s in chosen] == ["upstream"]
    assert notes == ["prometheus: skipped, no `prometheus` on PATH"]
