"""Schemathesis hooks for the contract test of the local Cadenya server (see README.md here).

* Credentials: every call carries the harness's key (`CADENYA_CONTRACT_TOKEN`), except the
  operations that can revoke their caller's access. Each of those gets a key of its own, minted
  for that one call; when the generated target is the harness's own key or workspace, the call
  is pointed at that fresh key (so the caller revokes its own access, as the operation intends)
  or at a fresh workspace instead. The harness's credential therefore survives every call.
* Fixtures (fixtures.py) are the pinned parents of nested operations; a generated DELETE that
  targets one of them deletes a fresh resource of the same kind instead, so they outlive the run.
* Live targets: schema-valid coverage and fuzzing cases of the operations in `DELETES`,
  `LIVE_PATHS` and `LIVE_BODIES` act on live resources instead of generated ids (a fresh one for
  each delete), so that they reach the server's logic; the stateful phase follows the links.
* Warning floors: the run fails when more than 5 operations "repeatedly returned 404" or "mostly
  rejected generated data" (`WarningFloors`, at the end of this file).
* Cursors: a list call carries a cursor the server issued for that operation (captured from an
  earlier response), or none; any other string is refused by design (server/README.md).
* `updateMask` names paths of the body's own fields, a rule no schema states (server/README.md):
  positive cases go without one, so they update by merge; the mask is covered by the server's tests.
* `format: int64` strings are decimal integers (protobuf-JSON), which Schemathesis learns here.
"""

from __future__ import annotations

import os

import fixtures
import schemathesis
import schemathesis.cli
from hypothesis import strategies as st

from fixtures import TOKEN, WORKSPACE

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

_cursors: dict[str, str] = {}


_own: dict[str, str] = {}


def _own_key_id() -> str:
    if "key" not in _own:
        _own["key"] = fixtures.api("GET", "/v1/account")["info"]["globalApiKey"]["metadata"]["id"]
    return _own["key"]


def _mint_key() -> tuple[str, str]:
    """A fresh key with access to the harness's workspace: (id, token)."""
    k = fixtures.api("POST", "/v1/account/api_keys", {"metadata": {"name": "contract caller"}, "spec": {}, "initialWorkspaceIds": [WORKSPACE]})
    return k["metadata"]["id"], k["spec"]["token"]


def _mint_workspace() -> str:
    w = fixtures.api("POST", "/v1/account/workspaces", {"metadata": {"name": "contract target"}, "spec": {}})
    return w["metadata"]["id"]


_callers: dict[int, tuple[str, str]] = {}


def _caller(case) -> tuple[str, str]:
    """The key minted for one call of a revoking operation (auth and the hook below share it)."""
    if id(case) not in _callers:
        _callers.clear()
        _callers[id(case)] = _mint_key()
    return _callers[id(case)]


@schemathesis.auth(refresh_interval=None)
class CallerKey:
    def get(self, case, ctx):
        return TOKEN

    def set(self, case, data, ctx):
        token = _caller(case)[1] if case.operation.label in REVOKING else data
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


KINDS = fixtures.KINDS + fixtures.TARGETS
PINNED = {k: os.environ[fixtures.env_name(k)] for k in KINDS if fixtures.env_name(k) in os.environ}
_VARIATION = "/v1/workspaces/{workspaceId}/agents/{agentId}/variations/{variationId}"
# Deletes whose `{id}` names a resource that fixtures.py can make.
DELETES = {
    "DELETE /v1/workspaces/{workspaceId}/agents/{id}": "agentId",
    "DELETE /v1/workspaces/{workspaceId}/agents/{agentId}/variations/{id}": "variationId",
    "DELETE /v1/workspaces/{workspaceId}/memory_layers/{id}": "memoryLayerId",
    "DELETE /v1/workspaces/{workspaceId}/tool_sets/{id}": "toolSetId",
    f"DELETE {_VARIATION}/assignments/{{id}}": "assignmentId",
    f"DELETE {_VARIATION}/memory_layer_assignments/{{id}}": "mlAssignmentId",
}
# Operations that the spec's links reach only at the end of chains that the bounded stateful phase
# walks by chance (or that name a resource in their body): their `{id}` path parameter, or the body
# fields that name a resource, get a live fixture in schema-valid coverage and fuzzing cases, where
# a generated id can only 404. The stateful phase still follows the links with the ids they carry.
LIVE_PATHS = {
    "GET /v1/workspaces/{workspaceId}/objectives/{id}": "objectiveId",
    "PATCH /v1/workspaces/{workspaceId}/agents/{agentId}/schedules/{id}": "scheduleId",
    f"PATCH {_VARIATION}/memory_layer_assignments/{{id}}": "mlAssignmentId",
}
LIVE_BODIES = {
    f"POST {_VARIATION}/assignments": {"toolId": "toolId", "toolSetId": "toolSetId", "subAgentId": "subAgentId"},
    f"POST {_VARIATION}/memory_layer_assignments": {"memoryLayerId": "memoryLayerId"},
}


