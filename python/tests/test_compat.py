"""Surfaces of the official SDKs that code written for them relies on, against the local server."""

from __future__ import annotations

import json

import pytest

import cadenya

from conftest import Server, agent_params


def test_with_options_and_copy_change_only_what_is_given(server: Server, client: cadenya.Cadenya) -> None:
    other = client.with_options(workspace_id="ws_other", max_retries=0, default_headers={"x-team": "core"})
    assert isinstance(other, cadenya.Cadenya)
    assert other.workspace_id == "ws_other" and client.workspace_id == server.workspace_id
    assert other.base_url == client.base_url
    same = client.copy(default_headers={"x-team": "core"})
    server.clear()
    same.agents.list(limit=1)
    (r,) = server.requests()
    assert r["headers"]["x-team"] == "core"
    assert r["path"].startswith(f"/v1/workspaces/{server.workspace_id}/")
    # The original client is unchanged: no header.
    server.clear()
    client.agents.list(limit=1)
    (r,) = server.requests()
    assert "x-team" not in r["headers"]


def test_async_with_options_returns_an_async_client(aclient: cadenya.AsyncCadenya) -> None:
    other = aclient.with_options(timeout=5)
    assert isinstance(other, cadenya.AsyncCadenya)
    assert other.workspace_id == aclient.workspace_id


def test_webhook_key_is_an_alias_of_webhook_secret(server: Server) -> None:
    c = cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, webhook_key=server.webhook_secret)
    assert c._native.config[2]
    with pytest.raises(cadenya.ConfigurationError):
        cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, webhook_secret="whsec_a", webhook_key="whsec_b")


def test_get_next_page_walks_pages_and_raises_after_the_last(client: cadenya.Cadenya) -> None:
    for _ in range(3):
        client.agents.create(**agent_params("paged"))
    page = client.agents.list(limit=2)
    seen = len(page.items)
    while page.has_next_page():
        page = page.get_next_page()
        seen += len(page.items)
    assert seen >= 3
    with pytest.raises(RuntimeError):
        page.get_next_page()


def test_extra_body_is_merged_into_the_sent_body_and_its_keys_win(server: Server, client: cadenya.Cadenya) -> None:
    params = agent_params("extra")
    server.clear()
    agent = client.agents.create(
        **params, extra_body={"labsFlag": True, "metadata": {"name": "from-extra-body", "description": "d"}}
    )
    (r,) = server.requests()
    sent = json.loads(r["body"])
    assert sent["labsFlag"] is True  # a field the spec does not declare reaches the server
    assert sent["metadata"] == {"name": "from-extra-body", "description": "d"}  # extra_body's keys win
    assert sent["spec"]["status"] == "AGENT_STATUS_DRAFT"  # the method's own fields stay
    assert agent.metadata.name == "from-extra-body"
    # Keyword arguments only: methods without a body do not take it.
    with pytest.raises(TypeError):
        client.agents.retrieve(agent.metadata.id, extra_body={"x": 1})  # type: ignore[call-arg]


async def test_async_extra_body(server: Server, aclient: cadenya.AsyncCadenya) -> None:
    server.clear()
    await aclient.agents.create(**agent_params("extra-async"), extra_body={"labsFlag": 1})
    (r,) = server.requests()
    assert json.loads(r["body"])["labsFlag"] == 1
