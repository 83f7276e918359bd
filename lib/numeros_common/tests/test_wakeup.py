"""The nudge between a background worker's passes."""
from __future__ import annotations

import asyncio

import pytest

from numeros_common.wakeup import Wakeup


@pytest.mark.asyncio
async def test_a_nudge_given_while_busy_ends_the_next_wait_and_is_then_spent() -> None:
    wakeup = Wakeup()
    wakeup.wake()  # the worker was busy: nobody waits yet
    async with asyncio.timeout(30):  # a guard against hanging, far above what the wait needs
        await wakeup.wait(3600)
    waiter = asyncio.create_task(wakeup.wait(3600))
    await asyncio.sleep(0)
    assert not waiter.done()  # spent: the next wait waits
    wakeup.wake()
    async with asyncio.timeout(30):
        await waiter


@pytest.mark.asyncio
async def test_without_a_nudge_the_wait_ends_after_its_seconds() -> None:
    await Wakeup().wait(0)  # returns (the poll), raising nothing
