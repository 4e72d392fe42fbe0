"""The HTTP-mode listener's guard against slow clients (adapters/slack/serve.py), on real
sockets with a real aiohttp application."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from aiohttp import web

from adapters.slack.serve import GuardedServer


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def start(timeout: float) -> tuple[GuardedServer, int]:
    app = web.Application()
    app.router.add_post("/slack/events", hello)
    server = GuardedServer(app, header_timeout=timeout)
    return server, await server.start("127.0.0.1", 0)


async def slow(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-a: ")
    await writer.drain()
    return reader, writer


async def test_incomplete_headers_are_cut_off_after_the_header_timeout() -> None:
    server, port = await start(0.3)
    try:
        reader, writer = await slow(port)
        started = time.monotonic()
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server
        assert 0.2 < time.monotonic() - started < 2.0
        writer.close()
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"http://127.0.0.1:{port}/slack/events") as resp,
        ):
            assert resp.status == 200 and await resp.text() == "ok"
    finally:
        await server.stop()


async def test_near_the_file_limit_the_oldest_slow_connections_make_room() -> None:
    server, port = await start(60.0)
    server.budget = 80  # as if the file limit were near
    try:
        held = [await slow(port) for _ in range(100)]
        await asyncio.sleep(0.1)
        assert server.evicted >= 20 and len(server.open) <= 80
        first_reader, _ = held[0]
        assert await asyncio.wait_for(first_reader.read(), 5) == b""  # the oldest went first
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"http://127.0.0.1:{port}/slack/events") as resp,
        ):
            assert resp.status == 200
        for _reader, writer in held:
            writer.close()
    finally:
        await server.stop()
