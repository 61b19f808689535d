"""WebSocket pushes through the channel layer. Called only after commit; a failure (Redis down) is
logged and never reaches the business action: the notification is in the inbox regardless, and the
browser fetches what it missed when it reconnects."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def push(group: str, message: dict) -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # any transport failure: the push is best effort, the inbox is the record
        logger.exception("push to %s failed", group)
        return False
    return True
