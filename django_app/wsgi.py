"""WSGI entrypoint (gunicorn, granian): `django_app.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402

from django_app.observability.hub_lag import start_probe  # noqa: E402 (needs settings)

# In a gevent worker (already monkey-patched): the hub's lag probe, the loop-lag twin; none
# with LAB_INSTRUMENTATION=off.
if settings.LAB.instrumented:
    start_probe("wsgi")
