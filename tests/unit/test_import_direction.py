"""Imports point one way: the contracts leaf at the bottom, the services on it, `lab` on top.

Every import node of every module counts (function-level ones included), and so does every
string that names a module of the lab by its dotted path (`MIDDLEWARE`, `ROOT_URLCONF`,
`WSGI_APPLICATION`, a `--worker-class`, an app path like `django_app.asgi:application`):
Django and the servers import those by name.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from contracts.paths import REPO

# The lab's own top-level packages and folders of Python code.
PROJECT = frozenset(
    {"contracts", "django_app", "slow_upstream", "loadgen", "grafana", "lab", "services"}
    | {"benchmarks", "exercises"}
)

# What each part may import of the project (besides the standard library and third parties).
# `lab` (the CLI and orchestrator) and `benchmarks` sit on top: they may use everything.
ALLOWED: dict[str, frozenset[str]] = {
    "contracts": frozenset({"contracts"}),
    "django_app": frozenset({"contracts", "django_app"}),
    "slow_upstream": frozenset({"contracts", "slow_upstream"}),
    "loadgen": frozenset({"contracts", "loadgen"}),
    "grafana": frozenset({"contracts", "grafana"}),
    # The catalogue of exercises is data a learner reads: the engine in `lab` runs it.
    "exercises": frozenset({"contracts", "exercises"}),
    # gunicorn's config runs inside the Django servers' processes: it is their code.
    "services/gunicorn": frozenset({"contracts", "django_app"}),
    # Scripts the containers run beside the services (healthcheck, Grafana's secret).
    "services/docker": frozenset({"contracts"}),
    "lab": PROJECT,
    "benchmarks": PROJECT,
}
# The leaf imports no Django either: every service stands on it, Locust processes included.
FORBIDDEN_THIRD_PARTY: dict[str, frozenset[str]] = {
    "contracts": frozenset({"django"}),
    "loadgen": frozenset({"django"}),
    "slow_upstream": frozenset({"django"}),
}

DOTTED = re.compile(r"^(?P<module>[a-z_]+(?:\.[A-Za-z_][A-Za-z0-9_]*)+)(?::[A-Za-z_]\w*)?$")


@dataclass(frozen=True)
class Use:
    file: str
    line: int
    module: str
    how: str  # "import" or "by name"

    @property
    def top(self) -> str:
        return self.module.split(".")[0]


def part_of(path: Path) -> str:
    rel = path.relative_to(REPO).parts
    return "/".join(rel[:2]) if rel[0] == "services" else rel[0]


def uses(path: Path, source: str | None = None) -> Iterator[Use]:
    """Every module this file imports or names by its dotted path."""
    tree = ast.parse(source if source is not None else path.read_text(), str(path))
    file = str(path.relative_to(REPO))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Use(file, node.lineno, alias.name, "import")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield Use(file, node.lineno, node.module, "import")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = DOTTED.match(node.value)
            if match and match["module"].split(".")[0] in PROJECT:
                yield Use(file, node.lineno, match["module"], "by name")


def violations(path: Path, source: str | None = None) -> list[str]:
    part = part_of(path)
    allowed = ALLOWED[part]
    forbidden = FORBIDDEN_THIRD_PARTY.get(part, frozenset())
    found = []
    for use in uses(path, source):
        if use.top in PROJECT and use.top not in allowed:
            found.append(f"{use.file}:{use.line}: {part} uses {use.module} ({use.how})")
        elif use.top in forbidden:
            found.append(f"{use.file}:{use.line}: {part} must not import {use.top}")
    return found


def sources() -> list[Path]:
    return sorted(
        path
        for top in PROJECT
        if (REPO / top).is_dir()
        for path in (REPO / top).rglob("*.py")
        if ".venv" not in path.parts
    )


def test_every_part_of_the_project_has_a_rule() -> None:
    assert sources(), "no Python files found"
    assert {part_of(p) for p in sources()} <= set(ALLOWED)


def test_imports_point_one_way() -> None:
    found = [v for path in sources() for v in violations(path)]
    assert found == [], "imports against the house plan:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("file", "source", "expected"),
    [
        ("django_app/x.py", "from lab.settings import LabSettings", "django_app uses lab.settings"),
        ("loadgen/x.py", "def f():\n    from django_app import params", "loadgen uses django_app"),
        ("loadgen/x.py", "import django.http", "loadgen must not import django"),
        ("contracts/x.py", "from django.http import QueryDict", "must not import django"),
        ("contracts/x.py", "import lab.cli", "contracts uses lab.cli"),
        ("slow_upstream/x.py", "import loadgen.targets", "slow_upstream uses loadgen.targets"),
        ("services/gunicorn/x.py", "from lab.settings import X", "services/gunicorn uses lab"),
        (
            "django_app/x.py",
            'WORKER = "lab.uvicorn_worker.W"',
            "uses lab.uvicorn_worker.W (by name)",
        ),
        ("django_app/x.py", 'APP = "loadgen.app:app"', "django_app uses loadgen.app (by name)"),
        ("exercises/x.py", "from lab.runner import running", "exercises uses lab.runner"),
        ("exercises/x.py", "import loadgen.closedloop", "exercises uses loadgen.closedloop"),
    ],
)
def test_the_check_catches_an_upward_import(file: str, source: str, expected: str) -> None:
    found = violations(REPO / file, source)
    assert len(found) == 1
    assert expected in found[0]
    assert found[0].startswith(f"{file}:")


def test_the_check_accepts_the_allowed_direction() -> None:
    assert violations(REPO / "lab/x.py", "import loadgen.targets\nimport django_app.urls") == []
    assert violations(REPO / "loadgen/x.py", "from contracts.params import DELAY_MS") == []


def test_locust_processes_never_load_django() -> None:
    """Every load generator module, imported the way Locust does, leaves Django unloaded."""
    modules = sorted(
        ".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for p in (REPO / "loadgen").rglob("*.py")
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
