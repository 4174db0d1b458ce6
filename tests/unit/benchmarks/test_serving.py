"""The server benchmarks' shared helpers: the CPU of a process tree."""

import os
import time

from benchmarks.serving import tree_cpu_s


def test_cpu_of_a_process_tree_grows_with_its_work() -> None:
    before = tree_cpu_s(os.getpid())
    end = time.process_time() + 0.05
    while time.process_time() < end:
        pass
    assert tree_cpu_s(os.getpid()) - before >= 0.04
