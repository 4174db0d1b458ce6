"""A pid and its start time name one process on one machine."""

import os
import subprocess
import sys
from pathlib import Path

from contracts.processes import process_start


def test_this_process_has_a_start_time_and_it_is_stable() -> None:
    started = process_start()
    assert started is not None
    assert process_start(os.getpid()) == started


def test_another_process_started_later() -> None:
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"]) as child:
        try:
            later = process_start(child.pid)
            assert later is not None
            assert later >= (process_start() or 0)
        finally:
            child.kill()


def test_no_such_process(tmp_path: Path) -> None:
    assert process_start(4242, proc=str(tmp_path)) is None


def test_a_command_name_with_spaces_and_parentheses(tmp_path: Path) -> None:
    (tmp_path / "9").mkdir()
    fields = ["S"] + [str(n) for n in range(4, 22)] + ["777", "0"]  # field 22 is 777
    (tmp_path / "9" / "stat").write_text("9 (uvicorn (worker) 1) " + " ".join(fields) + "\n")
    assert process_start(9, proc=str(tmp_path)) == 777
