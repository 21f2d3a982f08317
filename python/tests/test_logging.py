"""The core's log records reach the standard `logging` module (logger `cadenya`), on the
caller's thread, with the request facts and no secret."""

from __future__ import annotations

import json
import logging
import threading
from typing import Iterator, List

import pytest

import cadenya
from conftest import Server, agent_params, fault


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Collect]:
    """A handler on the `cadenya` logger; the logger's level is restored afterwards."""
    logger = logging.getLogger("cadenya")
    level = logger.level
    monkeypatch.delenv("CADENYA_LOG", raising=False)
    handler = Collect()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _client(server: Server) -> cadenya.Cadenya:
    return cadenya.Cadenya(
        api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id, webhook_secret=server.webhook_secret
    )


def _no_secret(server: Server, records: List[logging.LogRecord]) -> None:
    text = "\n".join(r.getMessage() + json.dumps(getattr(r, "cadenya", {})) for r in records)
    for secret in (server.api_key, server.webhook_secret, server.webhook_secret.removeprefix("whsec_")):
        assert secret not in text


def test_debug_records_hold_the_request_facts_and_no_secret(server: Server, logs: Collect) -> None:
    logging.getLogger("cadenya").setLevel(logging.DEBUG)
    with _client(server) as c:
        agent = c.agents.create(**agent_params("logged"))
        c.agents.retrieve(agent.metadata.id)
    http = [r for r in logs.records if r.getMessage().startswith("http request")]
    retrieve = [r for r in http if r.cadenya["operation"] == "agents.retrieve"]  # type: ignore[attr-defined]
    assert len(retrieve) == 1
    r = retrieve[0]
    f = r.cadenya  # type: ignore[attr-defined]
    assert r.levelno == logging.DEBUG and r.name == "cadenya"
    assert f["method"] == "GET"
    assert f["path"] == "/v1/workspaces/{workspaceId}/agents/{id}"  # the template, not the ids
    assert f["status"] == 200 and f["attempt"] == 1
    assert isinstance(f["duration_ms"], int)
    assert f["request_id"].startswith("req_")
    assert f"request_id={f['request_id']}" in r.getMessage()
    # Delivered on the thread that made the call, never on a runtime thread.
    assert all(rec.thread == threading.get_ident() for rec in logs.records)
    _no_secret(server, logs.records)


def test_retries_log_at_info_with_reason_and_wait(server: Server, logs: Collect) -> None:
    logging.getLogger("cadenya").setLevel(logging.INFO)
    with _client(server) as c:
        c.agents.list(extra_headers=fault("status=503;retry-after-ms=1;times=1"))
    retries = [r for r in logs.records if r.getMessage().startswith("retrying")]
    assert len(retries) == 1 and retries[0].levelno == logging.INFO
    assert retries[0].cadenya["reason"] and retries[0].cadenya["wait_ms"] >= 0  # type: ignore[attr-defined]
    assert not [r for r in logs.records if r.levelno < logging.INFO]  # debug records were not made
    _no_secret(server, logs.records)


async def test_async_records_arrive_on_the_loop_thread(server: Server, logs: Collect) -> None:
    logging.getLogger("cadenya").setLevel(logging.DEBUG)
    c = cadenya.AsyncCadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id)
    await c.account.retrieve()
    http = [r for r in logs.records if r.getMessage().startswith("http request")]
    assert [r.cadenya["operation"] for r in http] == ["account.retrieve"]  # type: ignore[attr-defined]
    assert http[0].thread == threading.get_ident()


def test_cadenya_log_sets_the_level_when_nobody_did(server: Server, logs: Collect, monkeypatch: pytest.MonkeyPatch) -> None:
    logger = logging.getLogger("cadenya")
    logger.setLevel(logging.NOTSET)
    monkeypatch.setenv("CADENYA_LOG", "debug")
    with _client(server) as c:
        c.account.retrieve()
    assert logger.level == logging.DEBUG
    assert any(r.getMessage().startswith("http request") for r in logs.records)


def test_a_configured_level_wins_over_cadenya_log(server: Server, logs: Collect, monkeypatch: pytest.MonkeyPatch) -> None:
    logging.getLogger("cadenya").setLevel(logging.WARNING)
    monkeypatch.setenv("CADENYA_LOG", "debug")
    with _client(server) as c:
        c.account.retrieve()
    assert not [r for r in logs.records if r.levelno < logging.WARNING]


def test_a_bad_cadenya_log_is_a_configuration_error(server: Server, logs: Collect, monkeypatch: pytest.MonkeyPatch) -> None:
    logging.getLogger("cadenya").setLevel(logging.NOTSET)
    monkeypatch.setenv("CADENYA_LOG", "loud")
    with pytest.raises(cadenya.ConfigurationError):
        _client(server)
