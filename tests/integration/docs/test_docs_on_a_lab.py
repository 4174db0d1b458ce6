"""Every shell block of the README and docs/ runs against a real lab, and every URL in the
README's tables opens a page meant for a person; what the blocks show and how a block is
marked as not run: tests/doc_blocks.py.

The lab is `lab up`'s services (upstream, both Django servers, Locust, Prometheus) with
every port setting on a free port, never the defaults a user's own lab may hold. A block
reaches it the two ways a reader's lab is reached: the settings as environment variables
(WSGI_PORT, LAB_VAR_DIR, ...), which `lab` commands read, and, for the addresses the docs
spell out, its text rewritten: `127.0.0.1:8001` becomes `127.0.0.1:<the test's WSGI_PORT>`,
`var/` the test's LAB_VAR_DIR. Blocks run from the repository's root, as the docs say, with
GIT_DIR on a scratch repository (so `pre-commit install` changes no hook of the checkout) and
UV_FROZEN (so `uv run` never rewrites uv.lock). After each block the upstream's live
configuration is reset, so one block's PUT /config does not reach the next.
"""

import contextlib
import os
import pty
import select
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

import pytest
from doc_blocks import (
    SCRIPT,
    Block,
    all_blocks,
    matches,
    output_lines,
    rewrite,
    service_of,
    session,
    table_urls,
)

from contracts import topology
from contracts.paths import REPO
from contracts.settings import LabSettings
from lab import runner

pytestmark = [pytest.mark.integration, pytest.mark.prometheus]

# A block that needs longer is a long benchmark, to be marked as not run.
BLOCK_TIMEOUT_S = 120.0
DEFAULTS = LabSettings()
PORT_SETTINGS = [f.name for f in fields(LabSettings) if f.name.endswith("_port")]


@dataclass(frozen=True)
class Lab:
    settings: LabSettings
    env: dict[str, str]  # what a block runs with

    @property
    def ports(self) -> dict[int, int]:
        """Each port setting's default, to the test lab's port for it."""
        return {getattr(DEFAULTS, n): getattr(self.settings, n) for n in PORT_SETTINGS}

    @property
    def var(self) -> Path:
        return self.settings.var_path()

    def url(self, service: str) -> str:
        return topology.BY_NAME[service].url(self.settings)


def uv_on_path() -> str:
    """PATH with `uv` on it: a reader's shell finds it; under `uv run` (make test) the suite
    finds the uv that runs it in UV."""
    path = os.environ.get("PATH", "")
    if shutil.which("uv") is None:
        uv = os.environ.get("UV")
        if uv is None:
            pytest.fail("the docs run `uv`, which is not on PATH: run the suite with `uv run`")
        path = f"{Path(uv).parent}{os.pathsep}{path}"
    return path


@pytest.fixture(scope="module")
def lab(prometheus_binary: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    tmp = tmp_path_factory.mktemp("docs-lab")
    # Read as the lab reads them (UPSTREAM_URL follows UPSTREAM_PORT), every port a free one.
    ports = {n.upper(): str(runner.free_port()) for n in PORT_SETTINGS}
    settings = LabSettings.from_env({"LAB_VAR_DIR": str(tmp / "var"), **ports})
    git = tmp / "git"
    subprocess.run(["git", "init", "--quiet", str(git)], check=True)
    env = {
        **os.environ,
        **settings.as_env(),
        "GIT_DIR": str(git / ".git"),
        "UV_FROZEN": "1",
        "PATH": uv_on_path(),
    }
    with contextlib.ExitStack() as stack:
        for service in topology.SERVICES:
            log = stack.enter_context((tmp / f"{service.name}.log").open("wb"))
            stack.enter_context(runner.running(service.name, settings, output=log))
        yield Lab(settings, env)


def run_script(code: str, env: Mapping[str, str]) -> tuple[int, str]:
    """A ```sh block as one bash script that stops at the first failing command."""
    proc = subprocess.Popen(
        ["bash", "-e", "-o", "pipefail", "-c", code],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=BLOCK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        runner.stop(proc)
        pytest.fail(f"ran longer than {BLOCK_TIMEOUT_S:.0f} s: mark it as a long block")
    return proc.returncode, out.decode(errors="replace")


def run_on_terminal(command: str, env: Mapping[str, str]) -> str:
    """What one command of a ```console block prints on a terminal, as the reader sees it:
    stdout and stderr together, and only what a program prints to a terminal (curl, for
    one, draws a progress meter when its output is not a terminal)."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        ["bash", "-c", command],
        cwd=REPO,
        env=env,
        stdin=child,
        stdout=child,
        stderr=child,
        start_new_session=True,
    )
    os.close(child)
    out = bytearray()
    deadline = time.monotonic() + BLOCK_TIMEOUT_S
    try:
        while (left := deadline - time.monotonic()) > 0:
            if select.select([main], [], [], left)[0]:
                try:
                    data = os.read(main, 65536)
                except OSError:  # EIO: nothing holds the terminal any more
                    break
                if not data:
                    break
                out += data
        else:
            pytest.fail(f"`{command}` ran longer than {BLOCK_TIMEOUT_S:.0f} s: mark it as long")
    finally:
        runner.stop(proc)
        os.close(main)
    return out.decode(errors="replace")


def reset_upstream(lab: Lab) -> None:
    request = urllib.request.Request(lab.url("upstream") + "/config", method="DELETE")
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.status == 200


def block_param(block: Block) -> object:
    # The reason names the block, so the summary (-rs, in addopts as -ra) lists each one.
    marks = [pytest.mark.skip(reason=f"{block.where}: {block.skip}")] if block.skip else []
    return pytest.param(block, id=block.where, marks=marks)


@pytest.mark.parametrize("block", [block_param(b) for b in all_blocks()])
def test_a_doc_block_runs_as_written(block: Block, lab: Lab) -> None:
    code = rewrite(block.code, lab.ports, lab.var)
    try:
        if block.language in SCRIPT:
            status, out = run_script(code, lab.env)
            assert status == 0, f"{block.where} exited with {status}:\n{code}\n{out}"
            return
        for command in session(code, block.where):
            printed = output_lines(run_on_terminal(command.command, lab.env))
            shown = list(command.shown)
            assert matches(shown, printed), (
                f"{block.where}: `{command.command}` printed\n"
                + "\n".join(printed)
                + "\nbut the doc shows\n"
                + "\n".join(shown)
            )
    finally:
        reset_upstream(lab)


def url_param(url: str) -> object:
    service = service_of(url)
    marks = []
    if not service.local:
        reason = f"README.md: {url}: {service.name} runs only in the compose stack (tests/e2e)"
        marks.append(pytest.mark.skip(reason=reason))
    return pytest.param(url, id=url, marks=marks)


@pytest.mark.parametrize("url", [url_param(u) for u in table_urls(Path("README.md"))])
def test_a_readme_table_url_opens_a_page_for_a_person(url: str, lab: Lab) -> None:
    with urllib.request.urlopen(rewrite(url, lab.ports, lab.var), timeout=10) as r:
        assert r.status == 200
        assert r.headers.get_content_type() == "text/html", (url, r.headers["content-type"])
