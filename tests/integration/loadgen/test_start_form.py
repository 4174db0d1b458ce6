"""The web UI's start form as `lab serve locust` first serves it: one scenario ticked, every
other one listed, the target's URL and the delay written beside their fields, and no warning
asking for the Host the lab wants left empty."""

from __future__ import annotations

import json
from typing import Any

import pytest
from loadgen_lab import Lab, scrape

from lab import runner
from loadgen.start_form import FIRST_CLASS

pytestmark = pytest.mark.integration

MARK = "window.templateArgs = "


@pytest.fixture(scope="module")
def form(lab: Lab) -> dict[str, Any]:
    """The state Locust's page hands its form (`window.templateArgs`)."""
    with runner.running("locust", lab.settings) as url:
        page = scrape(url + "/")
    line = next(line for line in page.splitlines() if MARK in line)
    args: dict[str, Any] = json.loads(line.split(MARK, 1)[1])
    return args


def test_one_scenario_is_ticked_and_the_others_are_listed(form: dict[str, Any]) -> None:
    assert form["show_userclass_picker"] is True
    assert form["available_user_classes"] == [FIRST_CLASS]
    listed = set(form["users"])
    # Every locustfile's classes stay one click away.
    assert {FIRST_CLASS, "IoSyncUser", "CpuAsyncUser", "MixedUser", "StreamAsyncUser"} <= listed
    assert len(listed) > 10


def test_the_form_says_where_the_target_and_delay_go(lab: Lab, form: dict[str, Any]) -> None:
    target = form["extra_options"]["target"]
    assert target["default_value"] == "asgi"
    assert target["help_text"].startswith(f"asgi loads {lab.asgi} (Django on uvicorn)")
    assert "leave it empty" in target["help_text"]
    assert "200 ms" in form["extra_options"]["delay_ms"]["help_text"]


def test_no_warning_asks_for_a_host(form: dict[str, Any]) -> None:
    assert form["host"] == ""
    assert form["missing_host_warning"] is False
