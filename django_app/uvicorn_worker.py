"""gunicorn worker class for Django under ASGI: Django has no lifespan support, so turn it off
(instead of letting uvicorn probe it and log a warning on every start)."""

from uvicorn_worker import UvicornWorker


class DjangoUvicornWorker(UvicornWorker):  # type: ignore[misc]  # untyped base
    CONFIG_KWARGS = {"loop": "uvloop", "http": "httptools", "lifespan": "off"}  # noqa: RUF012
