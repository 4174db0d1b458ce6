"""The servers `lab browser` loads pages from: the running lab's when it runs (upstream and
every server asked for answer on the configured ports), or its own on free ports, started as
`lab exercise run` starts them (behind nginx too when LAB_PROXY=nginx)."""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.settings import LabSettings
from lab.exercise import running_lab
from lab.runner import ServiceFailed, proxy, running, with_free_ports


@dataclass(frozen=True)
class Target:
    server: str
    url: str
    facts: Mapping[str, Any]  # its /healthz: the settings that shape it, its proxy
    placement: str

    @property
    def proxy(self) -> str:
        return str((self.facts.get("settings") or {}).get("lab_proxy", "off"))


class SetupError(RuntimeError):
    """A server could not be started; the message ends with the services' log."""


@contextlib.contextmanager
def targets(
    settings: LabSettings,
    names: Sequence[str],
    *,
    reuse: bool,
    env: Mapping[str, str] | None,
) -> Iterator[list[Target]]:
    lab = running_lab.find(settings) if reuse else running_lab.NOTHING
    if lab and all(name in lab.servers for name in names):
        yield [
            Target(name, url, facts, f"the running lab's {name} server ({url})")
            for name, (url, facts) in ((n, lab.servers[n]) for n in names)
        ]
        return
    var = settings.var_path()
    var.mkdir(parents=True, exist_ok=True)
    # A directory of its own: `lab serve` wipes its metrics directory.
    with tempfile.TemporaryDirectory(prefix="browser-", dir=var) as tmp:
        base = with_free_ports(
            dataclasses.replace(settings, lab_var_dir=tmp), "upstream", "wsgi", "asgi"
        )
        log_path = Path(tmp) / "services.log"
        with log_path.open("ab") as log, contextlib.ExitStack() as stack:
            try:
                stack.enter_context(running("upstream", base, output=log, base_env=env))
                urls = {
                    n: stack.enter_context(running(n, base, output=log, base_env=env))
                    for n in names
                }
                if base.proxy_on:
                    urls = stack.enter_context(proxy(base, names, output=log, base_env=env))
            except ServiceFailed as e:
                tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
                raise SetupError(f"{e}\n{tail}") from None
            found = []
            for name in names:
                facts = running_lab.get_json(urls[name] + "/healthz") or {}
                found.append(Target(name, urls[name], facts, f"own {name} server ({urls[name]})"))
            yield found
