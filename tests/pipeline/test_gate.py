"""The parse gate: bounded concurrency, biggest job first, no slot lost to cancellation."""

from __future__ import annotations

import asyncio

from bot.pipeline.gate import LargestFirstGate


def test_waiters_are_admitted_largest_first_ties_in_arrival_order() -> None:
    async def main() -> list[str]:
        gate = LargestFirstGate(1)
        order: list[str] = []
        await gate.acquire(0)  # the slot is taken: everyone below queues

        async def job(name: str, size: int) -> None:
            async with gate.slot(size):
                order.append(name)

        tasks = [
            asyncio.create_task(job(n, s))
            for n, s in [("small", 10), ("huge", 900), ("mid-a", 50), ("mid-b", 50)]
        ]
        await asyncio.sleep(0)  # let them all queue
        gate.release()
        await asyncio.gather(*tasks)
        assert gate.free == 1
        return order

    assert asyncio.run(main()) == ["huge", "mid-a", "mid-b", "small"]


def test_never_more_holders_than_slots() -> None:
    async def main() -> int:
        gate = LargestFirstGate(3)
        busy = peak = 0

        async def job(size: int) -> None:
            nonlocal busy, peak
            async with gate.slot(size):
                busy += 1
                peak = max(peak, busy)
                await asyncio.sleep(0.001)
                busy -= 1

        await asyncio.gather(*(job(i % 7) for i in range(40)))
        assert gate.free == 3
        return peak

    assert asyncio.run(main()) == 3


def test_a_cancelled_waiter_does_not_keep_or_lose_a_slot() -> None:
    async def main() -> None:
        gate = LargestFirstGate(1)
        await gate.acquire(0)
        admitted: list[str] = []

        async def job(name: str, size: int) -> None:
            async with gate.slot(size):
                admitted.append(name)

        doomed = asyncio.create_task(job("doomed", 100))
        other = asyncio.create_task(job("other", 1))
        await asyncio.sleep(0)
        doomed.cancel()
        await asyncio.sleep(0)
        gate.release()  # must go to "other": the bigger waiter is gone
        await other
        assert admitted == ["other"]
        assert doomed.cancelled()
        assert gate.free == 1

    asyncio.run(main())


def test_a_slot_handed_to_a_waiter_cancelled_at_that_moment_comes_back() -> None:
    async def main() -> None:
        gate = LargestFirstGate(1)
        await gate.acquire(0)
        waiter = asyncio.create_task(gate.acquire(5))
        await asyncio.sleep(0)
        gate.release()  # hands the slot over ...
        waiter.cancel()  # ... and the waiter is cancelled before it runs
        await asyncio.gather(waiter, return_exceptions=True)
        assert gate.free == 1

    asyncio.run(main())
