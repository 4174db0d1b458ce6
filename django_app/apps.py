from django.apps import AppConfig


class DjangoAppConfig(AppConfig):
    name = "django_app"
    verbose_name = "asynclab scenarios"

    def ready(self) -> None:
        from django.conf import settings

        from django_app import db, request_signals
        from django_app.observability.server import STARTED_AS

        db.install()
        db.ensure_sqlite_directory()
        request_signals.install(settings.LAB, STARTED_AS)
