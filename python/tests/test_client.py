"""Configuration, environment fallbacks, per-call options, raw responses, closing."""

from __future__ import annotations

import pytest

import cadenya
from conftest import Server, agent_params


def test_env_fallbacks(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CADENYA_API_KEY", server.api_key)
    monkeypatch.setenv("CADENYA_BASE_URL", server.base_url)
    monkeypatch.setenv("CADENYA_WORKSPACE_ID", server.workspace_id)
    monkeypatch.setenv("CADENYA_CUSTOM_HEADERS", "X-From-Env: yes")
    with cadenya.Cadenya() as c:
        assert c.workspace_id == server.workspace_id
        server.clear()
        c.agents.list(limit=1)
    (r,) = server.requests()
    assert r["path"] == f"/v1/workspaces/{server.workspace_id}/agents"
    assert r["headers"]["x-from-env"] == "yes"
    assert "authorization" in r["headers"]  # the server's log redacts its value
    assert r["headers"]["user-agent"].startswith("cadenya-python/")


def test_missing_and_blank_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CADENYA_API_KEY", raising=False)
    with pytest.raises(cadenya.ConfigurationError, match="CADENYA_API_KEY"):
        cadenya.Cadenya()
    with pytest.raises(ValueError):  # ConfigurationError is also a ValueError
        cadenya.Cadenya(api_key="  ")
    with pytest.raises(cadenya.ConfigurationError, match="workspace_id"):
        cadenya.Cadenya(api_key="k", workspace_id="")
    with pytest.raises(cadenya.ConfigurationError):
        cadenya.Cadenya(api_key="k", base_url="http://example.com")  # clear text to a remote host
    with pytest.raises(cadenya.ConfigurationError):
        cadenya.Cadenya(api_key="k", timeout=0)


def test_repr_and_errors_never_show_the_key(server: Server) -> None:
    c = cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id, webhook_secret=server.webhook_secret)
    assert server.api_key not in repr(c)
    bad = cadenya.Cadenya(api_key="cdn_wrong_secret_value", base_url=server.base_url, workspace_id=server.workspace_id)
    with pytest.raises(cadenya.AuthenticationError) as e:
        bad.agents.list()
    assert "cdn_wrong_secret_value" not in str(e.value) and "cdn_wrong_secret_value" not in repr(e.value)


def test_default_headers_and_per_call_options(server: Server) -> None:
    with cadenya.Cadenya(
        api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id, default_headers={"X-Team": "core"}
    ) as c:
        server.clear()
        c.agents.list(limit=1, extra_headers={"X-Call": "1"}, extra_query={"trace": "on"}, idempotency_key="idem-1")
    (r,) = server.requests()
    assert r["headers"]["x-team"] == "core"
    assert r["headers"]["x-call"] == "1"
    assert r["headers"]["idempotency-key"] == "idem-1"
    assert "trace=on" in r["query"] and "limit=1" in r["query"]


def test_workspace_override(server: Server, client: cadenya.Cadenya) -> None:
    server.clear()
    with pytest.raises(cadenya.APIError):
        client.agents.retrieve("agt_x", workspace_id="ws_other")
    (r,) = server.requests()
    assert r["path"] == "/v1/workspaces/ws_other/agents/agt_x"


def test_path_ids_are_one_segment_and_checked(server: Server, client: cadenya.Cadenya) -> None:
    server.clear()
    with pytest.raises(cadenya.NotFoundError):
        client.agents.retrieve("../x?y=1#z")
    (r,) = server.requests()
    assert r["path"].endswith("/agents/..%2Fx%3Fy%3D1%23z")
    server.clear()
    for bad in ["", "..", "."]:
        with pytest.raises(cadenya.InvalidRequestError):
            client.agents.retrieve(bad)
    assert server.requests() == []


