"""Request size limits and submission rate limits.

The size limit is ASGI middleware: a declared ``Content-Length`` over the limit
is answered 413 before the body is read, and a chunked body is cut off (413)
as soon as it passes the limit, so a large upload never fills memory.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimitMiddleware", "RateLimiter"]


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with a 413 error body.

    Args:
        app: The wrapped application.
        max_bytes: The largest body accepted.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        seen = 0
        refused = False

        async def limited() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes and not refused:
                    # Answer now, and tell the app the client left: it stops reading,
                    # and whatever it sends after this is dropped.
                    refused = True
                    await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, limited, guarded)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "error": {
                    "code": "too_large",
                    "message": f"the request body is over {self.max_bytes} bytes",
                    "details": [],
                }
            }
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class RateLimiter:
    """At most ``per_minute`` events per key in any sliding 60-second window.

    Kept in memory: each API process counts its own callers (behind several
    processes the effective limit is per process).
    """

    def __init__(self, per_minute: int) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.per_minute = per_minute
        self._clock = time.monotonic
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Count one event; returns ``None`` if allowed, else seconds until one would be."""
        now = self._clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - 60.0:
                events.popleft()
            if len(events) >= self.per_minute:
                return max(events[0] + 60.0 - now, 0.001)
            events.append(now)
            return None
