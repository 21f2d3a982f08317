"""Concurrency: the GIL is released during sync calls, the event loop never blocks, one client
is shared by threads and by 1,000 concurrent tasks, cancellation aborts, and fork works."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List

import pytest

import cadenya
from conftest import Server, agent_params, fault


@pytest.fixture(scope="module")
def agent_id(server: Server) -> str:
    with cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id) as c:
        return c.agents.create(**agent_params("conc")).metadata.id


async def test_thousand_concurrent_async_calls(aclient: cadenya.AsyncCadenya, agent_id: str) -> None:
    results = await asyncio.gather(*(aclient.agents.retrieve(agent_id) for _ in range(1000)))
    assert len(results) == 1000
    assert all(r.metadata.id == agent_id for r in results)


def test_threads_share_one_client(client: cadenya.Cadenya, agent_id: str) -> None:
    def work(i: int) -> int:
        n = 0
        for _ in range(20):
            if client.agents.retrieve(agent_id).metadata.id == agent_id:
                n += 1
        return n

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert sum(pool.map(work, range(16))) == 16 * 20


def test_gil_is_released_during_a_sync_call(client: cadenya.Cadenya) -> None:
    counter = [0]
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            counter[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        before = counter[0]
        client.agents.list(extra_headers=fault("delay-ms=300"))
        advanced = counter[0] - before
    finally:
        stop.set()
        t.join()
    # A held GIL would leave the other thread almost no time: it runs freely while we wait.
    assert advanced > 100_000


async def test_event_loop_keeps_ticking_during_a_slow_call(aclient: cadenya.AsyncCadenya) -> None:
    ticks: List[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    t0 = time.monotonic()
    await aclient.agents.list(extra_headers=fault("delay-ms=500"))
    elapsed = time.monotonic() - t0
    task.cancel()
    assert elapsed >= 0.5
    # A loop blocked by the call would run the ticker once, before the call started; a free loop
    # runs it about 50 times. Not a timing bound: any busy machine still gives well over 3.
    assert len(ticks) >= 3, f"the ticker ran {len(ticks)} times during a 500 ms call"


async def test_cancel_aborts_the_call(aclient: cadenya.AsyncCadenya) -> None:
    task = asyncio.create_task(aclient.agents.retrieve("agt_slow", extra_headers=fault("delay-ms=2000")))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The client is still usable afterwards.
    assert isinstance(await aclient.agents.list(limit=1), cadenya.AsyncCursorPage)


async def test_wait_for_timeout(aclient: cadenya.AsyncCadenya) -> None:
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(aclient.agents.list(extra_headers=fault("delay-ms=2000")), 0.1)  # a paginator is awaitable too


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_fork_child_works(server: Server, client: cadenya.Cadenya, agent_id: str) -> None:
    aclient = cadenya.AsyncCadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id)
    # Use both clients first, so the runtime and the connection pools exist before the fork.
    assert client.agents.retrieve(agent_id).metadata.id == agent_id
    asyncio.run(aclient.agents.retrieve(agent_id))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        code = 1
        try:
            ok_sync = client.agents.retrieve(agent_id).metadata.id == agent_id
            ok_async = asyncio.run(aclient.agents.retrieve(agent_id)).metadata.id == agent_id
            fresh = cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id)
            ok_new = len(fresh.agents.list(limit=1).items) == 1
            code = 0 if (ok_sync and ok_async and ok_new) else 2
            os.write(w, f"{ok_sync} {ok_async} {ok_new}".encode())
        except BaseException as e:  # report, then exit without running pytest's teardown
            os.write(w, repr(e).encode()[:500])
        finally:
            os._exit(code)
    os.close(w)
    _, status = os.waitpid(pid, 0)
    report = os.read(r, 1000).decode()
    os.close(r)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, report
    # The parent is unaffected.
    assert client.agents.retrieve(agent_id).metadata.id == agent_id
