"""Live resources for the contract test, created before Schemathesis starts. Run as a script, it
prints their ids as shell assignments (`CADENYA_CONTRACT_<KIND>`).

* Parents (`KINDS`): one agent (with a variation), memory layer, tool set, objective and bulk
  apply, pinned in schemathesis.toml as the path parameters that name a parent (`agentId`, ...),
  so operations on nested resources reach the server's logic in every phase.
* Targets (`TARGETS`): a tool, a second agent, a schedule and the variation's two kinds of
  assignment, which hooks.py gives to schema-valid coverage and fuzzing cases (README.md).
* The seeded model, a task and two objectives each waiting on a tool call, pinned per operation.
"""

from __future__ import annotations

import json
import os
import time
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
    if kind == "toolId":
        spec = {"description": "contract", "parameters": {"type": "object"}, "status": "TOOL_STATUS_AVAILABLE",
                "config": {"mcp": {"toolName": "lookup"}}}
        return _id(api("POST", _ws(f"/tool_sets/{parents['toolSetId']}/tools"), {**named, "spec": spec}))
    if kind == "subAgentId":
        return create("agentId", parents)
    if kind in ("assignmentId", "mlAssignmentId"):
        variation = f"/agents/{parents['agentId']}/variations/{parents['variationId']}"
        if kind == "assignmentId":
            return api("POST", _ws(f"{variation}/assignments"), {"toolSetId": parents["toolSetId"]})["id"]
        return api("POST", _ws(f"{variation}/memory_layer_assignments"), {"memoryLayerId": parents["memoryLayerId"]})["id"]
    if kind == "scheduleId":
        spec = {"initialMessage": "What is the answer?", "schedule": {"intervals": [{"every": "3600s"}]}}
        return _id(api("POST", _ws(f"/agents/{parents['agentId']}/schedules"), {**named, "spec": spec}))
    if kind == "bulkWorkspaceApplyId":
        return _id(api("POST", _ws("/bulk_workspace_applies"), {"data": {"bundleKey": "contract"}}))
    raise ValueError(kind)


KINDS = ("agentId", "variationId", "memoryLayerId", "toolSetId", "objectiveId", "bulkWorkspaceApplyId")
TARGETS = ("toolId", "subAgentId", "scheduleId", "assignmentId", "mlAssignmentId")


def env_name(kind: str) -> str:
    return "CADENYA_CONTRACT_" + kind.upper()


def waiting_tool_call(agent: str) -> tuple[str, str]:
    """A fresh objective and the tool call it waits on: (objective id, tool call id).

    A tool call can be decided once; approve and deny each get their own, so that the first
    schema-valid call of either reaches the decision (later ones get 409, as they should).
    """
    objective = create("objectiveId", {"agentId": agent})
    for _ in range(100):
        items = api("GET", _ws(f"/objectives/{objective}/tool_calls"))["items"]
        if items:
            return objective, items[0]["metadata"]["id"]
        time.sleep(0.05)
    raise RuntimeError(f"objective {objective} never asked for a tool call")


if __name__ == "__main__":
    made: dict[str, str] = {}
    for kind in KINDS + TARGETS:
        made[kind] = create(kind, made)
    made["MODEL"] = api("GET", _ws("/models"))["items"][0]["metadata"]["id"]
    made["TASK"] = api("GET", _ws(f"/objectives/{made['objectiveId']}/tasks"))["items"][0]["metadata"]["id"]
    for decision in ("APPROVE", "DENY"):
        made[f"{decision}_objective"], made[f"{decision}_tool_call"] = waiting_tool_call(made["agentId"])
    for kind, value in made.items():
        print(f"export {env_name(kind)}={value}")