def _unit_positive(case) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode.value == "positive" and meta.phase.name.value != "stateful"


def _live(case, params: dict) -> None:
    """Points a schema-valid coverage or fuzzing case at live resources (see LIVE_PATHS)."""
    label = case.operation.label
    if label in DELETES:
        # Each delete removes a fresh resource, so the fixtures outlive the run.
        params["id"] = fixtures.create(DELETES[label], PINNED)
    elif label in LIVE_PATHS:
        params["id"] = PINNED[LIVE_PATHS[label]]
    fields = LIVE_BODIES.get(label, {})
    if isinstance(case.body, dict) and fields.keys() & case.body.keys():
        case.body = {k: PINNED[fields[k]] if k in fields else v for k, v in case.body.items()}


@schemathesis.hook
def before_call(context, case, **kwargs):
    label = case.operation.label
    params = dict(case.path_parameters or {})
    revoking = REVOKING.get(label)
    if revoking is not None and revoking[0] is not None:
        param, kind = revoking
        if kind == "key" and params.get(param) == _own_key_id():
            params[param] = _caller(case)[0]
        if kind == "workspace" and params.get(param) == WORKSPACE:
            params[param] = _mint_workspace()
    if _unit_positive(case):
        _live(case, params)
    elif label in DELETES and params.get("id") in PINNED.values():
        # A delete that targets a fixture deletes a fresh resource of its kind instead.
        params["id"] = fixtures.create(DELETES[label], PINNED)
    if params != (case.path_parameters or {}):
        case.path_parameters = params
    if case.meta is None or case.meta.generation.mode.value != "positive":
        return
    if isinstance(case.body, dict) and "updateMask" in case.body:
        case.body = {k: v for k, v in case.body.items() if k != "updateMask"}
    query = case.query
    if not query or "cursor" not in query:
        return
    issued = _cursors.get(label)
    rest = {k: v for k, v in query.items() if k != "cursor"}
    case.query = rest if issued is None else {**rest, "cursor": issued}


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


# Warning floors (issue 20): at most this many operations may be named by each warning. Above
# either floor the run fails, as a check failure would. `CADENYA_CONTRACT_WARNING_FLOOR` lowers or
# raises both (0 shows that the gate can fail).
WARNING_FLOOR = int(os.environ.get("CADENYA_CONTRACT_WARNING_FLOOR", "5"))
FLOORED = {
    "missing_test_data": "repeatedly returned 404",
    "validation_mismatch": "mostly rejected generated data",
}


@schemathesis.cli.handler()
class WarningFloors(schemathesis.cli.EventHandler):
    """Fails the run when a floored warning names more operations than the floor allows.

    Reads the warnings Schemathesis itself collected (the ones its summary prints), once the
    engine has finished and a late stateful success can no longer withdraw one.
    """

    def __init__(self, *args, **params) -> None:
        pass

    def handle_event(self, ctx, event) -> None:
        from schemathesis.cli.constants import ExitCode
        from schemathesis.engine import events

        if not isinstance(event, events.EngineFinished):
            return
        over = False
        for field, text in FLOORED.items():
            labels = sorted(getattr(ctx.warnings, field))
            verdict = "over the floor" if len(labels) > WARNING_FLOOR else "within the floor"
            count = f"{len(labels)} operation{'' if len(labels) == 1 else 's'}"
            print(f"warning floor: {count} {text} (floor {WARNING_FLOOR}, {verdict})")
            for label in labels:
                print(f"  - {label}")
            over = over or len(labels) > WARNING_FLOOR
        if over and ctx.exit_code == ExitCode.OK:
            ctx.exit_code = ExitCode.FAILURES
