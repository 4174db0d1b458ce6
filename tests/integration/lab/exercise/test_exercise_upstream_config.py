"""What a phase sets on the upstream is undone when the phase ends, however it ends."""

import json
import urllib.request
from collections.abc import Iterator

import pytest

from contracts.settings import LabSettings
from lab.exercise.engine import SetupError, upstream_config
from lab.runner import running, with_free_ports

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = with_free_ports(
        LabSettings(lab_var_dir=str(tmp_path_factory.mktemp("var"))), "upstream"
    )
    with running("upstream", settings) as url:
        yield url


def config(upstream: str) -> dict[str, object]:
    with urllib.request.urlopen(upstream + "/config", timeout=5) as r:
        data: dict[str, object] = json.load(r)
        return data


def test_a_change_is_undone_after_the_block(upstream: str) -> None:
    before = config(upstream)
    with upstream_config(upstream, {"jitter_ms": 7}):
        assert config(upstream)["jitter_ms"] == 7
    assert config(upstream) == before


def interrupted_phase(upstream: str) -> None:
    with upstream_config(upstream, {"delay_ms": 900}):
        assert config(upstream)["delay_ms"] == 900
        raise KeyboardInterrupt


def test_a_change_is_undone_when_the_block_fails(upstream: str) -> None:
    before = config(upstream)
    with pytest.raises(KeyboardInterrupt):
        interrupted_phase(upstream)
    assert config(upstream) == before


def test_a_refused_change_is_a_setup_error(upstream: str) -> None:
    with (
        pytest.raises(SetupError, match="upstream refused PUT /config"),
        upstream_config(upstream, {"jitter_ms": -1}),
    ):
        pytest.fail("the block must not run")
