from pathlib import Path

from contracts.settings import LabSettings
from lab.serve import command
from loadgen.locust_command import locust_argv


def flag(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_single_process_serves_the_ui_with_all_scenarios_and_shapes() -> None:
    argv = command("locust", LabSettings.from_env({"LOCUST_WEB_PORT": "9189"}))
    assert argv[1:3] == ["-m", "locust"]
    assert flag(argv, "--web-port") == "9189"
    assert "--master" not in argv
    files = flag(argv, "--locustfile").split(",")
    assert [Path(f).name for f in files] == ["locustfiles", "shapes"]
    assert all(Path(f).is_dir() for f in files)
    assert Path(flag(argv, "--config")).is_file()


def test_master_and_worker_meet_on_the_master_port() -> None:
    s = LabSettings.from_env({"LOCUST_WORKERS": "3", "LOCUST_MASTER_PORT": "6557"})
    master, worker = command("locust", s), command("locust-worker", s)
    assert "--master" in master
    assert flag(master, "--master-bind-port") == "6557"
    assert "--worker" in worker
    assert flag(worker, "--master-port") == "6557"
    assert "--web-port" not in worker


def test_a_worker_finds_the_lab_master_on_lab_host_unless_told_otherwise() -> None:
    s = LabSettings.from_env({"LOCUST_WORKERS": "1", "LAB_HOST": "10.1.2.3"})
    assert flag(locust_argv("locust-worker", s, {}), "--master-host") == "10.1.2.3"
    # Locust's own variable (compose, a machine elsewhere) names the master instead.
    elsewhere = locust_argv("locust-worker", s, {"LOCUST_MASTER_NODE_HOST": "locust-master"})
    assert "--master-host" not in elsewhere
