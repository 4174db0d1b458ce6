import pytest

from loadgen.targets import default_urls, resolve


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
