"""services/docker/Dockerfile and .dockerignore, read statically (no Docker engine needed).

The images are built only from the Python base image named by the PYTHON_IMAGE build
argument (dependencies from PyPI, no other registry image such as a uv image), their
runtime stages run as an unprivileged user, and the build context leaves out local
environments, runtime state, history and secrets.
"""

from __future__ import annotations

import re

import pytest
import yaml

from contracts.paths import REPO

DOCKERFILE = REPO / "services" / "docker" / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), comments dropped and continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


INSTRUCTIONS = _instructions()
# What an instruction reads from another image: COPY --from=X, RUN --mount=...,from=X.
SOURCE = re.compile(r"(?:--|,)from=([^\s,]+)")


def _stages() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(base, stage name, the stage's instructions) per FROM."""
    stages: list[tuple[str, str, list[tuple[str, str]]]] = []
    for word, rest in INSTRUCTIONS:
        if word == "FROM":
            match = re.fullmatch(r"(?:--platform=\S+\s+)?(\S+)\s+AS\s+(\S+)", rest, re.I)
            assert match, f"FROM {rest}: every stage is named (FROM base AS name)"
            stages.append((match[1], match[2], []))
        else:
            assert stages or word == "ARG", f"{word} before the first FROM"
            if stages:
                stages[-1][2].append((word, rest))
    return stages


STAGES = _stages()


def _global_args() -> dict[str, str]:
    args = {}
    for word, rest in INSTRUCTIONS:
        if word == "FROM":
            break
        if word == "ARG":
            name, _, default = rest.partition("=")
            args[name] = default
    return args


def test_the_base_image_is_an_arg_with_the_pinned_default() -> None:
    args = _global_args()
    assert "PYTHON_IMAGE" in args
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert (
        compose["x-build"]["args"]["PYTHON_IMAGE"] == f"${{PYTHON_IMAGE:-{args['PYTHON_IMAGE']}}}"
    )


def test_every_from_is_the_python_base_or_an_earlier_stage() -> None:
    assert STAGES
    seen: set[str] = set()
    for base, name, _ in STAGES:
        assert base == "${PYTHON_IMAGE}" or base in seen, f"stage {name} is FROM {base}"
        seen.add(name)


def test_no_other_registry_image_is_copied_from_or_mounted() -> None:
    names = {name for _, name, _ in STAGES}
    for word, rest in INSTRUCTIONS:
        for source in SOURCE.findall(rest):
            assert source in names, f"{word} {rest}: {source} is not a stage of this file"


def _final_stages() -> list[str]:
    """Stages nothing else builds on or copies from: the targets compose builds."""
    bases = {base for base, _, _ in STAGES}
    bases |= {src for _, rest in INSTRUCTIONS for src in SOURCE.findall(rest)}
    return [name for _, name, _ in STAGES if name not in bases]


def _user_of(stage: str) -> str | None:
    """The USER a stage runs as: its own last USER, else its base stage's."""
    by_name = {name: (base, body) for base, name, body in STAGES}
    while stage in by_name:
        base, body = by_name[stage]
        users = [rest for word, rest in body if word == "USER"]
        if users:
            return users[-1]
        stage = base
    return None  # the base image's default: root


def test_compose_builds_the_final_stages() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    targets = {s["build"]["target"] for s in compose["services"].values() if "build" in s}
    assert targets == set(_final_stages())


@pytest.mark.parametrize("stage", _final_stages())
def test_final_stages_run_as_a_non_root_user(stage: str) -> None:
    user = _user_of(stage)
    assert user is not None, f"{stage} runs as root"
    name = user.split(":")[0]
    assert name not in ("root", "0"), f"{stage} runs as {user}"


# --- .dockerignore ----------------------------------------------------------------------------


def _rules() -> list[tuple[bool, re.Pattern[str]]]:
    """(excludes, pattern) in file order; the last rule matching a path wins."""
    rules = []
    for raw in DOCKERIGNORE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        pattern = line.removeprefix("!").strip("/")
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        rules.append((not include, re.compile(regex)))
    return rules


def _excluded(path: str) -> bool:
    """Docker's rule: a path is left out when it, or a directory above it, is matched by an
    exclude that no later include overrides."""
    parts = path.split("/")
    excluded = False
    for excludes, regex in _rules():
        if any(regex.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            excluded = excludes
    return excluded


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        "var/prometheus/wsgi/counter.db",
        ".git/HEAD",
        ".env",
        "lab/.env",
        "services/.venv/bin/python",
        "lab/var/x",
        "django_app/__pycache__/x.pyc",
        "tests/unit/test_compose_topology.py",
    ],
)
def test_the_build_context_leaves_out(path: str) -> None:
    assert _excluded(path)


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "uv.lock",
        "contracts/settings.py",
        "django_app/settings.py",
        "slow_upstream/app.py",
        "loadgen/locust.conf",
        "services/docker/healthcheck.py",
    ],
)
def test_the_build_context_keeps(path: str) -> None:
    assert not _excluded(path)
    assert (REPO / path).exists(), f"{path}: not in the repository any more; update this test"
