from django.apps import AppConfig


class SeedingConfig(AppConfig):
    """Demo data (`load_demo`) and benchmark data (`seed_cases`): loaders live here so that no domain
    app imports another to make data."""

    name = "seeding"
    verbose_name = "Demo and benchmark data"
