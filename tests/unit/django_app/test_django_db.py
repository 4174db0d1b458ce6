"""The slow query's model and its migrations agree."""

from django.core.management import call_command


def test_the_models_need_no_migration_that_is_not_written() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits 1 if one is
