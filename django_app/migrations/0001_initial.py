"""The slow query's table, with the one row it reads (an empty table would never run the
database function the query's cost comes from)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import migrations, models
from django.db.migrations.operations.base import Operation


def add_the_row(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_app", "Item").objects.create(name="the row the slow query reads")


class Migration(migrations.Migration):
    initial = True

    dependencies: ClassVar[list[tuple[str, str]]] = []

    operations: ClassVar[list[Operation]] = [
        migrations.CreateModel(
            name="Item",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100)),
            ],
        ),
        migrations.RunPython(add_the_row, migrations.RunPython.noop),
    ]
