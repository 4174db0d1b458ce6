"""Ramp: a straight climb to the peak users (-u) over 80 % of the run time (-t), then hold.

locust -f loadgen/locustfiles/slow_io.py,loadgen/shapes/ramp_shape.py --headless -u 100 -t 2m
"""

from loadgen import stages
from loadgen.lab_shape import LabShape


class RampShape(LabShape):
    def tick(self) -> tuple[int, float] | None:
        return stages.ramp(self.run_time_s, self.peak_users, self.duration_s)
