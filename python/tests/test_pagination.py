"""Lists: the first page, next_page(), and lazy iteration over every page (sync and async)."""

from __future__ import annotations

import uuid
from typing import List

import pytest

import cadenya
from conftest import Server


@pytest.fixture(scope="module")
def prefix(server: Server) -> str:
    p = f"pg-{uuid.uuid4().hex[:8]}-"
    with cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id) as c:
        for i in range(25):
            c.agents.create(metadata={"name": f"{p}{i:02d}"}, spec={"status": "AGENT_STATUS_DRAFT", "variation_selection_mode": "VARIATION_SELECTION_MODE_RANDOM"})
    return p


def test_first_page_and_next_page(client: cadenya.Cadenya, prefix: str) -> None:
    page = client.agents.list(prefix=prefix, limit=10, sort_order="asc")
    assert len(page.items) == 10 and page.has_next_page() and page.next_cursor
    assert [a.metadata.name for a in page.items][:2] == [f"{prefix}00", f"{prefix}01"]
    second = page.next_page()
    assert second is not None and len(second.items) == 10
    third = second.next_page()
    assert third is not None and len(third.items) == 5 and not third.has_next_page()
    assert third.next_page() is None


def test_iteration_walks_every_page_lazily(server: Server, client: cadenya.Cadenya, prefix: str) -> None:
    server.clear()
    it = iter(client.agents.list(prefix=prefix, limit=10))
    first = [next(it) for _ in range(10)]
    assert len(server.requests()) == 1  # nothing fetched beyond what was consumed
    rest = list(it)
    names = [a.metadata.name for a in first + rest]
    assert len(names) == 25 and len(set(names)) == 25
    reqs = server.requests()
    assert len(reqs) == 3
    assert all("limit=10" in r["query"] for r in reqs) and "cursor=" in reqs[2]["query"]
    assert len(list(client.agents.list(prefix=prefix, limit=10).iter_pages())) == 3


async def test_async_pages(aclient: cadenya.AsyncCadenya, prefix: str) -> None:
    names: List[str] = []
    async for a in aclient.agents.list(prefix=prefix, limit=7):
        names.append(a.metadata.name)
    assert len(names) == 25 and len(set(names)) == 25
    page = await aclient.agents.list(prefix=prefix, limit=20)
    assert len(page.items) == 20
    nxt = await page.next_page()
    assert nxt is not None and len(nxt.items) == 5 and await nxt.next_page() is None
    pages = [p async for p in page.iter_pages()]
    assert len(pages) == 2
