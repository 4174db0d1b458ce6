"""The start form's adjustments to Locust's template arguments, without a Locust process."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from loadgen.start_form import FIRST_CLASS, adjust, target_help

URLS = {"asgi": "http://127.0.0.1:8002", "wsgi": "http://127.0.0.1:8001"}


class CpuSyncUser: ...


def template_args() -> dict[str, Any]:
    return {
        "users": {FIRST_CLASS: {}, "CpuSyncUser": {}},
        "available_user_classes": [FIRST_CLASS, "CpuSyncUser"],
        "missing_host_warning": True,
        "extra_options": {"target": {"help_text": "x"}, "delay_ms": {"help_text": "y"}},
    }


def environment(state: str) -> Any:
    options = SimpleNamespace(target="wsgi", wsgi_url=URLS["wsgi"], asgi_url=URLS["asgi"])
    runner = SimpleNamespace(state=state)
    return SimpleNamespace(runner=runner, parsed_options=options, user_classes=[CpuSyncUser])


def test_a_fresh_form_ticks_the_first_lesson_only() -> None:
    args = template_args()
    adjust(args, environment("ready"))
    assert args["available_user_classes"] == [FIRST_CLASS]
    assert set(args["users"]) == {FIRST_CLASS, "CpuSyncUser"}
    assert args["missing_host_warning"] is False
    assert args["extra_options"]["target"]["help_text"].startswith(f"wsgi loads {URLS['wsgi']}")


def test_after_a_run_the_form_ticks_what_ran() -> None:
    args = template_args()
    adjust(args, environment("stopped"))
    assert args["available_user_classes"] == ["CpuSyncUser"]


def test_target_help_names_the_current_choice_first() -> None:
    text = target_help("both", URLS)
    assert text.startswith("both splits the users evenly")
    assert URLS["asgi"] in text
    assert URLS["wsgi"] in text
