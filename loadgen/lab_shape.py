"""What every lab shape shares: it reads the peak users and run time from the usual
options, so the web UI's Users and Run time fields (and -u/-t) scale it."""

import time

from locust import LoadTestShape

from loadgen.stages import DEFAULT_DURATION_S

DEFAULT_PEAK_USERS = 20


class LabShape(LoadTestShape):
    abstract = True
    use_common_options = True  # keep Users / Run time in the UI: the shape scales with them

    @property
    def run_time_s(self) -> float:
        # LoadTestShape.get_run_time() without its missing type hints.
        return time.perf_counter() - float(self.start_time)

    @property
    def peak_users(self) -> int:
        users = getattr(self._options(), "num_users", None)
        return int(users) if users else DEFAULT_PEAK_USERS

    @property
    def duration_s(self) -> float:
        run_time = getattr(self._options(), "run_time", None)
        return float(run_time) if run_time else DEFAULT_DURATION_S

    def _options(self) -> object:
        runner = self.runner
        return runner.environment.parsed_options if runner is not None else None
