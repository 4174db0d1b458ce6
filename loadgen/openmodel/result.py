"""What an open-model run measured, as a short text report and as JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from loadgen.openmodel.latency import Latency
from loadgen.openmodel.saturation import LATE_START_S, behind_schedule, warnings


@dataclass
class Result:
    url: str
    requested_rate: float  # mean over the whole schedule, req/s
    duration_s: float  # of the schedule
    planned: int
    # Measured from the INTENDED start: what a user arriving on schedule would wait.
    latency: Latency = field(default_factory=Latency)
    # Measured from the actual send: what a closed-loop tool (Locust, ab) would report.
    service_time: Latency = field(default_factory=Latency)
    # Failed requests (HTTP >= 400, timeouts, connection errors), from the intended start: a
    # timeout is the longest wait of all, and leaving it out would flatter the tail.
    failed_latency: Latency = field(default_factory=Latency)
    # Every answered or failed request, from the intended start: the tail a user really saw.
    all_latency: Latency = field(default_factory=Latency)
    start_lag: Latency = field(default_factory=Latency)
    sent: int = 0
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    dropped: int = 0
    late_starts: int = 0
    send_span_s: float = 0.0  # first intended start to last actual start, plus one interval
    cpu_cores: float = 0.0

    @property
    def achieved_rate(self) -> float:
        return self.sent / self.send_span_s if self.send_span_s > 0 else 0.0

    def record_start(self, lag_s: float) -> None:
        self.sent += 1
        self.start_lag.record(max(0.0, lag_s))
        if lag_s > LATE_START_S:
            self.late_starts += 1

    def record_response(
        self, intended: float, started: float, done: float, error: str | None = None
    ) -> None:
        """One finished request: a success, or a failure of kind `error`."""
        self.all_latency.record(done - intended)
        if error is None:
            self.ok += 1
            self.latency.record(done - intended)
            self.service_time.record(done - started)
        else:
            self.errors[error] += 1
            self.failed_latency.record(done - intended)

    def warnings(self) -> list[str]:
        return warnings(
            cpu_cores=self.cpu_cores,
            requested_rate=self.requested_rate,
            achieved_rate=self.achieved_rate,
            sent=self.sent,
            late_starts=self.late_starts,
            dropped=self.dropped,
        )

    def behind_schedule(self) -> list[str]:
        """Only the warnings that say the generator fell behind its clock."""
        return behind_schedule(
            requested_rate=self.requested_rate,
            achieved_rate=self.achieved_rate,
            sent=self.sent,
            late_starts=self.late_starts,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "requested_rate": self.requested_rate,
            "achieved_rate": round(self.achieved_rate, 3),
            "duration_s": self.duration_s,
            "planned": self.planned,
            "sent": self.sent,
            "ok": self.ok,
            "errors": dict(self.errors),
            "dropped": self.dropped,
            "late_starts": self.late_starts,
            "latency_ms": _rounded(self.latency.summary_ms()),
            "service_time_ms": _rounded(self.service_time.summary_ms()),
            "failed_latency_ms": _rounded(self.failed_latency.summary_ms()),
            "all_latency_ms": _rounded(self.all_latency.summary_ms()),
            "start_lag_ms": _rounded(self.start_lag.summary_ms()),
            "generator_cpu_cores": round(self.cpu_cores, 3),
            "warnings": self.warnings(),
        }

    def report(self) -> str:
        errors = sum(self.errors.values())
        lines = [
            f"open-model load on {self.url}",
            f"  rate      requested {self.requested_rate:.1f} req/s, achieved "
            f"{self.achieved_rate:.1f} req/s over {self.duration_s:g} s",
            f"  requests  {self.sent} sent, {self.ok} ok, {errors} errors, "
            f"{self.dropped} dropped, {self.late_starts} started late",
            "  latency (ms, from the intended start; HdrHistogram, not rounded):",
            _row("latency", self.latency),
            _row("service", self.service_time),
            _row("failed", self.failed_latency),
            _row("all", self.all_latency),
            _row("start lag", self.start_lag),
            "  'latency' and 'service' are of successful responses; 'latency' includes any wait "
            "the schedule caused, 'service' starts at the actual send, as a closed-loop tool "
            "would measure it. 'failed' is of errors and timeouts, 'all' of every request.",
        ]
        if self.errors:
            lines.append("  errors    " + ", ".join(f"{k}: {v}" for k, v in self.errors.items()))
        lines.append(f"  generator CPU {self.cpu_cores:.0%} of one core")
        lines += [f"WARNING: {w}" for w in self.warnings()]
        return "\n".join(lines)


def _rounded(d: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in d.items()}


def _row(label: str, h: Latency) -> str:
    s = h.summary_ms()
    if not s:
        return f"    {label:<10} (no samples)"
    cells = "  ".join(f"{k} {v:8.2f}" for k, v in s.items())
    return f"    {label:<10} {cells}"
