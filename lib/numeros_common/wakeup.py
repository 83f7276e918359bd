"""The nudge a background worker waits on between passes (the outbox relay, identity's mail queue)."""
from __future__ import annotations

import asyncio
import contextlib


class Wakeup:
    """``wake()`` from whoever just committed work for the worker; ``wait(seconds)`` returns at the first nudge
    or after ``seconds`` (the poll that also finds work left behind by a crash), whichever comes first. A nudge
    given while the worker was busy is not lost: the next ``wait`` returns at once."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def wake(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow the cancel at shutdown.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._event.wait()
        self._event.clear()