def test_raw_response(server: Server, client: cadenya.Cadenya) -> None:
    agent = client.agents.create(**agent_params())
    raw = client.agents.with_raw_response.retrieve(agent.metadata.id)
    assert raw.status_code == 200
    assert raw.request_id and raw.request_id.startswith("req_")
    assert raw.headers["x-request-id"] == raw.request_id
    assert raw.parse() == agent
    assert isinstance(raw.data, cadenya.types.Agent)
    page = client.agents.with_raw_response.list(limit=1).parse()
    assert isinstance(page, cadenya.SyncCursorPage)
    assert client.agents.with_raw_response.delete(agent.metadata.id).parse() is None


async def test_async_raw_response_and_context_manager(server: Server) -> None:
    async with cadenya.AsyncCadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id) as c:
        agent = await c.agents.create(**agent_params())
        raw = await c.agents.with_raw_response.retrieve(agent.metadata.id)
        assert raw.status_code == 200 and raw.parse() == agent
    assert c.is_closed
    with pytest.raises(cadenya.CadenyaError, match="closed"):
        await c.agents.retrieve(agent.metadata.id)


def test_close(server: Server) -> None:
    with cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id) as c:
        c.agents.list(limit=1)
    assert c.is_closed
    with pytest.raises(cadenya.CadenyaError, match="closed"):
        c.agents.list()


async def test_close_cancels_calls_in_flight(server: Server) -> None:
    import asyncio
    import threading
    import time

    from conftest import fault

    ac = cadenya.AsyncCadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id)
    slow = [asyncio.ensure_future(ac.account.retrieve(extra_headers=fault("delay-ms=5000"))) for _ in range(4)]
    await asyncio.sleep(0.05)
    t0 = time.monotonic()
    await ac.close()
    for f in slow:
        with pytest.raises(cadenya.CadenyaError, match="closed"):
            await f
    assert time.monotonic() - t0 < 4, "the calls ran to their answers instead of being cancelled"

    c = cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id)
    errors: list = []

    def call() -> None:
        try:
            c.account.retrieve(extra_headers=fault("delay-ms=5000"))
        except cadenya.CadenyaError as e:
            errors.append(e)

    t = threading.Thread(target=call)
    t.start()
    time.sleep(0.05)
    c.close()
    t.join(timeout=4)
    assert not t.is_alive(), "a sync call in flight was not cancelled by close()"
    assert len(errors) == 1 and "closed" in str(errors[0])


async def test_close_ends_page_fetches_too(server: Server) -> None:
    """A page's next fetch is a call of its client: after close() it fails, and close() ends one in flight."""
    import asyncio

    from conftest import fault

    c = cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id)
    for i in range(3):
        c.agents.create(**agent_params(f"close-pages-{i}"))
    page = c.agents.list(prefix="close-pages-", limit=1)
    assert page.has_next_page()
    c.close()
    with pytest.raises(cadenya.CadenyaError, match="closed"):
        page.get_next_page()
    with pytest.raises(cadenya.CadenyaError, match="closed"):
        list(page)

    # An in-flight next-page fetch (the server holds it for 5 s) ends as soon as the client closes.
    import json
    import time
    import urllib.request

    ac = cadenya.AsyncCadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id)
    first = await ac.agents.list(prefix="close-pages-", limit=1)
    assert first.has_next_page()
    arm = {"method": "GET", "path_prefix": f"/v1/workspaces/{server.workspace_id}/agents", "fault": "delay-ms=5000;times=1"}
    req = urllib.request.Request(server.base_url + "/_cadenya/faults", data=json.dumps(arm).encode(), method="POST")
    urllib.request.urlopen(req, timeout=10).close()
    try:
        slow = asyncio.ensure_future(first.get_next_page())
        await asyncio.sleep(0.1)
        t0 = time.monotonic()
        await ac.close()
        with pytest.raises(cadenya.CadenyaError, match="closed"):
            await slow
        assert time.monotonic() - t0 < 4, "the page fetch ran to its answer instead of being cancelled"
    finally:
        urllib.request.urlopen(urllib.request.Request(server.base_url + "/_cadenya/faults", method="DELETE"), timeout=10).close()
