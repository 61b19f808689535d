from django.apps import AppConfig


class ProbeConfig(AppConfig):
    """A test-only app: a tracked model with database-side defaults, installed by the test settings
    (tables made by the test runner, no migrations), to show that the write path needs nothing
    hand-written when a model gains such a field."""

    name = "tests.probe"
    label = "probe"
