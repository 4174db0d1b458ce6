"""slow_upstream package."""
