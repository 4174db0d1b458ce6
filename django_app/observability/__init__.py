"""Metrics of the Django app: the middleware, the metric definitions, the loop-lag probe."""
