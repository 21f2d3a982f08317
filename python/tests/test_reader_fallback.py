"""Async calls on an event loop without `add_reader` (Windows' default proactor loop has none):
`cadenya._core` falls back to a reader task awaiting `loop.sock_recv`. Here a selector loop that
refuses `add_reader` stands in for it, so the fallback runs on every platform."""

from __future__ import annotations

import asyncio
import gc
import os
from typing import Any, Awaitable, Callable, List, Optional, TypeVar

import pytest

import cadenya
from conftest import Server, agent_params, fault

T = TypeVar("T")


class NoReaderLoop(asyncio.SelectorEventLoop):
    """A selector loop whose public `add_reader` is missing, as on a proactor loop."""

    refused = 0

    def add_reader(self, fd: Any, callback: Callable[..., Any], *args: Any) -> None:
        NoReaderLoop.refused += 1
        raise NotImplementedError


def run(main: Callable[[], Awaitable[T]]) -> T:
    """`asyncio.run` on a `NoReaderLoop` (asyncio.Runner's loop_factory is 3.11+)."""
    loop = NoReaderLoop()
    try:
        return loop.run_until_complete(main())
    finally:
        left = asyncio.all_tasks(loop)
        for t in left:
            t.cancel()
        loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
        loop.close()


def reader_task() -> "Optional[asyncio.Task[Any]]":
    return next((t for t in asyncio.all_tasks() if t.get_name() == "cadenya-completions"), None)


@pytest.fixture(scope="module")
def agent_id(server: Server) -> str:
    with cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id) as c:
        return c.agents.create(**agent_params("fallback")).metadata.id


def new_client(server: Server) -> cadenya.AsyncCadenya:
    return cadenya.AsyncCadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id)


def test_concurrent_calls_complete_through_the_reader_task(server: Server, agent_id: str) -> None:
    refused = NoReaderLoop.refused

    async def main() -> List[str]:
        ac = new_client(server)
        results = await asyncio.gather(*(ac.agents.retrieve(agent_id) for _ in range(300)))
        assert reader_task() is not None
        return [r.metadata.id for r in results]

    assert run(main) == [agent_id] * 300
    assert NoReaderLoop.refused == refused + 1  # one completer for the loop, asked once


def test_errors_arrive_as_their_classes(server: Server) -> None:
    async def main() -> None:
        ac = new_client(server)
        with pytest.raises(cadenya.NotFoundError):
            await ac.agents.retrieve("agt_missing")
        with pytest.raises(cadenya.InternalServerError):
            await ac.agents.list(extra_headers=fault("status=500"), max_retries=0)
        # One call failing does not stop the others.
        ok, bad = await asyncio.gather(ac.account.retrieve(), ac.agents.retrieve("agt_missing"), return_exceptions=True)
        assert isinstance(bad, cadenya.NotFoundError) and not isinstance(ok, BaseException)

    run(main)


def test_cancelling_a_call_aborts_it(server: Server) -> None:
    async def main() -> None:
        ac = new_client(server)
        task = asyncio.ensure_future(ac.agents.retrieve("agt_slow", extra_headers=fault("delay-ms=2000")))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(ac.agents.list(extra_headers=fault("delay-ms=2000")), 0.1)
        assert isinstance(await ac.agents.list(limit=1), cadenya.AsyncCursorPage)

    run(main)


def test_a_cancelled_reader_is_replaced(server: Server, agent_id: str) -> None:
    """`asyncio.run` cancels the reader with every other task; a call made afterwards (in a
    task's cleanup), and a call already in flight then, still complete."""

    async def main() -> None:
        ac = new_client(server)
        slow = asyncio.ensure_future(ac.agents.retrieve(agent_id, extra_headers=fault("delay-ms=300")))
        await asyncio.sleep(0)  # the call starts
        reader = reader_task()
        assert reader is not None
        reader.cancel()
        await asyncio.sleep(0)
        assert reader.cancelled() and reader_task() is None
        # (A lost wake-up would hang: the bound turns that into a failure.)
        assert (await asyncio.wait_for(ac.agents.retrieve(agent_id), 30)).metadata.id == agent_id
        assert (await asyncio.wait_for(slow, 30)).metadata.id == agent_id
        # A result that arrives while no reader runs is taken by the next one.
        later = asyncio.ensure_future(ac.agents.retrieve(agent_id, extra_headers=fault("delay-ms=300")))
        await asyncio.sleep(0)
        reader = reader_task()
        assert reader is not None
        reader.cancel()
        await asyncio.sleep(0.6)
        assert not later.done()
        assert (await asyncio.wait_for(ac.account.retrieve(), 30)) is not None
        assert (await asyncio.wait_for(later, 30)).metadata.id == agent_id

    run(main)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts descriptors in /proc")
def test_closed_loops_leave_no_sockets(server: Server) -> None:
    ac = new_client(server)

    async def main() -> None:
        await ac.account.retrieve()

    def fds() -> int:
        gc.collect()
        return len(os.listdir("/proc/self/fd"))

    run(main)
    before = fds()
    for _ in range(20):
        run(main)
    # Each loop has its completer's socket pair and the reader's duplicate: 3 per loop if kept.
    assert fds() - before < 10


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_calls_complete_in_a_forked_child(server: Server, agent_id: str) -> None:
    ac = new_client(server)

    async def main() -> str:
        return (await ac.agents.retrieve(agent_id)).metadata.id

    assert run(main) == agent_id
    pid = os.fork()
    if pid == 0:  # child: never return into pytest (exit 3: it raised)
        code = 3
        try:
            code = 0 if run(main) == agent_id else 2
        finally:
            os._exit(code)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert run(main) == agent_id
