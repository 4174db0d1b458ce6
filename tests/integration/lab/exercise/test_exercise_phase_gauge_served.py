"""The phase gauge over HTTP, as Prometheus scrapes it: the series while a phase is measured,
none before or after, and no endpoint once the run is over."""

import urllib.error
import urllib.request

import pytest

from contracts.settings import LabSettings
from lab.exercise import phase_gauge
from lab.runner import free_port

pytestmark = pytest.mark.integration


def scrape(url: str) -> list[str]:
    with urllib.request.urlopen(url, timeout=5) as r:
        assert r.status == 200
        text: str = r.read().decode()
    return [line for line in text.splitlines() if line.startswith("lab_exercise_phase")]


def test_the_endpoint_shows_the_phase_being_measured_and_goes_with_the_run() -> None:
    settings = LabSettings(exercise_metrics_port=free_port())
    with phase_gauge.served(settings) as url:
        assert url == f"http://127.0.0.1:{settings.exercise_metrics_port}/metrics"
        assert scrape(url) == []
        with phase_gauge.measuring("blocking-in-async", "async"):
            assert scrape(url) == [
                'lab_exercise_phase{exercise="blocking-in-async",phase="async"} 1.0'
            ]
        assert scrape(url) == []
    with pytest.raises(urllib.error.URLError):
        scrape(url)


def test_it_is_served_on_the_docker_bridge_too_and_nowhere_else() -> None:
    # 127.0.0.2 stands in for the bridge's address: a second local address to listen on.
    settings = LabSettings(exercise_metrics_port=free_port())
    port = settings.exercise_metrics_port
    with phase_gauge.served(settings, bridges=["127.0.0.2"]):
        with phase_gauge.measuring("faults", "sync"):
            assert scrape(f"http://127.0.0.2:{port}/metrics") == [
                'lab_exercise_phase{exercise="faults",phase="sync"} 1.0'
            ]
        with pytest.raises(urllib.error.URLError):
            scrape(f"http://127.0.0.3:{port}/metrics")
    with pytest.raises(urllib.error.URLError):
        scrape(f"http://127.0.0.2:{port}/metrics")
