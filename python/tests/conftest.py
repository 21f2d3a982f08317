"""Fixtures: one local Cadenya server (the `cadenya-server` binary) per test session, and clients for it.

The binary is `$CADENYA_SERVER_BIN`, else `<cargo target dir>/debug/cadenya-server`
(scripts/test-python.sh builds it and sets the variable).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import cadenya

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "examples"))


def _server_bin() -> str:
    env = os.environ.get("CADENYA_SERVER_BIN")
    if env:
        return env
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return str(Path(json.loads(meta.stdout)["target_directory"]) / "debug" / "cadenya-server")


class Server:
    """A running local server: its connection facts and its request log."""

    def __init__(self, proc: "subprocess.Popen[str]", info: Dict[str, str]) -> None:
        self.proc = proc
        self.base_url = info["base_url"]
        self.api_key = info["api_key"]
        self.workspace_id = info["workspace_id"]
        self.account_id = info["account_id"]
        self.webhook_secret = info["webhook_secret"]

    def _req(self, method: str, path: str) -> Any:
        r = urllib.request.Request(self.base_url + path, method=method)
        with urllib.request.urlopen(r, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def requests(self) -> List[Dict[str, Any]]:
        """Every request received since the last clear (the log's own calls excluded)."""
        out = []
        for r in self._req("GET", "/_cadenya/requests")["requests"]:
            if r["path"].startswith("/_cadenya"):
                continue
            # headers arrive as [name, value] pairs: keep the first value of each (lower-case) name
            headers: Dict[str, str] = {}
            for k, v in r["headers"]:
                headers.setdefault(k.lower(), v)
            r["headers"] = headers
            out.append(r)
        return out

    def clear(self) -> None:
        self._req("DELETE", "/_cadenya/requests")


def start_server() -> Iterator[Server]:
    proc = subprocess.Popen(
        [_server_bin(), "--port", "0", "--step-delay-ms", "2", "--exit-on-stdin-close"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise RuntimeError("cadenya-server printed nothing")
    srv = Server(proc, json.loads(line))
    yield srv
    # Open keep-alive connections may hold a graceful shutdown: close stdin, then insist.
    assert proc.stdin is not None
    proc.stdin.close()
    proc.terminate()
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@contextlib.contextmanager
def server_env() -> Iterator[Dict[str, str]]:
    """For scripts: the `CADENYA_API_KEY`/`_BASE_URL`/`_WORKSPACE_ID` of a running server, the
    environment's when `CADENYA_BASE_URL` is set, else those of a fresh local server (stopped on
    exit). They are also put in `os.environ`, for child processes."""
    names = ("CADENYA_API_KEY", "CADENYA_BASE_URL", "CADENYA_WORKSPACE_ID")
    if "CADENYA_BASE_URL" in os.environ:
        yield {k: os.environ[k] for k in names}
        return
    gen = start_server()
    srv = next(gen)
    try:
        env = dict(zip(names, (srv.api_key, srv.base_url, srv.workspace_id)))
        os.environ.update(env)
        yield env
    finally:
        gen.close()


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    yield from start_server()


@pytest.fixture
def client(server: Server) -> Iterator[cadenya.Cadenya]:
    with cadenya.Cadenya(
        api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id, webhook_secret=server.webhook_secret
    ) as c:
        yield c


@pytest.fixture
def aclient(server: Server) -> cadenya.AsyncCadenya:
    return cadenya.AsyncCadenya(
        api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id, webhook_secret=server.webhook_secret
    )


def fault(spec: str) -> Dict[str, str]:
    """An `x-cadenya-fault` header with a unique id (the server counts per distinct value)."""
    return {"x-cadenya-fault": f"id={uuid.uuid4().hex};{spec}"}


def agent_params(name: str = "agent") -> Dict[str, Any]:
    return {
        "metadata": {"name": f"{name}-{uuid.uuid4().hex[:8]}"},
        "spec": {"status": "AGENT_STATUS_DRAFT", "variation_selection_mode": "VARIATION_SELECTION_MODE_RANDOM"},
    }
