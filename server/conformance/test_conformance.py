"""Independent conformance check of the local Cadenya API server.

Starts the `cadenya-server` binary, walks every operation of
`spec/openapi.yaml` over raw HTTP (standard library only) and validates every
response body against the operation's response schema with `jsonschema`,
which shares no code with the server's own Rust validator.

Two passes per operation:
  * test_response_schema[op]  - the spec's schema as written;
  * test_no_unknown_fields[op] - the same schema with `additionalProperties:
    false` added to every object schema that does not declare
    additionalProperties, so fields the spec does not know are reported.
"""

from __future__ import annotations

import copy
import json
import os
import pathlib
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import jsonschema
import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
SPEC_PATH = REPO / "spec" / "openapi.yaml"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
POLL_DEADLINE_S = 5.0
EXPECTED_OPERATION_COUNT = 97


# --------------------------------------------------------------------------
# Spec loading and OpenAPI -> JSON Schema conversion
# --------------------------------------------------------------------------

def load_spec() -> dict:
    with open(SPEC_PATH, "r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


SPEC = load_spec()


def spec_operations(spec: dict) -> dict:
    """operationId -> {method, path, op} in spec order."""
    ops = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                ops[op["operationId"]] = {"method": method.upper(), "path": path, "op": op}
    return ops


OPERATIONS = spec_operations(SPEC)
OPERATION_IDS = list(OPERATIONS)


def _rewrite_refs(node):
    """Deep copy with `#/components/schemas/X` rewritten to `#/$defs/X`."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#/components/schemas/"):
                out[k] = "#/$defs/" + v[len("#/components/schemas/"):]
            elif k == "nullable":
                # OpenAPI 3.0 only; handled below by widening `type`.
                continue
            else:
                out[k] = _rewrite_refs(v)
        if node.get("nullable") is True and "type" in out:
            t = out["type"]
            out["type"] = [t, "null"] if isinstance(t, str) else list(t) + ["null"]
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def _is_object_schema(node: dict) -> bool:
    return node.get("type") == "object" or "properties" in node


def _make_strict(node):
    """Adds additionalProperties: false to every object schema lacking it."""
    if isinstance(node, dict):
        out = {k: _make_strict(v) for k, v in node.items()}
        if _is_object_schema(node) and "additionalProperties" not in node and "$ref" not in node:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_make_strict(v) for v in node]
    return node


DEFS = {name: _rewrite_refs(schema) for name, schema in SPEC["components"]["schemas"].items()}
STRICT_DEFS = {name: _make_strict(schema) for name, schema in DEFS.items()}
VALIDATOR_CLS = jsonschema.Draft202012Validator
FORMAT_CHECKER = VALIDATOR_CLS.FORMAT_CHECKER


def _root(schema: dict, strict: bool) -> dict:
    schema = _rewrite_refs(schema)
    if strict:
        schema = _make_strict(schema)
    root = dict(schema)
    root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    root["$defs"] = STRICT_DEFS if strict else DEFS
    return root


_VALIDATORS: dict = {}
_CHECKED_DEFS: set = set()


def validator_for(schema: dict, strict: bool):
    key = (json.dumps(schema, sort_keys=True), strict)
    if key not in _VALIDATORS:
        root = _root(schema, strict)
        if strict not in _CHECKED_DEFS:
            # Meta-validate the converted component schemas once per flavour.
            VALIDATOR_CLS.check_schema(root)
            _CHECKED_DEFS.add(strict)
        else:
            VALIDATOR_CLS.check_schema({k: v for k, v in root.items() if k != "$defs"})
        _VALIDATORS[key] = VALIDATOR_CLS(root, format_checker=FORMAT_CHECKER)
    return _VALIDATORS[key]


def test_converted_schemas_are_valid_json_schema():
    for strict in (False, True):
        VALIDATOR_CLS.check_schema({"$defs": STRICT_DEFS if strict else DEFS})


def schema_errors(schema: dict, instance, strict: bool) -> list[str]:
    v = validator_for(schema, strict)
    msgs = []
    for err in sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        loc = "/" + "/".join(str(p) for p in err.absolute_path)
        msgs.append(f"at {loc}: {err.message}")
    return msgs


def response_schema(op_id: str):
    resp = OPERATIONS[op_id]["op"]["responses"].get("200", {})
    return resp.get("content", {}).get("application/json", {}).get("schema")


STATUS_SCHEMA = {"$ref": "#/components/schemas/Status"}


def test_date_time_format_is_checked():
    """Guards against silently losing date-time checking (needs rfc3339-validator)."""
    assert schema_errors({"type": "string", "format": "date-time"}, "not a date", strict=False), (
        "date-time format is not being checked; install rfc3339-validator"
    )


# --------------------------------------------------------------------------
# Server process
# --------------------------------------------------------------------------

def _server_binary() -> str:
    env_bin = os.environ.get("CADENYA_SERVER_BIN")
    if env_bin:
        return env_bin
    subprocess.run(["cargo", "build", "-q", "-p", "cadenya-server"], cwd=REPO, check=True)
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=REPO, check=True, capture_output=True, text=True,
    )
    target = pathlib.Path(json.loads(meta.stdout)["target_directory"])
    exe = "cadenya-server.exe" if sys.platform == "win32" else "cadenya-server"
    return str(target / "debug" / exe)


def _supports_step_delay(binary: str) -> bool:
    try:
        out = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=10)
    except Exception:
        return False
    return "--step-delay-ms" in (out.stdout + out.stderr)


@pytest.fixture(scope="session")
def server():
    binary = _server_binary()
    args = [binary, "--port", "0"]
    if _supports_step_delay(binary):
        args += ["--step-delay-ms", "2"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    stderr_lines: list[str] = []
    threading.Thread(target=lambda: stderr_lines.extend(proc.stderr), daemon=True).start()
    line_box: list[str] = []
    reader = threading.Thread(target=lambda: line_box.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(30)
    if not line_box or not line_box[0].strip():
        proc.kill()
        proc.wait(5)
        pytest.fail(f"server did not print its connection line; stderr: {''.join(stderr_lines)[-2000:]}")
    info = json.loads(line_box[0])
    for key in ("base_url", "api_key", "workspace_id", "account_id", "webhook_secret"):
        assert key in info, f"connection line lacks {key}: {line_box[0]!r}"
    # Keep draining stdout so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    try:
        yield info
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# --------------------------------------------------------------------------
# Raw HTTP client that records every call
# --------------------------------------------------------------------------

class Call:
    def __init__(self, op_id, method, url, req_body, status, raw, headers):
        self.op_id = op_id
        self.method = method
        self.url = url
        self.req_body = req_body
        self.status = status
        self.raw = raw
        self.headers = headers
        self.json = None
        self.json_error = None
        if raw:
            try:
                self.json = json.loads(raw)
            except ValueError as exc:
                self.json_error = str(exc)

    @property
    def ok(self):
        return 200 <= self.status < 300

    def describe(self) -> str:
        body = json.dumps(self.req_body) if self.req_body is not None else ""
        resp = self.raw.decode("utf-8", "replace")
        if len(resp) > 1500:
            resp = resp[:1500] + "...(truncated)"
        return f"{self.method} {self.url} {body}\n  -> {self.status} {resp}"


class ApiFailure(Exception):
    pass


class Client:
    def __init__(self, info):
        self.base = info["base_url"].rstrip("/")
        self.key = info["api_key"]
        self.ws = info["workspace_id"]
        self.calls: list[Call] = []

    def raw(self, op_id, path_params=None, body=None, query=None, auth=True, raw_body=None) -> Call:
        spec_op = OPERATIONS[op_id]
        params = {"workspaceId": self.ws}
        params.update(path_params or {})
        path = spec_op["path"]
        for name, value in params.items():
            path = path.replace("{" + name + "}", urllib.parse.quote(str(value), safe=""))
        assert "{" not in path, f"unfilled path parameter in {path}"
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None
        headers = {"Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.key}"
        if raw_body is not None:
            data = raw_body
            headers["Content-Type"] = "application/json"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=spec_op["method"], headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, raw, rh = resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as err:
            status, raw, rh = err.code, err.read(), dict(err.headers)
        call = Call(op_id, spec_op["method"], url, body, status, raw, rh)
        self.calls.append(call)
        return call

    def __call__(self, op_id, path_params=None, body=None, query=None):
        call = self.raw(op_id, path_params, body, query)
        if not call.ok:
            raise ApiFailure(f"{op_id} failed: {call.describe()}")
        return call.json


# --------------------------------------------------------------------------
# The walk: every operation, with real ids
# --------------------------------------------------------------------------

def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _id(resource) -> str:
    return resource["metadata"]["id"]


class Walk:
    def __init__(self, client: Client):
        self.c = client
        self.ids: dict = {}
        self.errors: list[str] = []

    def step(self, label, fn):
        try:
            fn()
        except Exception as exc:  # keep walking; the per-operation tests report it
            self.errors.append(f"{label}: {type(exc).__name__}: {exc}")

    def poll(self, what, fn, deadline=POLL_DEADLINE_S):
        end = time.monotonic() + deadline
        while True:
            got = fn()
            if got:
                return got
            if time.monotonic() > end:
                raise ApiFailure(f"timed out after {deadline}s waiting for {what}")
            time.sleep(0.05)

    # -- account / workspaces / keys ------------------------------------
    def account(self):
        c = self.c
        c("account.retrieve")
        c("account.rotate_webhook_signing_key")
        c("workspaces.list")
        c("workspaces.get")

    def workspace_admin(self):
        c = self.c
        ws = c("workspace_admin.create", body={
            "metadata": {"name": _name("ws"), "externalId": _name("ext"), "labels": {"team": "conformance"}},
            "spec": {},
        })
        wid = self.ids["ws2"] = _id(ws)
        c("workspace_admin.list")
        c("workspace_admin.list", query={"limit": 1})
        c("workspace_admin.retrieve", {"workspaceId": wid})
        c("workspace_admin.update", {"workspaceId": wid}, body={"metadata": {"name": _name("ws-renamed")}, "updateMask": "metadata.name"})
        c("workspace_admin.profiles.list")
        member = c("workspace_admin.members.add", {"workspaceId": wid}, body={"email": f"{_name('m')}@example.com"})
        c("workspace_admin.members.list", {"workspaceId": wid})
        c("workspace_admin.members.remove", {"workspaceId": wid, "profileId": member["profileId"]})

    def api_keys(self):
        c = self.c
        key = c("api_keys.create", body={
            "metadata": {"name": _name("key"), "labels": {"env": "test"}},
            "spec": {"permissions": []},
            "initialWorkspaceIds": [c.ws],
        })
        kid = _id(key)
        c("api_keys.list")
        c("api_keys.retrieve", {"id": kid})
        c("api_keys.update", {"id": kid}, body={"metadata": {"name": _name("key-renamed")}})
        c("api_keys.rotate", {"id": kid})
        c("api_keys.access.list", {"id": kid})
        if "ws2" in self.ids:
            c("api_keys.access.add", {"id": kid}, body={"workspaceId": self.ids["ws2"]})
            c("api_keys.access.remove", {"id": kid, "workspaceId": self.ids["ws2"]})
        else:
            c("api_keys.access.remove", {"id": kid, "workspaceId": c.ws})
            c("api_keys.access.add", {"id": kid}, body={"workspaceId": c.ws})
        c("api_keys.delete", {"id": kid})

    # -- models / uploads / secrets --------------------------------------
    def models(self):
        c = self.c
        page = c("models.list")
        mid = _id(page["items"][0])
        # Follow cursors one item at a time; every page is recorded and validated.
        seen, cursor = [], None
        for _ in range(50):
            q = {"limit": 1} if cursor is None else {"limit": 1, "cursor": cursor}
            pg = c("models.list", query=q)
            seen += [_id(m) for m in pg["items"]]
            cursor = pg.get("pagination", {}).get("nextCursor")
            if not cursor or not pg["items"]:
                break
        self.paged_models = (seen, [_id(m) for m in page["items"]])
        c("models.retrieve", {"id": mid})
        c("models.set_status", {"id": mid}, body={"status": "MODEL_STATUS_DISABLED"})
        c("models.set_status", {"id": mid}, body={"status": "MODEL_STATUS_ENABLED"})
        self.ids["model"] = mid

    def uploads(self):
        c = self.c
        up = c("uploads.create", body={
            "metadata": {"name": _name("upload")},
            "spec": {"contentType": "text/plain", "filename": "notes.txt", "sizeBytes": "1024"},
        })
        self.ids["upload"] = _id(up)
        c("uploads.retrieve", {"id": _id(up)})

    def secrets(self):
        c = self.c
        sec = c("workspace_secrets.create", body={"metadata": {"name": "API_TOKEN_" + uuid.uuid4().hex[:6].upper()}, "spec": {"value": "s3cr3t"}})
        sid = _id(sec)
        c("workspace_secrets.list")
        c("workspace_secrets.retrieve", {"id": sid})
        c("workspace_secrets.update", {"id": sid}, body={"spec": {"value": "n3w"}, "updateMask": "spec.value"})
        c("workspace_secrets.delete", {"id": sid})

    # -- memory -----------------------------------------------------------
    def memory(self):
        c = self.c
        layer = c("memory_layers.create", body={
            "metadata": {"name": _name("layer"), "externalId": _name("mlext")},
            "spec": {"type": "MEMORY_LAYER_TYPE_SKILLS"},
        })
        lid = self.ids["layer"] = _id(layer)
        c("memory_layers.list")
        c("memory_layers.retrieve", {"id": lid})
        c("memory_layers.update", {"id": lid}, body={"metadata": {"name": _name("layer-renamed")}})
        entry = c("memory_layers.entries.create", {"memoryLayerId": lid}, body={
            "metadata": {"name": _name("entry")},
            "spec": {"key": "greeting", "content": "Say hello politely."},
        })
        eid = self.ids["entry"] = _id(entry)
        c("memory_layers.entries.list", {"memoryLayerId": lid})
        c("memory_layers.entries.retrieve", {"memoryLayerId": lid, "id": eid})
        c("memory_layers.entries.update", {"memoryLayerId": lid, "id": eid}, body={"spec": {"content": "Say hi."}, "updateMask": "spec.content"})

    # -- tool sets -----------------------------------------------------------
    def tool_sets(self):
        c = self.c
        ts = c("tool_sets.create", body={
            "metadata": {"name": _name("toolset")},
            "spec": {"adapter": {"http": {"baseUrl": "https://tools.example.com", "headers": {"X-Env": "test"}}}},
        })
        tsid = self.ids["tool_set"] = _id(ts)
        c("tool_sets.list")
        c("tool_sets.retrieve", {"id": tsid})
        c("tool_sets.update", {"id": tsid}, body={
            "metadata": {"name": _name("toolset-renamed")},
            "spec": {"adapter": {"http": {"baseUrl": "https://tools2.example.com"}}},
        })
        tool = c("tool_sets.tools.create", {"toolSetId": tsid}, body={
            "metadata": {"name": "lookup_" + uuid.uuid4().hex[:6]},
            "spec": {
                "description": "Looks things up.",
                "status": "TOOL_STATUS_AVAILABLE",
                "requiresApproval": True,
                "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
                "config": {"http": {"requestMethod": "GET", "path": "/lookup", "query": "q={{q}}"}},
            },
        })
        tid = self.ids["tool"] = _id(tool)
        c("tool_sets.tools.list", {"toolSetId": tsid})
        c("tool_sets.tools.retrieve", {"toolSetId": tsid, "id": tid})
        c("tool_sets.tools.update", {"toolSetId": tsid, "id": tid}, body={
            "metadata": {"name": tool["metadata"]["name"]},
            "spec": {
                "description": "Looks things up, better.",
                "status": "TOOL_STATUS_AVAILABLE",
                "parameters": {"type": "object"},
                "config": {"http": {"requestMethod": "POST", "path": "/lookup"}},
            },
        })
        c("tool_sets.get_openapi_spec", {"toolSetId": tsid})
        c("tool_sets.list_events", {"toolSetId": tsid})
        c("search.search_tools_or_tool_sets", query={"query": "look"})

    # -- agents ------------------------------------------------------------
    def agents(self):
        c = self.c
        agent = c("agents.create", body={
            "metadata": {"name": _name("agent"), "labels": {"k": "v"}},
            "spec": {
                "status": "AGENT_STATUS_PUBLISHED",
                "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM",
                "inputDataSchema": {"type": "object"},
                "webhookEventsUrl": "https://hooks.example.com/cadenya",
            },
            "defaultVariation": {
                "metadata": {"name": "default"},
                "spec": {"prompt": "You are helpful.", "weight": 1, "modelConfig": {"modelId": self.ids.get("model", ""), "temperature": 0.2}},
            },
        })
        aid = self.ids["agent"] = _id(agent)
        c("agents.list")
        c("agents.list", query={"includeInfo": "true", "limit": 1})
        c("agents.retrieve", {"id": aid})
        c("agents.update", {"id": aid}, body={"metadata": {"name": _name("agent-renamed")}, "updateMask": "metadata.name"})
        var = c("agents.variations.create", {"agentId": aid}, body={
            "metadata": {"name": _name("variation")},
            "spec": {
                "prompt": "Be concise.",
                "weight": 2,
                "constraints": {"maxToolCalls": 5, "maxSubObjectives": 1},
                "compactionConfig": {"summarization": {"instructions": "Summarise."}, "triggerThreshold": 0.8},
                "progressiveDiscovery": {"hints": ["lookup"], "maxTools": 3},
            },
        })
        vid = self.ids["variation"] = _id(var)
        c("agents.variations.list", {"agentId": aid})
        c("agents.variations.retrieve", {"agentId": aid, "id": vid})
        c("agents.variations.update", {"agentId": aid, "id": vid}, body={"spec": {"prompt": "Be very concise."}, "updateMask": "spec.prompt"})
        vp = {"agentId": aid, "variationId": vid}
        if "tool" in self.ids:
            asg = c("agents.variations.add_assignment", vp, body={"toolId": self.ids["tool"]})
            c("agents.variations.remove_assignment", {**vp, "id": asg["id"]})
        if "tool_set" in self.ids:
            c("agents.variations.add_assignment", vp, body={"toolSetId": self.ids["tool_set"]})
        if "layer" in self.ids:
            mla = c("agents.variations.add_memory_layer", vp, body={"memoryLayerId": self.ids["layer"], "position": 0})
            c("agents.variations.update_memory_layer", {**vp, "id": mla["id"]}, body={"position": 1})
            c("agents.variations.remove_memory_layer", {**vp, "id": mla["id"]})
        sch = c("agents.schedules.create", {"agentId": aid}, body={
            "metadata": {"name": _name("schedule")},
            "spec": {
                "initialMessage": "Daily report please.",
                "schedule": {
                    "intervals": [{"every": "3600s", "offset": "0s"}],
                    "calendars": [{"hour": [{"start": 9}], "minute": [{"start": 0}], "comment": "9am"}],
                    "timezone": "UTC",
                },
                "overlapPolicy": "OVERLAP_POLICY_SKIP",
                "status": "AGENT_SCHEDULE_STATUS_ACTIVE",
                "variationId": vid,
            },
        })
        sid = _id(sch)
        c("agents.schedules.list", {"agentId": aid})
        c("agents.schedules.retrieve", {"agentId": aid, "id": sid})
        # AgentScheduleSpec requires initialMessage and schedule even in updates.
        c("agents.schedules.update", {"agentId": aid, "id": sid}, body={
            "spec": {
                "initialMessage": "Daily report please.",
                "schedule": {"intervals": [{"every": "7200s"}]},
                "status": "AGENT_SCHEDULE_STATUS_PAUSED",
            },
            "updateMask": "spec.status",
        })
        c("agents.schedules.delete", {"agentId": aid, "id": sid})

    # -- objectives ----------------------------------------------------------
    def _waiting_tool_call(self, oid):
        def check():
            page = self.c("objectives.tool_calls.list", {"objectiveId": oid})
            for tc in page.get("items", []):
                if tc.get("status") == "TOOL_CALL_STATUS_WAITING_FOR_APPROVAL":
                    return tc
            return None
        return self.poll(f"a tool call waiting for approval on {oid}", check)

    def _state(self, oid, states):
        def check():
            o = self.c("objectives.retrieve", {"id": oid})
            return o if o.get("status", {}).get("state") in states else None
        return self.poll(f"objective {oid} to reach {states}", check)

    def objectives(self):
        c = self.c
        aid = self.ids["agent"]
        body = {
            "agentId": aid,
            "data": {"initialMessage": "What is the answer?", "data": {"topic": "life"}},
            "metadata": {"externalId": _name("obj"), "labels": {"run": "conformance"}},
        }
        if "variation" in self.ids:
            body["variationId"] = self.ids["variation"]
        obj = c("objectives.create", body=body)
        oid = self.ids["objective"] = _id(obj)
        c("objectives.list")
        c("objectives.retrieve", {"id": oid})
        tc = self._waiting_tool_call(oid)
        c("objectives.tool_calls.approve", {"objectiveId": oid, "toolCallId": _id(tc)}, body={})
        self._state(oid, {"STATE_FINALIZED", "STATE_FAILED", "STATE_WAITING"})
        c("objectives.list_events", {"objectiveId": oid})
        c("objectives.list_context_windows", {"objectiveId": oid})
        c("objectives.tools.list", {"objectiveId": oid})
        tasks = c("objectives.tasks.list", {"objectiveId": oid})
        c("objectives.tasks.retrieve", {"objectiveId": oid, "id": _id(tasks["items"][0])})
        c("objectives.feedback.create", {"objectiveId": oid}, body={
            "metadata": {"labels": {"by": "conformance"}},
            "data": {"comment": "Great answer", "score": 0.9},
        })
        c("objectives.feedback.list", {"objectiveId": oid})
        c("agents.feedback.list", {"agentId": aid})
        c("agents.feedback.list", {"agentId": aid}, query={"sentiment": "FEEDBACK_SENTIMENT_POSITIVE"})
        c("agents.webhook_deliveries.list", {"agentId": aid})
        c("objectives.compact", {"objectiveId": oid}, body={"compactionConfig": {"summarization": {"instructions": "Short."}, "toolResultClearing": {"preserveRecentResults": 1}}})
        c("objectives.continue", {"objectiveId": oid}, body={"message": "Thanks! One more?", "enqueue": True, "secrets": [{"name": "TOKEN", "value": "x"}]})
        c("objectives.list_events", {"objectiveId": oid}, query={"limit": 2})

        # Second objective: deny the tool call, then cancel a third one.
        obj2 = c("objectives.create", body={"agentId": aid, "data": {"initialMessage": "Try the tool."}})
        oid2 = _id(obj2)
        tc2 = self._waiting_tool_call(oid2)
        c("objectives.tool_calls.deny", {"objectiveId": oid2, "toolCallId": _id(tc2)}, body={"memo": "Do not call tools."})
        obj3 = c("objectives.create", body={"agentId": aid, "data": {"initialMessage": "Cancel me."}})
        c("objectives.cancel", {"objectiveId": _id(obj3)}, body={"reason": "no longer needed"})

    # -- bulk ------------------------------------------------------------------
    def bulk(self):
        c = self.c
        tool_spec = {
            "description": "Bulk tool.",
            "status": "TOOL_STATUS_AVAILABLE",
            "parameters": {"type": "object"},
            "config": {"mcp": {"toolName": "bulk_tool"}},
        }
        apply = c("bulk_workspace_resources.apply", body={"data": {
            "bundleKey": _name("bundle"),
            "automaticallyPublishAgents": True,
            "agents": {"bulk-agent": {
                "name": "Bulk agent",
                "spec": {"status": "AGENT_STATUS_DRAFT", "variationSelectionMode": "VARIATION_SELECTION_MODE_WEIGHTED"},
                "variations": {"main": {"name": "Main", "spec": {"prompt": "Hi", "weight": 1}}},
                "schedules": {"nightly": {"name": "Nightly", "spec": {"initialMessage": "Go", "schedule": {"intervals": [{"every": "86400s"}]}}}},
            }},
            "memoryLayers": {"bulk-layer": {
                "name": "Bulk layer",
                "spec": {"type": "MEMORY_LAYER_TYPE_SKILLS"},
                "entries": {"e1": {"key": "k1", "content": "c1"}},
            }},
            "toolSets": {"bulk-tools": {
                "name": "Bulk tools",
                "spec": {"adapter": {"mcp": {"url": "https://mcp.example.com"}}},
                "tools": {"t1": {"name": "bulk_tool", "spec": tool_spec}},
            }},
        }})
        bid = _id(apply)
        c("bulk_workspace_resources.list")
        c("bulk_workspace_resources.retrieve", {"id": bid})
        c("bulk_workspace_resources.results.list", {"bulkWorkspaceApplyId": bid})

    # -- deletes -------------------------------------------------------------
    def cleanup(self):
        c = self.c
        ids = self.ids
        if "layer" in ids and "entry" in ids:
            self.step("memory_layers.entries.delete", lambda: c("memory_layers.entries.delete", {"memoryLayerId": ids["layer"], "id": ids["entry"]}))
        if "tool_set" in ids and "tool" in ids:
            self.step("tool_sets.tools.delete", lambda: c("tool_sets.tools.delete", {"toolSetId": ids["tool_set"], "id": ids["tool"]}))
        if "agent" in ids and "variation" in ids:
            self.step("agents.variations.delete", lambda: c("agents.variations.delete", {"agentId": ids["agent"], "id": ids["variation"]}))
        if "agent" in ids:
            self.step("agents.delete", lambda: c("agents.delete", {"id": ids["agent"]}))
        if "tool_set" in ids:
            self.step("tool_sets.delete", lambda: c("tool_sets.delete", {"id": ids["tool_set"]}))
        if "layer" in ids:
            self.step("memory_layers.delete", lambda: c("memory_layers.delete", {"id": ids["layer"]}))
        if "ws2" in ids:
            self.step("workspace_admin.archive", lambda: c("workspace_admin.archive", {"workspaceId": ids["ws2"]}))

    def run(self):
        for label, fn in [
            ("account", self.account),
            ("workspace_admin", self.workspace_admin),
            ("api_keys", self.api_keys),
            ("models", self.models),
            ("uploads", self.uploads),
            ("workspace_secrets", self.secrets),
            ("memory_layers", self.memory),
            ("tool_sets", self.tool_sets),
            ("agents", self.agents),
            ("objectives", self.objectives),
            ("bulk", self.bulk),
        ]:
            self.step(label, fn)
        self.cleanup()
        return self


@pytest.fixture(scope="session")
def walk(server):
    return Walk(Client(server)).run()


@pytest.fixture(scope="session")
def client(server):
    return Client(server)


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------

def test_spec_has_expected_operation_count():
    assert len(OPERATION_IDS) == EXPECTED_OPERATION_COUNT
    assert len(set(OPERATION_IDS)) == len(OPERATION_IDS), "duplicate operationIds"


def test_every_operation_exercised(walk):
    hit = {call.op_id for call in walk.c.calls if call.ok}
    missing = [op for op in OPERATION_IDS if op not in hit]
    assert not missing, f"operations never answered 2xx: {missing}\nwalk errors:\n" + "\n".join(walk.errors)
    assert len(hit & set(OPERATION_IDS)) == EXPECTED_OPERATION_COUNT


def test_walk_completed_without_errors(walk):
    assert not walk.errors, "walk steps failed:\n" + "\n".join(walk.errors)


def _calls_for(walk, op_id):
    calls = [call for call in walk.c.calls if call.op_id == op_id]
    ok = [call for call in calls if call.ok]
    if not ok:
        related = [e for e in walk.errors if op_id.split(".")[0] in e] or walk.errors
        failed = "\n".join(call.describe() for call in calls) or "(never called)"
        pytest.fail(f"{op_id} never returned 2xx.\ncalls:\n{failed}\nwalk errors:\n" + "\n".join(related))
    return ok


def _check_bodies(walk, op_id, strict):
    schema = response_schema(op_id)
    problems = []
    for call in _calls_for(walk, op_id):
        if call.status != 200:
            problems.append(f"expected 200, got {call.status}: {call.describe()}")
        if schema is None:
            if call.raw.strip():
                problems.append(f"expected an empty body: {call.describe()}")
            continue
        if call.json_error is not None or call.json is None:
            problems.append(f"body is not JSON ({call.json_error}): {call.describe()}")
            continue
        errs = schema_errors(schema, call.json, strict)
        if errs:
            problems.append(call.describe() + "\n    " + "\n    ".join(errs[:20]))
    assert not problems, f"{op_id}:\n" + "\n".join(problems)


@pytest.mark.parametrize("op_id", OPERATION_IDS)
def test_response_schema(walk, op_id):
    _check_bodies(walk, op_id, strict=False)


@pytest.mark.parametrize("op_id", OPERATION_IDS)
def test_no_unknown_fields(walk, op_id):
    _check_bodies(walk, op_id, strict=True)


def request_schema(op_id: str):
    rb = OPERATIONS[op_id]["op"].get("requestBody")
    if not rb:
        return None
    return rb.get("content", {}).get("application/json", {}).get("schema")


def test_walk_requests_are_spec_valid(walk):
    """Our own request bodies must be valid (strictly) so a 4xx is the server's fault."""
    problems = []
    for call in walk.c.calls:
        schema = request_schema(call.op_id)
        if schema is None or call.req_body is None:
            continue
        errs = schema_errors(schema, call.req_body, strict=True)
        if errs:
            problems.append(f"{call.op_id}: {json.dumps(call.req_body)}\n    " + "\n    ".join(errs))
    assert not problems, "\n".join(problems)


def test_json_content_type(walk):
    problems = []
    for call in walk.c.calls:
        if call.ok and call.raw.strip():
            ctype = {k.lower(): v for k, v in call.headers.items()}.get("content-type", "")
            if not ctype.startswith("application/json"):
                problems.append(f"{call.op_id}: Content-Type {ctype!r}")
    assert not problems, "\n".join(sorted(set(problems)))


def test_cursor_pagination_walks_all_items(walk):
    if not hasattr(walk, "paged_models"):
        pytest.fail("models walk did not run: " + "\n".join(walk.errors))
    paged, full = walk.paged_models
    assert len(paged) == len(set(paged)), f"duplicate items across pages: {paged}"
    assert sorted(paged) == sorted(full), f"paging with limit=1 gave {paged}, unpaged list gave {full}"


def test_list_envelope_shape(walk):
    """x-pagination: cursor operations return {items, pagination}."""
    problems = []
    for call in walk.c.calls:
        op = OPERATIONS[call.op_id]["op"]
        if op.get("x-pagination") != "cursor" or not call.ok or not isinstance(call.json, dict):
            continue
        if not isinstance(call.json.get("items"), list) or not isinstance(call.json.get("pagination"), dict):
            problems.append(call.describe())
    assert not problems, "\n".join(problems)


# -- error responses ----------------------------------------------------------

def _assert_status_body(call, expected_status):
    assert call.status == expected_status, call.describe()
    assert call.json_error is None and isinstance(call.json, dict), call.describe()
    errs = schema_errors(STATUS_SCHEMA, call.json, strict=False)
    assert not errs, call.describe() + "\n" + "\n".join(errs)
    strict_errs = schema_errors(STATUS_SCHEMA, call.json, strict=True)
    assert not strict_errs, call.describe() + "\n" + "\n".join(strict_errs)
    assert isinstance(call.json.get("message"), str) and call.json["message"], call.describe()


def test_error_401_without_auth(client):
    call = client.raw("agents.list", auth=False)
    _assert_status_body(call, 401)


def test_error_404_unknown_id(client):
    call = client.raw("agents.retrieve", {"id": "agt_doesnotexist"})
    _assert_status_body(call, 404)


def test_error_404_after_delete(walk):
    call = walk.c.raw("agents.retrieve", {"id": walk.ids.get("agent", "agt_missing")})
    _assert_status_body(call, 404)


def test_error_404_unknown_nested_parent(client):
    call = client.raw("memory_layers.entries.list", {"memoryLayerId": "memlyr_doesnotexist"})
    _assert_status_body(call, 404)


def test_error_400_bad_enum(client):
    call = client.raw("agents.create", body={
        "metadata": {"name": _name("bad")},
        "spec": {"status": "AGENT_STATUS_NOT_A_THING", "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM"},
    })
    _assert_status_body(call, 400)


def test_error_400_missing_required(client):
    call = client.raw("uploads.create", body={"metadata": {"name": _name("bad")}, "spec": {"filename": "x"}})
    _assert_status_body(call, 400)


def test_error_400_malformed_json(client):
    call = client.raw("workspace_secrets.create", raw_body=b"{not json")
    _assert_status_body(call, 400)
