"""A concurrency gate that lets the biggest job in first.

A crawl's feeds arrive almost together (every host waits out the same politeness delay after
its robots.txt), then queue for a few parse slots. First come, first served can leave the
biggest feed for last, with every other parser idle while it runs; biggest first (the classic
longest-processing-time rule) keeps the parsers busy until the end.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class LargestFirstGate:
    """At most ``slots`` holders at once; waiters are admitted largest ``size`` first, ties in
    arrival order."""

    def __init__(self, slots: int) -> None:
        self.free = max(1, slots)
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = 0

    async def acquire(self, size: int) -> None:
        """Wait for a slot."""
        if self.free > 0 and not self._waiting:
            self.free -= 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._arrivals += 1
        heapq.heappush(self._waiting, (-size, self._arrivals, fut))
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # the slot was handed over just as the waiter was cancelled
            raise

    def release(self) -> None:
        """Give the slot to the largest waiter still waiting, or free it."""
        while self._waiting:
            _, _, fut = heapq.heappop(self._waiting)
            if not fut.done():
                fut.set_result(None)
                return
        self.free += 1

    @asynccontextmanager
    async def slot(self, size: int) -> AsyncIterator[None]:
        """``async with gate.slot(len(body)):`` holds a slot for the block."""
        await self.acquire(size)
        try:
            yield
        finally:
            self.release()
