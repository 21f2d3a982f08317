"""`client.objectives.wait` / `follow_events` (sync and async) against the local server."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import pytest

import cadenya
from conftest import agent_params


def _start(client: cadenya.Cadenya, labels: Dict[str, str] | None = None) -> str:
    agent = client.agents.create(**agent_params("objective"))
    variation = client.agents.variations.create(agent.metadata.id, metadata={"name": f"v-{uuid.uuid4().hex[:6]}"}, spec={"prompt": "p"})
    metadata: Dict[str, Any] = {"labels": labels} if labels else {}
    objective = client.objectives.create(
        agent_id=agent.metadata.id, variation_id=variation.metadata.id, data={"initial_message": "hello"}, metadata=metadata
    )
    return objective.metadata.id


def _listed(client: cadenya.Cadenya, objective_id: str) -> List[str]:
    return [e.metadata.id for e in client.objectives.list_events(objective_id, sort_order="asc")]


def _approve(client: cadenya.Cadenya, objective_id: str) -> None:
    calls = [c for c in client.objectives.tool_calls.list(objective_id) if c.status == "TOOL_CALL_STATUS_WAITING_FOR_APPROVAL"]
    assert len(calls) == 1
    client.objectives.tool_calls.approve(objective_id, calls[0].metadata.id)


def test_wait_for_approval_then_finalize_and_follow_every_event_once(client: cadenya.Cadenya) -> None:
    oid = _start(client)
    waiting = client.objectives.wait(oid, states=["STATE_WAITING"], timeout=30)
    assert waiting.status.state == "STATE_WAITING"
    _approve(client, oid)
    done = client.objectives.wait(oid, timeout=30)
    assert done.metadata.id == oid and done.status.state == "STATE_FINALIZED"
    stream = client.objectives.follow_events(oid, timeout=30)
    ids = [e.metadata.id for e in stream]
    assert len(ids) == len(set(ids)) >= 5
    assert ids == _listed(client, oid)  # in order, none skipped
    assert stream.last_event_id == ids[-1]


def test_follow_while_running_sees_each_event_once(client: cadenya.Cadenya) -> None:
    oid = _start(client)
    stream = client.objectives.follow_events(oid, timeout=30)
    ids: List[str] = []
    for event in stream:
        ids.append(event.metadata.id)
        if event.data.tool_approval_requested is not None:
            _approve(client, oid)
    assert len(ids) == len(set(ids))
    assert ids == _listed(client, oid)
    assert client.objectives.retrieve(oid).status.state == "STATE_FINALIZED"


def test_wait_timeout_carries_the_last_state(client: cadenya.Cadenya) -> None:
    oid = _start(client)
    client.objectives.wait(oid, states=["STATE_WAITING"], timeout=30)
    with pytest.raises(cadenya.WaitTimeoutError) as e:
        client.objectives.wait(oid, timeout=0.3)  # it waits for approval: never terminal
    assert e.value.detail == "STATE_WAITING"
    assert e.value.kind == "wait_timeout"
    assert isinstance(e.value, cadenya.CadenyaError)


def test_a_failing_objective_ends_the_wait_and_the_stream(client: cadenya.Cadenya) -> None:
    oid = _start(client, {"simulate": "fail"})
    failed = client.objectives.wait(oid, timeout=30)
    assert failed.status.state == "STATE_FAILED"
    events = list(client.objectives.follow_events(oid, timeout=30))
    assert [e.metadata.id for e in events] == _listed(client, oid)
    assert any(e.data.type == "error" or e.data.error is not None for e in events)


def test_resume_after_an_event_id(client: cadenya.Cadenya) -> None:
    oid = _start(client)
    client.objectives.wait(oid, states=["STATE_WAITING"], timeout=30)
    _approve(client, oid)
    client.objectives.wait(oid, timeout=30)
    ids = _listed(client, oid)
    resumed = [e.metadata.id for e in client.objectives.follow_events(oid, after_event_id=ids[2], timeout=30)]
    assert resumed == ids[3:]


def test_bad_arguments_are_typed_errors(client: cadenya.Cadenya) -> None:
    with pytest.raises(cadenya.InvalidRequestError):
        client.objectives.wait("obj_x", timeout=-1)
    with pytest.raises(cadenya.NotFoundError):
        client.objectives.wait("obj_missing", timeout=5)


async def test_async_wait_and_follow(client: cadenya.Cadenya, aclient: cadenya.AsyncCadenya) -> None:
    oid = _start(client)
    waiting = await aclient.objectives.wait(oid, states=["STATE_WAITING"], timeout=30)
    assert waiting.status.state == "STATE_WAITING"
    ids: List[str] = []
    async for event in aclient.objectives.follow_events(oid, timeout=30):
        ids.append(event.metadata.id)
        if event.data.tool_approval_requested is not None:
            _approve(client, oid)
    assert ids == _listed(client, oid) and len(ids) == len(set(ids))
    done = await aclient.objectives.wait(oid, timeout=30)
    assert done.status.state == "STATE_FINALIZED"
    with pytest.raises(cadenya.WaitTimeoutError):
        await aclient.objectives.wait(_start(client), states=["STATE_CANCELLED"], timeout=0.3)
