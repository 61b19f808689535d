"""Channel-layer settings for tests that run real consumers."""

from django.conf import settings


def channel_layers_under_prefix(prefix: str) -> dict:
    """The project's own CHANNEL_LAYERS (its Redis timeouts included: without them an idle socket's
    consumer dies at redis-py's 5 s read timeout), the Redis layer under `prefix`, so that other
    tests and other runs sharing the Redis database never reach these consumers."""
    layers = {name: dict(config) for name, config in settings.CHANNEL_LAYERS.items()}
    if "channels_redis" in layers["default"]["BACKEND"]:
        layers["default"]["CONFIG"] = {**layers["default"]["CONFIG"], "prefix": prefix}
    return layers
