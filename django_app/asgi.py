"""ASGI entrypoint (uvicorn): `django_app.asgi:application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")

django_application = get_asgi_application()

from django.conf import settings  # noqa: E402

from django_app.observability.loop_lag import with_loop_lag_probe  # noqa: E402 (needs settings)

# LAB_INSTRUMENTATION=off: Django's handler alone, no loop-lag probe (its cost is measured).
application = (
    with_loop_lag_probe(django_application) if settings.LAB.instrumented else django_application
)
