"""A run's bench keeps the server of one phase for the next that needs the same one, and
starts a new one for a phase that reads what a server keeps, or needs other settings."""

import dataclasses
import json
import urllib.request
from pathlib import Path

import pytest
from lab_processes import started_from

from contracts.settings import LabSettings
from exercises.spec import Load, Phase
from lab.exercise import running_lab
from lab.exercise.bench import opened

pytestmark = pytest.mark.integration

PHASE = Phase(name="a", pattern="p", blocking="b", server="asgi", load=Load("/ping", users=1))


def pid(url: str) -> int:
    with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
        process: int = json.loads(r.read())["process"]["pid"]
        return process


def test_a_server_is_kept_for_the_same_settings_and_only_then(tmp_path: Path) -> None:
    var = tmp_path / "var"
    # One worker: /healthz then always names the same process while the server runs.
    settings = dataclasses.replace(LabSettings(), lab_var_dir=str(var), web_workers=1)
    with opened(settings, None, running_lab.NOTHING) as bench:
        with bench.server(PHASE, bench.settings, fresh=False, user="x a") as (url, user):
            first = pid(url)
            assert user == "x a"
        with bench.server(PHASE, bench.settings, fresh=False, user="x b") as (again, user):
            assert (again, pid(again), user) == (url, first, "x a")
        with bench.server(PHASE, bench.settings, fresh=True, user="x c") as (url, user):
            fresh = pid(url)
            assert fresh != first
            assert user == "x c"
        other = dataclasses.replace(bench.settings, web_workers=2)
        with bench.server(PHASE, other, fresh=False, user="x d") as (url, user):
            assert pid(url) != fresh
            assert user == "x d"
        # A phase that fails leaves its server stopped: the next one gets a new server.
        with pytest.raises(RuntimeError), bench.server(PHASE, other, fresh=False, user="x e"):
            raise RuntimeError("the phase failed")
        with bench.server(PHASE, other, fresh=False, user="x f") as (url, user):
            assert user == "x f"
    assert started_from(var) == []
