"""One small lab (upstream + Django on uvicorn) for the load-generator tests, on free ports."""

from collections.abc import Iterator

import pytest
from loadgen_lab import Lab

from contracts.settings import LabSettings
from lab.runner import running, with_free_ports


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = LabSettings(lab_var_dir=str(tmp_path_factory.mktemp("var")))
    settings = with_free_ports(base, "upstream", "asgi", "locust")
    with running("upstream", settings) as upstream, running("asgi", settings) as asgi:
        yield Lab(settings, upstream, asgi)
