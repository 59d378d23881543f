"""``GET /files/{token}``: a file the bot sent in chat, while its signed link lives.

Teams and the console link here (Slack gets the file itself). A token we did not sign, one
past its time, and one whose file was deleted or expired since all get the same bare 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from bot.domain.clock import Clock
from bot.domain.files import FileKeys
from dialogs.files import served_file
from storage.db import Database

ROUTE = "/files/{token:[A-Za-z0-9_-]{1,120}}"
# A person's file: never cached on the way, never indexed, never sniffed into another type.
HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
}
View = Callable[[web.Request], Awaitable[web.StreamResponse]]


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact one (RFC 6266, RFC 5987)."""
    plain = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_view(database: Database, keys: FileKeys | None, clock: Clock) -> View:
    """The route's handler (``keys`` None: no secret key, so no link was ever signed)."""

    async def stored_file(request: web.Request) -> web.StreamResponse:
        found = None
        if keys is not None:
            found = await served_file(database, keys, request.match_info["token"], clock.now())
        if found is None:
            raise web.HTTPNotFound(headers={"Cache-Control": "no-store"})
        filename, media_type, content = found
        headers = {**HEADERS, "Content-Disposition": content_disposition(filename)}
        return web.Response(body=content, content_type=media_type, headers=headers)

    return stored_file
