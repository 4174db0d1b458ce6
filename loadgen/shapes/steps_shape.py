"""Steps: five equal stairs up to the peak users (-u) over the run time (-t, default 60 s).

locust -f loadgen/locustfiles/slow_io.py,loadgen/shapes/steps_shape.py --headless -u 50 -t 60s
"""

from loadgen import stages
from loadgen.lab_shape import LabShape


class StepsShape(LabShape):
    def tick(self) -> tuple[int, float] | None:
        return stages.steps(self.run_time_s, self.peak_users, self.duration_s)
