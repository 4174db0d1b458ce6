"""Spike: 20 % of the peak users (-u), the full peak in the middle fifth of the run (-t).

locust -f loadgen/locustfiles/mixed_workload.py,loadgen/shapes/spike_shape.py --headless -u 99 -t 1m
"""

from loadgen import stages
from loadgen.lab_shape import LabShape


class SpikeShape(LabShape):
    def tick(self) -> tuple[int, float] | None:
        return stages.spike(self.run_time_s, self.peak_users, self.duration_s)
