"""Binaries some tests need: required in CI (`.ci/run` installs them and sets CI), optional
on a laptop, where the tests skip and say what to install."""

import os
import shutil

import pytest


def required_binary(name: str, install: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not on PATH, and CI must run these tests: {install}")
        pytest.skip(f"{name} is not on PATH ({install})")
    return path


@pytest.fixture(scope="session")
def promtool() -> str:
    return required_binary("promtool", "Debian: apt-get install prometheus")


@pytest.fixture(scope="session")
def prometheus_binary() -> str:
    return required_binary("prometheus", "Debian: apt-get install prometheus")


@pytest.fixture(scope="session")
def docker_cli() -> str:
    return required_binary("docker", "Docker Engine with the Compose v2 plugin")


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    return required_binary("nginx", "Debian: apt-get install nginx-light (or nginx)")


@pytest.fixture(scope="session")
def chromium_binary() -> str:
    return required_binary("chromium", "Debian: apt-get install chromium")
