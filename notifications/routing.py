"""WebSocket routes. The authenticated notification consumer arrives with the notifications issue;
until then no WebSocket path is served."""

websocket_urlpatterns = []
