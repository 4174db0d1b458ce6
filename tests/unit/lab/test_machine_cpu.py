"""The machine's CPU time from /proc/stat's first line."""

from pathlib import Path

from lab.machine_cpu import CLOCK_TICKS, CpuTicks, cpu_ticks


def test_the_machine_line_splits_into_busy_total_and_steal() -> None:
    # user nice system idle iowait irq softirq steal guest guest_nice
    ticks = cpu_ticks("cpu  100 20 30 5000 70 4 6 40 0 0\n")
    # Busy is every state but idle, iowait and steal; guest time is already inside user.
    assert ticks == CpuTicks(busy=160, total=5270, steal=40)
    assert ticks.busy_s == 160 / CLOCK_TICKS


def test_anything_but_the_machine_line_is_none() -> None:
    assert cpu_ticks("intr 1 2 3") is None
    assert cpu_ticks("cpu  1 2 x 4 5") is None
    assert cpu_ticks("") is None


def test_it_reads_a_proc_directory_or_says_none(tmp_path: Path) -> None:
    (tmp_path / "stat").write_text("cpu  1 0 1 10 0 0 0 0\ncpu0 1 0 1 10 0 0 0 0\n")
    assert cpu_ticks(proc=str(tmp_path)) == CpuTicks(busy=2, total=12, steal=0)
    assert cpu_ticks(proc=str(tmp_path / "gone")) is None
    here = cpu_ticks()  # this machine's own
    assert here is not None
    assert 0 < here.busy < here.total
