"""The scenario views: one module per kind of work."""
