"""The table the slow query reads: one row, added by the migration that creates it."""

from __future__ import annotations

from django.db import models


class Item(models.Model):
    """A row for the ORM to read; the slow part is a database function evaluated on it."""

    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name
