"""Webhook verification through the Python API: every vector of spec/webhooks/vectors.json, the
header shapes web frameworks use, typed unwrap."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping

import pytest

import cadenya
from conftest import ROOT, Server

VECTORS: List[Dict[str, Any]] = json.loads((ROOT / "spec" / "webhooks" / "vectors.json").read_text())["vectors"]


def sign(secret: str, msg_id: str, ts: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_") if hasattr(str, "removeprefix") else secret[6:])
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def test_vector_count() -> None:
    assert len(VECTORS) == 80


@pytest.mark.parametrize("v", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector(v: Dict[str, Any], client: cadenya.Cadenya) -> None:
    payload = v["payload"]
    if v["expect"] == "ok":
        client.webhooks.verify(payload, v["headers"], v["secret"], _now=v["now"])
        client.webhooks.verify(payload.encode(), v["headers"], v["secret"], _now=v["now"])
    else:
        with pytest.raises(cadenya.WebhookVerificationError) as e:
            client.webhooks.verify(payload, v["headers"], v["secret"], _now=v["now"])
        assert e.value.detail == v["error_kind"]
        if len(v["secret"]) > 8:
            assert v["secret"] not in str(e.value)


class CaseInsensitiveHeaders(Mapping[str, str]):
    """Like Starlette's / Werkzeug's header objects: `get` ignores case, keys keep theirs."""

    def __init__(self, items: Dict[str, str]) -> None:
        self._items = items

    def __getitem__(self, key: str) -> str:
        for k, v in self._items.items():
            if k.lower() == key.lower():
                return v
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def _signed(server: Server, body: bytes) -> Dict[str, str]:
    ts = int(time.time())
    return {"webhook-id": "msg_1", "webhook-timestamp": str(ts), "webhook-signature": sign(server.webhook_secret, "msg_1", ts, body)}


def test_header_shapes(server: Server, client: cadenya.Cadenya) -> None:
    body = b'{"type":"objective_event.finalized"}'
    h = _signed(server, body)
    client.webhooks.verify(body, h)  # plain dict, the client's secret
    client.webhooks.verify(body, {k.title(): v for k, v in h.items()})  # Webhook-Id spelling
    client.webhooks.verify(body, CaseInsensitiveHeaders({k.upper(): v for k, v in h.items()}))
    client.webhooks.verify(body, list(h.items()))  # (name, value) pairs
    client.webhooks.verify(body, {k: v.encode() for k, v in h.items()})  # bytes values
    client.webhooks.verify(body.decode(), h)  # str payload
    with pytest.raises(cadenya.WebhookVerificationError) as e:
        client.webhooks.verify(body + b" ", h)
    assert e.value.detail == "bad_signature"
    with pytest.raises(cadenya.WebhookVerificationError) as e:
        client.webhooks.verify(body, {k: v for k, v in h.items() if k != "webhook-id"})
    assert e.value.detail == "missing_header"


def test_unwrap_and_unsafe_unwrap(server: Server, client: cadenya.Cadenya) -> None:
    def meta(id: str) -> Dict[str, str]:
        return {"id": id, "accountId": "acct_1", "createdAt": "2026-01-01T00:00:00Z", "profileId": "prf_1", "workspaceId": "ws_1"}

    event = {
        "type": "objective_event.finalized",
        "timestamp": "2026-01-01T00:00:00Z",
        "data": {
            "agent": {**meta("agt_1"), "name": "a"},
            "agentVariation": {**meta("var_1"), "name": "v"},
            "objective": meta("obj_1"),
            "objectiveEvent": {"metadata": meta("evt_1"), "data": {"type": "OBJECTIVE_EVENT_TYPE_FINALIZED", "finalized": {}}},
            "futureField": {"Keep_Me": 1},
        },
    }
    body = json.dumps(event).encode()
    # As in Node and Kotlin, unwrap checks the body is the webhook envelope after verifying it.
    not_envelope = json.dumps({"type": "x", "timestamp": "2026-01-01T00:00:00Z", "data": {}}).encode()
    with pytest.raises(cadenya.WebhookVerificationError) as e:
        client.webhooks.unwrap(not_envelope, _signed(server, not_envelope))
    assert e.value.detail == "bad_payload"
    got = client.webhooks.unwrap(body, _signed(server, body))
    assert isinstance(got, cadenya.types.UnwrapWebhookEvent)
    assert got.type == "objective_event.finalized"
    assert got.to_dict() == event  # unknown fields kept, keys untouched
    assert client.webhooks.unsafe_unwrap(body).to_dict() == event
    with pytest.raises(cadenya.WebhookVerificationError) as e:
        client.webhooks.unsafe_unwrap(b"not json")
    assert e.value.detail == "bad_payload"
    with pytest.raises(cadenya.WebhookVerificationError) as e:
        client.webhooks.unwrap(body, _signed(server, body), "whsec_" + base64.b64encode(b"another key!").decode())
    assert e.value.detail == "bad_signature"


def test_no_secret_configured(server: Server) -> None:
    c = cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id)
    if c._native.config[2]:  # CADENYA_WEBHOOK_SECRET set in the environment
        pytest.skip("a webhook secret comes from the environment")
    with pytest.raises(cadenya.ConfigurationError, match="webhook secret"):
        c.webhooks.verify(b"{}", {})
