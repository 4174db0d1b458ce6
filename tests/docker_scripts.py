"""The helper scripts of the images (services/docker/), loaded from their files: they are
copied into the images on their own, not installed as a package."""

import importlib.util
from types import ModuleType

from contracts.paths import REPO

DOCKER_DIR = REPO / "services" / "docker"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, DOCKER_DIR / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
