"""The sweep's options: the presets, each list parsed into one clear error, and the time a
point is expected to take."""

import pytest

from lab.sweep.grid import DEFAULT, QUICK, GridError, build, expected_s


def test_the_presets_climb_and_the_options_replace_their_values() -> None:
    assert build(quick=True) == QUICK
    assert build(quick=False) == DEFAULT
    grid = build(quick=True, servers_raw="asgi", users_raw="10,1,5", delays_raw="1000,50")
    assert grid.servers == ("asgi",)
    assert grid.users == (1, 5, 10)  # climbing: sorted
    assert grid.delays_ms == (50, 1000)
    assert (grid.min_requests, grid.point_cap_s) == (QUICK.min_requests, QUICK.point_cap_s)
    grid = build(quick=False, min_requests_raw="7", point_cap_raw="2.5")
    assert (grid.min_requests, grid.point_cap_s) == (7, 2.5)


@pytest.mark.parametrize(
    ("option", "raw", "message"),
    [
        (
            "servers",
            "wsgi,nginx",
            "--servers: unknown server nginx; "
            "choose from wsgi, asgi, sync, gthread, gevent, granian-wsgi, uvicorn, granian-asgi",
        ),
        ("servers", "", "--servers '': expected a comma-separated list such as 1,5,10"),
        ("users", "1,,5", "--users '1,,5': expected a comma-separated list such as 1,5,10"),
        ("users", "1,five", "--users: expected a whole number such as 200, got 'five'"),
        ("users", "-5", "--users: -5 is out of bounds; expected 1-1000"),
        ("users", "0,1", "--users: 0 is out of bounds; expected 1-1000"),
        ("users", "5,5", "--users '5,5': a value repeats"),
        ("users", "2.5", "--users: expected a whole number such as 200, got '2.5'"),
        ("delays", "-50", "--delay-ms: -50 is out of bounds; expected 1-10000"),
        ("delays", "99999", "--delay-ms: 99999 is out of bounds; expected 1-10000"),
        ("min_requests", "-1", "--min-requests: -1 is out of bounds; expected 1-100000"),
        ("min_requests", "ten", "--min-requests: expected a whole number such as 200, got 'ten'"),
        ("point_cap", "0", "--point-cap-s: 0 is out of bounds; expected (1, 600]"),
        ("point_cap", "-3", "--point-cap-s: -3 is out of bounds; expected (1, 600]"),
    ],
)
def test_a_bad_option_is_one_line_naming_it(option: str, raw: str, message: str) -> None:
    with pytest.raises(GridError) as caught:
        build(quick=True, **{f"{option}_raw": raw})
    assert str(caught.value) == message


def test_a_point_is_expected_to_take_its_requests_at_its_bound_within_the_cap() -> None:
    # 2 workers at 200 ms: 10 req/s; 40 answers take 4 s, plus draining 16 users' requests.
    assert expected_s(QUICK, 16, 200, 2) == pytest.approx(min(6.0, 48 / 10) + 16 / 10 + 0.3)
    # The event loop at 50 ms: 64 users answer 1280 a second; three answers each, 192, in
    # 0.15 s: a point lasts 1 s at least.
    assert expected_s(QUICK, 64, 50, None) == pytest.approx(1.0 + 64 / 1280 + 0.3)
    # One user at 200 ms would need 8 s for 40 answers: the cap, 6 s.
    assert expected_s(QUICK, 1, 200, 2) == pytest.approx(6.0 + 0.2 + 0.3)


def test_a_configuration_runs_in_its_slot_with_its_settings_changed() -> None:
    from contracts.settings import LabSettings
    from lab.sweep.grid import servers, settings_for, slot

    lab = LabSettings(web_threads=4)
    assert servers("gevent,uvicorn") == ("gevent", "uvicorn")
    assert (slot("gevent"), slot("granian-asgi"), slot("wsgi")) == ("wsgi", "asgi", "wsgi")
    gevent = settings_for("gevent", lab)
    assert (gevent.wsgi_worker_class, gevent.web_threads) == ("gevent", 4)
    assert settings_for("granian-wsgi", lab).wsgi_server == "granian"
    assert settings_for("wsgi", lab) == lab  # the lab's own settings, as they are
