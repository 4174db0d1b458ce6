"""What the exercises of one run share: a directory, a log, the upstream, and the server last
started, kept for the next phase that needs the same server with the same settings.

Starting a Django server costs about two seconds on two cores; a run of every exercise has
fifty-odd phases. A server is kept only for a phase whose rules read nothing that the
server's earlier requests leave behind (threads, memory, database connections: see
`exercises.spec.SERVER_HISTORY`); such a phase always gets a server of its own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from contracts.settings import LabSettings
from exercises.spec import Phase
from lab.exercise import running_lab
from lab.runner import ServiceFailed, proxy, running, with_free_ports


class SetupError(RuntimeError):
    """The lab could not be set up (a server did not start, a setting is refused)."""


@dataclass
class Bench:
    settings: LabSettings  # free ports, the run's own var dir, the upstream's URL
    upstream: str
    lab: running_lab.RunningLab
    env: Mapping[str, str] | None
    log: IO[bytes]
    log_path: Path
    # The server kept for the next phase: what it is, its URL, whom it was started for.
    _kept: tuple[object, str, str, contextlib.ExitStack] | None = field(default=None, repr=False)

    @contextlib.contextmanager
    def server(
        self, phase: Phase, settings: LabSettings, *, fresh: bool, user: str
    ) -> Iterator[tuple[str, str]]:
        """`phase.server` running with `settings` (behind the proxy when the settings turn
        it on): the one kept from the previous phase when it is the same and `fresh` is not
        asked, else a new one, kept in turn for the next phase. Yields its URL and the
        `user` it was started for (this one's, or an earlier phase's)."""
        key = (phase.server, settings)
        if self._kept is not None and (fresh or self._kept[0] != key):
            self.stop_kept()
        if self._kept is None:
            stack = contextlib.ExitStack()
            try:
                url = stack.enter_context(self._start(phase, settings))
            except BaseException:
                stack.close()
                raise
            self._kept = (key, url, user, stack)
        try:
            yield self._kept[1], self._kept[2]
        except BaseException:
            # A phase that failed may have left the server in any state: never reuse it.
            self.stop_kept()
            raise

    def stop_kept(self) -> None:
        if self._kept is not None:
            stack, self._kept = self._kept[3], None
            stack.close()

    @contextlib.contextmanager
    def _start(self, phase: Phase, settings: LabSettings) -> Iterator[str]:
        try:
            with running(phase.server, settings, output=self.log, base_env=self.env) as url:
                if not settings.proxy_on:
                    yield url
                    return
                # Everything the phase sends goes through the proxy, /metrics too: so it is
                # against a running lab, whose servers a compose stack publishes only behind
                # the proxy.
                with proxy(settings, [phase.server], output=self.log, base_env=self.env) as through:
                    yield through[phase.server]
        except ServiceFailed as e:
            raise SetupError(f"{e}{tail(self.log_path)}") from None


@contextlib.contextmanager
def opened(
    settings: LabSettings, env: Mapping[str, str] | None, lab: running_lab.RunningLab
) -> Iterator[Bench]:
    """A bench for one run: the running lab's upstream when a lab runs, else one of its own;
    everything it started is stopped when the block ends, however it ends."""
    var = settings.var_path()
    var.mkdir(parents=True, exist_ok=True)
    # A directory of its own: `lab serve` wipes its metrics directory, which must never be
    # a running lab's.
    with tempfile.TemporaryDirectory(prefix="exercise-", dir=var) as tmp:
        base = dataclasses.replace(settings, lab_var_dir=tmp)
        base = with_free_ports(base, "upstream", "wsgi", "asgi")
        log_path = Path(tmp) / "services.log"
        with log_path.open("ab") as log, _upstream(lab, base, log, log_path, env) as upstream:
            bench = Bench(
                dataclasses.replace(base, upstream_url=upstream), upstream, lab, env, log, log_path
            )
            try:
                yield bench
            finally:
                bench.stop_kept()


@contextlib.contextmanager
def _upstream(
    lab: running_lab.RunningLab,
    base: LabSettings,
    log: IO[bytes],
    log_path: Path,
    env: Mapping[str, str] | None,
) -> Iterator[str]:
    """The running lab's upstream (its servers call it), or one of the exercise's own."""
    if lab.upstream is not None:
        yield lab.upstream
        return
    try:
        with running("upstream", base, output=log, base_env=env) as url:
            yield url
    except ServiceFailed as e:
        raise SetupError(f"{e}{tail(log_path)}") from None


def tail(path: Path, lines: int = 15) -> str:
    """The services' last log lines, to show under a failure."""
    text = path.read_text(errors="replace").strip().splitlines()[-lines:]
    return "".join("\n  | " + line for line in text)
