"""The browser's one WebSocket: refuses anonymous connections; a user joins only their own group
and their roles' groups. Messages carry ids and a short text; details come over HTTP."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.roles import roles_of

from .groups import role_group, user_group

CLOSE_UNAUTHENTICATED = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        roles = await database_sync_to_async(roles_of)(user)
        self.joined = [user_group(user.pk), *(role_group(role) for role in sorted(roles))]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong", "t": content.get("t")})

    # group message handlers: forward as they are
    async def notification_new(self, event):
        await self.send_json(event)

    async def case_changed(self, event):
        await self.send_json(event)

    async def job_progress(self, event):
        await self.send_json(event)
