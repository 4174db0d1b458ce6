"""`--shape` (`LOCUST_SHAPE`): which of the loaded shapes a headless or autostarted run applies.

Locust itself silently applies the first shape it loaded; the web UI has its own picker.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importing locust at runtime would monkey-patch the caller (gevent)
    from locust.env import Environment

log = logging.getLogger("loadgen")


def choose_shape(environment: Environment) -> None:
    """Apply the shape named by `--shape` (`none`: constant users), exit on an unknown name,
    and warn when several are loaded, none was chosen and no one will pick in the web UI."""
    options = environment.parsed_options
    if options is None or options.worker:
        return  # a worker runs no shape: its master does
    shapes = environment.available_shape_classes or {}
    choice = getattr(options, "shape", None)
    if choice:
        if choice.lower() == "none":
            environment.shape_class = None
        elif choice in shapes:
            shape = shapes[choice]
            shape.runner = environment.runner
            environment.shape_class = shape
        else:
            known = ", ".join(["none", *sorted(shapes)])
            sys.exit(f"locust: --shape {choice}: expected one of {known}")
    elif (options.headless or options.autostart) and len(shapes) > 1:
        # Locust silently applies the first shape it loaded: say which, and how to choose.
        log.warning(
            "Several shapes are loaded and none was chosen: Locust applies %s. Set --shape "
            "(LOCUST_SHAPE) to one of none, %s.",
            type(environment.shape_class).__name__,
            ", ".join(sorted(shapes)),
        )
