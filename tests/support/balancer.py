"""A small round-robin HTTP load balancer on 127.0.0.1, in front of webhook replicas.

Like nginx's default upstream: requests go to the backends in turn; a backend that refuses the
connection (a dead replica) is skipped for the next; a backend that takes the request and drops
the connection without an answer yields 502, so the sender (the fake Bot API, like Telegram)
delivers the update again. Run it as a process:
`python -m tests.support.balancer LISTEN_PORT BACKEND_PORT...`.
"""

from __future__ import annotations

import asyncio
import itertools
import sys

HEADER_LIMIT = 65536


async def read_message(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One HTTP/1.1 message: its head (up to the blank line) and its body (Content-Length)."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return head, await reader.readexactly(length)


class Balancer:
    """Forwards each request to the next backend that accepts a connection."""

    def __init__(self, backends: list[int]) -> None:
        self.backends = backends
        self.turn = itertools.cycle(range(len(backends)))
        self.forwarded = [0] * len(backends)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head, body = await read_message(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                writer.write(await self.forward(head + body))
                await writer.drain()
        finally:
            writer.close()

    async def forward(self, request: bytes) -> bytes:
        for _ in range(len(self.backends)):
            index = next(self.turn)
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.backends[index])
            except OSError:
                continue  # refused: try the next backend, nothing was sent
            try:
                writer.write(request)
                await writer.drain()
                head, body = await read_message(reader)
                self.forwarded[index] += 1
                return head + body
            except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
                return b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"
            finally:
                writer.close()
        return b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"


async def main(port: int, backends: list[int]) -> None:
    server = await asyncio.start_server(Balancer(backends).serve, "127.0.0.1", port,
                                        limit=HEADER_LIMIT, backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), [int(p) for p in sys.argv[2:]]))
