"""Models: snake_case attributes, to_dict/to_json, equality, repr without secrets, unknown
fields kept; parameters given as dicts (snake_case keys) or models, free-form keys untouched."""

from __future__ import annotations

import json
import pickle

import cadenya
from cadenya import types as t
from conftest import Server, agent_params


def test_round_trip_and_equality(server: Server, client: cadenya.Cadenya) -> None:
    server.clear()
    agent = client.agents.create(
        metadata={"name": "m1", "labels": {"Team_Name": "core", "camelKey": "x"}},
        spec={"status": "AGENT_STATUS_DRAFT", "variation_selection_mode": "VARIATION_SELECTION_MODE_RANDOM", "description": "d"},
    )
    assert isinstance(agent, t.Agent) and isinstance(agent.metadata, t.ResourceMetadata)
    assert agent.metadata.labels == {"Team_Name": "core", "camelKey": "x"}  # user keys never renamed
    assert agent.spec.variation_selection_mode == "VARIATION_SELECTION_MODE_RANDOM"
    d = agent.to_dict()
    assert d["spec"]["variationSelectionMode"] == "VARIATION_SELECTION_MODE_RANDOM"
    assert json.loads(agent.to_json()) == d
    again = client.agents.retrieve(agent.metadata.id)
    assert again == agent and again is not agent
    assert again != client.agents.create(**agent_params())
    assert t.Agent.from_dict(d) == agent
    assert pickle.loads(pickle.dumps(agent)) == agent
    assert "m1" in repr(agent) and repr(agent).startswith("Agent(metadata=ResourceMetadata(")
    # The request carried wire names and the labels as given.
    body = json.loads([r for r in server.requests() if r["method"] == "POST"][0]["body"])
    assert body["metadata"]["labels"] == {"Team_Name": "core", "camelKey": "x"}
    assert body["spec"]["variationSelectionMode"] == "VARIATION_SELECTION_MODE_RANDOM"


def test_models_as_parameters(client: cadenya.Cadenya) -> None:
    meta = t.CreateResourceMetadata(name="as-model", labels={"Some_Key": "v"})
    spec = t.AgentSpec(status="AGENT_STATUS_DRAFT", variation_selection_mode="VARIATION_SELECTION_MODE_RANDOM")
    agent = client.agents.create(metadata=meta, spec=spec)
    assert agent.metadata.name == "as-model" and agent.metadata.labels == {"Some_Key": "v"}
    assert meta.to_dict() == {"name": "as-model", "labels": {"Some_Key": "v"}}


def test_unknown_fields_are_kept() -> None:
    data = {"metadata": {"id": "agt_1", "name": "n", "brandNew": 1}, "spec": {"status": "AGENT_STATUS_SOMETHING_NEW"}, "extraTop": [1]}
    a = t.Agent.from_dict(data)
    assert a.to_dict() == data
    assert a.spec.status == "AGENT_STATUS_SOMETHING_NEW"  # unknown enum values pass through
    assert "extraTop=[1]" in repr(a)


def test_repr_hides_secrets(client: cadenya.Cadenya) -> None:
    created = client.api_keys.create(metadata={"name": "k1"}, spec={"description": "test key"})
    token = created.spec.token
    assert token
    assert token not in repr(created)
    assert "<redacted>" in repr(created)
    account = client.account.retrieve()
    secret = account.info.webhook_events_hmac_secret
    assert secret and secret not in repr(account)


def test_int64_and_none_are_encoded(server: Server, client: cadenya.Cadenya) -> None:
    server.clear()
    try:
        client.memory_layers.entries.list("ml_missing", limit=5)
    except cadenya.NotFoundError:
        pass
    (r,) = server.requests()
    assert r["query"] == "limit=5"


def test_timestamps_read_as_aware_datetimes_and_the_wire_text_stays(client: cadenya.Cadenya) -> None:
    from datetime import datetime, timedelta, timezone

    agent = client.agents.create(**agent_params("timestamps"))
    created = agent.metadata.created_at
    assert isinstance(created, datetime) and created.tzinfo is not None
    wire = agent.to_dict()["metadata"]["createdAt"]
    assert isinstance(wire, str)  # the wire text is kept as sent
    assert abs(datetime.now(timezone.utc) - created) < timedelta(hours=1)

    def meta(created_at: str) -> t.ResourceMetadata:
        data = {"id": "a", "accountId": "b", "createdAt": created_at, "name": "n", "profileId": "p", "workspaceId": "w"}
        return t.ResourceMetadata.from_dict(data)

    nanos = meta("2026-01-02T03:04:05.123456789Z").created_at
    assert nanos == datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
    offset = meta("2026-01-02T05:04:05+02:00").created_at
    assert offset.utcoffset() == timedelta(hours=2) and offset == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert meta("2026-01-02t03:04:05z").created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    for bad in ["yesterday", "2026-13-02T03:04:05Z", "2026-01-02T03:04:05", "2026-01-02"]:
        try:
            meta(bad).created_at
        except cadenya.APIResponseValidationError as e:
            assert e.detail == "createdAt" and "createdAt" in str(e) and bad in str(e), str(e)
        else:
            raise AssertionError(f"{bad!r} parsed")
        assert bad in repr(meta(bad)), "repr shows a bad timestamp's wire text instead of raising"
    # Building a model takes a datetime (naive means UTC) or the text, and stores the text.
    built = t.ResourceMetadata(id="a", account_id="b", created_at=datetime(2026, 1, 2, 3, 4, 5), name="n", profile_id="p", workspace_id="w")
    assert built.to_dict()["createdAt"] == "2026-01-02T03:04:05Z"
    assert built.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
