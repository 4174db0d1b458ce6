from django.apps import AppConfig


class DjangoAppConfig(AppConfig):
    name = "django_app"
    verbose_name = "asynclab scenarios"

    def ready(self) -> None:
        from django_app import db

        db.install()
        db.ensure_sqlite_directory()
