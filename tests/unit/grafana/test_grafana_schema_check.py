"""The dashboards type-checked against `@grafana/schema` of the compose file's Grafana (tsc, in
grafana/schema_check/). Needs node and npm, and the npm registry for `npm ci`: skipped
without node or npm, which CI does not install (Debian's npm alone would take it well over a
minute)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from contracts.paths import REPO

CHECK = REPO / "grafana" / "schema_check"
SOURCES = ("package.json", "package-lock.json", "tsconfig.json", "types.ts", "check.mjs")


def compose_grafana_version() -> str:
    found = re.search(r"grafana/grafana:([\w.-]+)", (REPO / "docker-compose.yml").read_text())
    assert found, "the compose file names no Grafana image"
    return found[1]


def test_the_schema_is_the_one_of_the_compose_files_grafana() -> None:
    version = compose_grafana_version()
    package = json.loads((CHECK / "package.json").read_text())
    assert package["devDependencies"]["@grafana/schema"] == version
    lock = json.loads((CHECK / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/@grafana/schema"]["version"] == version


@pytest.fixture(scope="module")
def checker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checker with its pinned packages installed (`npm ci`)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed (the schema check is then a manual one)")
    where = tmp_path_factory.mktemp("schema_check")
    for name in SOURCES:
        shutil.copy(CHECK / name, where / name)
    npm = ["npm", "ci", "--no-audit", "--no-fund"]
    r = subprocess.run(npm, cwd=where, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    return where


def check(checker: Path, dashboards: Path) -> subprocess.CompletedProcess[str]:
    argv = ["node", "check.mjs", str(dashboards)]
    return subprocess.run(argv, cwd=checker, capture_output=True, text=True, timeout=120)


def test_the_dashboards_match_grafanas_schema(checker: Path) -> None:
    r = check(checker, REPO / "grafana" / "dashboards")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "3 dashboards match @grafana/schema" in r.stdout


def test_a_value_outside_the_schema_fails_the_check(checker: Path, tmp_path: Path) -> None:
    text = (REPO / "grafana" / "dashboards" / "sync-vs-async.json").read_text()
    assert '"drawStyle": "line"' in text
    (tmp_path / "broken.json").write_text(
        text.replace('"drawStyle": "line"', '"drawStyle": "lines"')
    )
    r = check(checker, tmp_path)
    assert r.returncode != 0
    assert "'\"lines\"' is not assignable" in r.stdout + r.stderr
