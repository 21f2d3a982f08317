"""Schemathesis hooks for the contract test of the local Cadenya server (see README.md here).

* Credentials: every call carries the harness's key (`CADENYA_CONTRACT_TOKEN`), except the
  operations that can revoke their caller's access. Each of those gets a key of its own, minted
  for that one call; when the generated target is the harness's own key or workspace, the call
  is pointed at that fresh key (so the caller revokes its own access, as the operation intends)
  or at a fresh workspace instead. The harness's credential therefore survives every call.
* Fixtures (fixtures.py) are the pinned parents of nested operations; a generated DELETE that
  targets one of them deletes a fresh resource of the same kind instead, so they outlive the run.
* Cursors: a list call carries a cursor the server issued for that operation (captured from an
  earlier response), or none; any other string is refused by design (server/README.md).
* `updateMask` names paths of the body's own fields, a rule no schema states (server/README.md):
  positive cases go without one, so they update by merge; the mask is covered by the server's tests.
* `format: int64` strings are decimal integers (protobuf-JSON), which Schemathesis learns here.
"""

from __future__ import annotations

import os

import fixtures
import requests
import schemathesis
from hypothesis import strategies as st

BASE_URL = os.environ["CADENYA_CONTRACT_BASE_URL"]
TOKEN = os.environ["CADENYA_CONTRACT_TOKEN"]
WORKSPACE = os.environ["CADENYA_CONTRACT_WORKSPACE"]

# Operations that can take away their caller's access, with the path parameter naming the key
# or workspace they act on.
REVOKING = {
    "DELETE /v1/account/api_keys/{id}": ("id", "key"),
    "POST /v1/account/api_keys/{id}/rotate": ("id", "key"),
    "DELETE /v1/account/api_keys/{id}/workspaces/{workspaceId}": ("id", "key"),
    # Removing a member does not touch key grants here, but the real API may tie them together.
    "DELETE /v1/account/workspaces/{workspaceId}/members/{profileId}": (None, None),
    "DELETE /v1/account/workspaces/{workspaceId}": ("workspaceId", "workspace"),
}

schemathesis.openapi.format("int64", st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str))

_session = requests.Session()
_cursors: dict[str, str] = {}


def _api(method: str, path: str, body: dict | None = None) -> dict:
    r = _session.request(method, BASE_URL + path, json=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    r.raise_for_status()
    return r.json()


_own: dict[str, str] = {}


def _own_key_id() -> str:
    if "key" not in _own:
        _own["key"] = _api("GET", "/v1/account")["info"]["globalApiKey"]["metadata"]["id"]
    return _own["key"]


def _mint_key() -> tuple[str, str]:
    """A fresh key with access to the harness's workspace: (id, token)."""
    k = _api("POST", "/v1/account/api_keys", {"metadata": {"name": "contract caller"}, "spec": {}, "initialWorkspaceIds": [WORKSPACE]})
    return k["metadata"]["id"], k["spec"]["token"]


def _mint_workspace() -> str:
    w = _api("POST", "/v1/account/workspaces", {"metadata": {"name": "contract target"}, "spec": {}})
    return w["metadata"]["id"]


@schemathesis.auth(refresh_interval=None)
class CallerKey:
    def get(self, case, ctx):
        return TOKEN

    def set(self, case, data, ctx):
        token = data
        revoking = REVOKING.get(case.operation.label)
        if revoking is not None:
            key_id, token = _mint_key()
            param, kind = revoking
            params = case.path_parameters or {}
            if kind == "key" and params.get(param) in (_own_key_id(), TOKEN):
                params[param] = key_id
            if kind == "workspace" and params.get(param) == WORKSPACE:
                params[param] = _mint_workspace()
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {token}"


FIXTURES = {os.environ[fixtures.env_name(k)]: k for k in fixtures.KINDS if fixtures.env_name(k) in os.environ}
PINNED = {k: v for v, k in FIXTURES.items()}


@schemathesis.hook
def before_call(context, case, **kwargs):
    if case.method == "DELETE" and case.path_parameters:
        target = case.path_parameters.get("id")
        if target in FIXTURES:
            case.path_parameters["id"] = fixtures.create(FIXTURES[target], PINNED)
    if case.meta is None or case.meta.generation.mode.value != "positive":
        return
    if isinstance(case.body, dict) and "updateMask" in case.body:
        del case.body["updateMask"]
    query = case.query
    if not query or "cursor" not in query:
        return
    issued = _cursors.get(case.operation.label)
    if issued is None:
        del query["cursor"]
    else:
        query["cursor"] = issued


@schemathesis.hook
def after_call(context, case, response):
    if response.status_code != 200:
        return
    try:
        body = response.json()
    except ValueError:
        return
    cursor = body.get("pagination", {}).get("nextCursor") if isinstance(body, dict) else None
    if cursor:
        _cursors[case.operation.label] = cursor
