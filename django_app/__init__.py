"""django_app package."""
