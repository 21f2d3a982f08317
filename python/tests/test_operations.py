"""Every operation of the spec, called through the generated surface with every parameter set
(examples/typed_example.py), sync and async: each request on the wire must have the right
method, path, query and JSON body (wire names; free-form keys untouched), and each successful
answer must come back as the right model.

The sample ids do not exist, so many calls end in a typed API error (404/400): that is fine
here, what is checked is what the surface sent. Behaviour is covered by the other test files.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import Any, Iterator, List, Tuple

import pytest

import cadenya
import typed_example
from _generated_expectations import EXPECTED

from conftest import Server, start_server


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """A server of its own: these calls archive the workspace, delete keys and so on."""
    yield from start_server()


def _check_wire(server: Server, op: str) -> None:
    method, path, query, body, _ = EXPECTED[op]
    reqs = server.requests()
    assert len(reqs) == 1, f"{op}: expected one request, got {[(r['method'], r['path']) for r in reqs]}"
    r = reqs[0]
    assert r["method"] == method
    assert r["path"] == path.replace("{ws}", server.workspace_id)
    got_q: List[Tuple[str, str]] = urllib.parse.parse_qsl(r["query"] or "", keep_blank_values=True)
    assert sorted(got_q) == sorted(query), op
    if body is None:
        assert (r["body"] or "").strip() in ("", "{}"), op
    else:
        import json

        assert json.loads(r["body"]) == body, op


def _check_result(op: str, result: Any) -> None:
    want = typed_example.RETURNS[op]
    _, _, _, _, paged = EXPECTED[op]
    if paged:
        assert isinstance(result, (cadenya.SyncCursorPage, cadenya.AsyncCursorPage))
        for item in result.items:
            assert want is None or isinstance(item, want)
    elif want is None:
        assert result is None
    else:
        assert isinstance(result, want)


def test_every_operation_is_covered() -> None:
    assert len(EXPECTED) == 97
    assert set(typed_example.SYNC) == set(EXPECTED) == set(typed_example.ASYNC)


@pytest.mark.parametrize("op", sorted(EXPECTED))
def test_operation_sync(op: str, server: Server, client: cadenya.Cadenya) -> None:
    server.clear()
    try:
        result = typed_example.SYNC[op](client)
    except cadenya.APIError as e:
        assert e.status_code in (400, 404, 409), f"{op}: {e}"
    else:
        _check_result(op, result)
    _check_wire(server, op)


@pytest.mark.parametrize("op", sorted(EXPECTED))
def test_operation_async(op: str, server: Server, aclient: cadenya.AsyncCadenya) -> None:
    server.clear()

    async def go() -> Any:
        return await typed_example.ASYNC[op](aclient)

    try:
        result = asyncio.run(go())
    except cadenya.APIError as e:
        assert e.status_code in (400, 404, 409), f"{op}: {e}"
    else:
        _check_result(op, result)
    _check_wire(server, op)
