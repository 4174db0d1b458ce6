import pytest

from loadgen.targets import (
    HOST,
    default_urls,
    named,
    own_urls,
    resolve,
    run_target,
    server_of_user,
    target_of,
)


def test_default_urls_follow_the_lab_ports_and_compose_overrides() -> None:
    urls = default_urls({"WSGI_PORT": "9001", "LOCUST_ASGI_URL": "http://asgi:8002"})
    assert urls == {"wsgi": "http://127.0.0.1:9001", "asgi": "http://asgi:8002"}


def test_host_field_wins_else_the_target_picks_the_copy() -> None:
    urls = {"wsgi": "http://w:1", "asgi": "http://a:2/"}
    assert resolve("http://elsewhere:3/", "wsgi", urls) == "http://elsewhere:3"
    assert resolve("", "wsgi", urls) == "http://w:1"
    assert resolve(None, "asgi", urls) == "http://a:2"
    with pytest.raises(ValueError, match="expected one of wsgi, asgi"):
        resolve("", "nginx", urls)


def test_both_splits_users_in_turn_and_names_requests_after_their_server() -> None:
    assert [server_of_user("both", i) for i in range(5)] == ["asgi", "wsgi"] * 2 + ["asgi"]
    assert {server_of_user("wsgi", i) for i in range(3)} == {"wsgi"}
    assert target_of(named("wsgi", "/ping"), "both") == "wsgi"
    assert target_of("/ping", "asgi") == "asgi"
    # A name that merely starts like a server's is the run's own in a one-server run.
    assert target_of("wsgi /ping", "asgi") == "asgi"


def test_a_host_field_makes_the_run_target_host() -> None:
    assert run_target("http://elsewhere:3", "both") == HOST
    assert run_target("", "both") == "both"


def test_a_process_own_urls_are_only_those_its_environment_gives() -> None:
    assert own_urls({"LOCUST_ASGI_URL": "http://10.0.0.1:8002", "LOCUST_WSGI_URL": ""}) == {
        "asgi": "http://10.0.0.1:8002"
    }
    assert own_urls({}) == {}
