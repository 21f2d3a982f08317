"""Parent resources for the contract test: one agent (with a variation), memory layer, tool set,
objective and bulk apply, created before Schemathesis starts and pinned as the path parameters
that name a parent (`agentId`, `variationId`, ...), so operations on nested resources reach the
server's logic in every phase. Run as a script, it prints them as shell assignments.
"""

from __future__ import annotations

import json
import os
import urllib.request

BASE_URL = os.environ["CADENYA_CONTRACT_BASE_URL"]
TOKEN = os.environ["CADENYA_CONTRACT_TOKEN"]
WORKSPACE = os.environ["CADENYA_CONTRACT_WORKSPACE"]


def api(method: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE_URL + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {TOKEN}")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"{}")


def _ws(suffix: str) -> str:
    return f"/v1/workspaces/{WORKSPACE}{suffix}"


def _id(resource: dict) -> str:
    return resource["metadata"]["id"]


# Kind -> (collection path given the other fixtures, body). Also used to replace a fixture that a
# generated DELETE targets (see hooks.py).
def create(kind: str, parents: dict[str, str]) -> str:
    named = {"metadata": {"name": f"contract {kind}"}}
    if kind == "agentId":
        spec = {"status": "AGENT_STATUS_PUBLISHED", "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM"}
        return _id(api("POST", _ws("/agents"), {**named, "spec": spec}))
    if kind == "variationId":
        return _id(api("POST", _ws(f"/agents/{parents['agentId']}/variations"), {**named, "spec": {}}))
    if kind == "memoryLayerId":
        return _id(api("POST", _ws("/memory_layers"), {**named, "spec": {"type": "MEMORY_LAYER_TYPE_SKILLS"}}))
    if kind == "toolSetId":
        spec = {"description": "contract", "adapter": {"mcp": {"url": "https://example.com/mcp"}}}
        return _id(api("POST", _ws("/tool_sets"), {**named, "spec": spec}))
    if kind == "objectiveId":
        body = {"agentId": parents["agentId"], "data": {"initialMessage": "What is the answer?"}}
        return _id(api("POST", _ws("/objectives"), body))
    if kind == "bulkWorkspaceApplyId":
        return _id(api("POST", _ws("/bulk_workspace_applies"), {"data": {"bundleKey": "contract"}}))
    raise ValueError(kind)


KINDS = ("agentId", "variationId", "memoryLayerId", "toolSetId", "objectiveId", "bulkWorkspaceApplyId")


def env_name(kind: str) -> str:
    return "CADENYA_CONTRACT_" + kind.upper()


if __name__ == "__main__":
    made: dict[str, str] = {}
    for kind in KINDS:
        made[kind] = create(kind, made)
    for kind, value in made.items():
        print(f"export {env_name(kind)}={value}")
