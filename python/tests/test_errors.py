"""Error mapping, retries and timeouts (the policy is the core's; this checks it surfaces)."""

from __future__ import annotations

import socket
import time

import pytest

import cadenya
from conftest import Server, agent_params, fault


@pytest.mark.parametrize(
    "status,cls",
    [
        (400, cadenya.BadRequestError),
        (401, cadenya.AuthenticationError),
        (403, cadenya.PermissionDeniedError),
        (404, cadenya.NotFoundError),
        (409, cadenya.ConflictError),
        (422, cadenya.UnprocessableEntityError),
        (429, cadenya.RateLimitError),
        (500, cadenya.InternalServerError),
        (503, cadenya.InternalServerError),
        (418, cadenya.APIStatusError),
    ],
)
def test_status_maps_to_class(status: int, cls: type, client: cadenya.Cadenya) -> None:
    with pytest.raises(cadenya.APIError) as e:
        client.agents.list(extra_headers=fault(f"status={status}"), max_retries=0)
    err = e.value
    assert type(err) is cls
    assert isinstance(err, cadenya.CadenyaError)
    assert err.status_code == status
    assert err.request_id and err.request_id.startswith("req_")
    assert err.body and isinstance(err.body, str)
    assert err.message
    assert err.headers is not None and err.headers["x-request-id"] == err.request_id


def test_not_found_has_the_server_message(client: cadenya.Cadenya) -> None:
    with pytest.raises(cadenya.NotFoundError) as e:
        client.agents.retrieve("agt_missing")
    assert e.value.code == 5  # google.rpc NOT_FOUND
    assert "agt_missing" in e.value.body  # type: ignore[operator]
    assert "NotFoundError (404)" in str(e.value)


def test_validation_error_from_server(client: cadenya.Cadenya) -> None:
    with pytest.raises(cadenya.BadRequestError) as e:
        client.agents.create(metadata={"name": "x"}, spec={"status": "AGENT_STATUS_NOPE"})  # type: ignore[typeddict-item]
    # The server names the offending field's path.
    assert "BadRequestError (400): spec." in e.value.message, e.value.message
    assert e.value.message.startswith("agents.create failed after 1 attempt: "), e.value.message


def test_connection_error() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    c = cadenya.Cadenya(api_key="k", base_url=f"http://127.0.0.1:{port}", workspace_id="ws", max_retries=0)
    with pytest.raises(cadenya.APIConnectionError) as e:
        c.agents.list()
    assert not isinstance(e.value, cadenya.APITimeoutError)
    assert e.value.status_code is None and e.value.request_id is None


def test_timeout(server: Server, client: cadenya.Cadenya) -> None:
    server.clear()
    t0 = time.monotonic()
    with pytest.raises(cadenya.APITimeoutError) as e:
        client.agents.list(extra_headers=fault("delay-ms=3000"), timeout=0.2, max_retries=1)
    assert isinstance(e.value, cadenya.APIConnectionError)
    # two attempts of 0.2 s with a backoff (>= 0.375 s) between them: a GET is retried after a timeout
    assert 0.7 < time.monotonic() - t0 < 2.5


def test_client_level_timeout(server: Server) -> None:
    c = cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id, timeout=0.2, max_retries=0)
    with pytest.raises(cadenya.APITimeoutError):
        c.agents.list(extra_headers=fault("delay-ms=2000"))


def test_retries_then_success(server: Server, client: cadenya.Cadenya) -> None:
    server.clear()
    page = client.agents.list(extra_headers=fault("status=503;retry-after-ms=10;times=2"))
    assert isinstance(page, cadenya.SyncCursorPage)
    reqs = server.requests()
    assert [r["headers"]["x-cadenya-retry-count"] for r in reqs] == ["0", "1", "2"]


def test_retries_exhausted(server: Server, client: cadenya.Cadenya) -> None:
    server.clear()
    with pytest.raises(cadenya.InternalServerError):
        client.agents.list(extra_headers=fault("status=503;retry-after-ms=10;times=5"), max_retries=1)
    assert len(server.requests()) == 2


def test_post_not_retried_without_idempotency_key(server: Server, client: cadenya.Cadenya) -> None:
    server.clear()
    with pytest.raises(cadenya.InternalServerError):
        client.agents.create(**agent_params(), extra_headers=fault("status=503;retry-after-ms=10;times=1"))
    assert len(server.requests()) == 1
    server.clear()
    agent = client.agents.create(**agent_params(), extra_headers=fault("status=503;retry-after-ms=10;times=1"), idempotency_key="k-" + str(time.time()))
    assert agent.metadata.id
    assert len(server.requests()) == 2


def test_dropped_connection_and_malformed_body(client: cadenya.Cadenya) -> None:
    with pytest.raises(cadenya.APIConnectionError):
        client.agents.list(extra_headers=fault("drop"), max_retries=0)
    with pytest.raises(cadenya.APIResponseValidationError) as e:
        client.agents.list(extra_headers=fault("malformed-json"), max_retries=0)
    assert e.value.status_code == 200


async def test_async_errors(aclient: cadenya.AsyncCadenya) -> None:
    with pytest.raises(cadenya.NotFoundError):
        await aclient.agents.retrieve("agt_missing")
    with pytest.raises(cadenya.APITimeoutError):
        await aclient.agents.list(extra_headers=fault("delay-ms=2000"), timeout=0.1, max_retries=0)
    with pytest.raises(cadenya.InvalidRequestError):
        await aclient.agents.retrieve("")
